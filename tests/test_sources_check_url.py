"""`xinqu sources check URL`: what a site never configured would give, from its list URL
alone — rows with dates and their evidence, the next page, two articles — on a
fixture site served on 127.0.0.1. Nothing is stored and no config entry is needed."""

from __future__ import annotations

from support import run_xinqu

from xinqu.store import open_store
from xinqu.store.articles import Article


def test_check_by_url_shows_rows_evidence_next_page_and_two_articles(
    site_server, make_config, frozen_now, tmp_path
):
    site = site_server("fx_xxgk")
    config = make_config([])
    url = site.url("zwgk/zcwj/list.shtml")
    result = run_xinqu(config, tmp_path / "data", "sources", "check", url)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout.splitlines()
    assert out[0] == "new_127_0_0_1  — · 127.0.0.1  (generic)"
    assert f"  list     {url}" in out
    assert (
        f"           HTTP 200, 8 links, 8 dated, next page: {site.url('zwgk/zcwj/list_2.shtml')}"
    ) in out
    # 发布日期 column, not the earlier 成文日期, and the whole title from title=.
    assert (
        "    2026-11-03  element  fresh    "
        "临港新区管委会关于调整工业用地弹性年期出让有关事项的通知  "
        + site.url("zwgk/zcwj/c1051887/content.shtml")
    ) in out
    assert f"  list     {site.url('zwgk/zcwj/list_2.shtml')}  (page 2)" in out
    assert "           1 in the crawl window, 4 older" in out
    assert any(line.startswith("    2026-09-24  element  old      ") for line in out)
    articles = [line for line in out if line.startswith("  article  ")]
    assert articles == [
        f"  article  {site.url('zwgk/zcwj/c1051931/content.shtml')}  HTTP 200",
        f"  article  {site.url('zwgk/zcwj/c1051928/content.shtml')}  HTTP 200",
    ]
    assert (
        "    title      临港新区管委会关于印发《临港新区推动低空经济高质量发展三年行动方案"
        "（2026—2028年）》的通知"
    ) in out
    assert "    published  2026-11-24 00:00 +0800" in out
    assert "      | 各街道、各部门，区属各企业：" in out
    assert out[-1] == "  problems: none"
    store = open_store(f"sqlite:///{tmp_path / 'data' / 'xinqu.db'}")
    with store.session() as session:
        assert session.query(Article).count() == 0
    store.dispose()


def test_check_by_url_rejects_a_mix_and_says_why_in_one_line(make_config, tmp_path):
    config = make_config(
        [{"name": "a", "area": "x", "site_name": "x", "list_urls": ["http://a.cn/"]}]
    )
    result = run_xinqu(config, tmp_path / "d", "sources", "check", "a", "http://b.cn/list/")
    assert (result.returncode, result.stderr.strip()) == (
        2,
        "xinqu: give either source names or list URLs, not both",
    )
