"""`xinqu crawl` against five fx_* fixture sites in different CMS styles, plus one that is down.

One child process crawls everything (the Twisted reactor cannot restart), then a
second crawl checks the incremental promise: one request per list URL.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from support import FIXTURES, closed_port, run_xinqu

from xinqu.store import open_store
from xinqu.store.articles import Article, SourceRun

EXPECTED = json.loads((FIXTURES / "fx_expected.json").read_text("utf-8"))
ORIGINS = {
    "fx_trs": ("http://www.fxtrs.gov.cn",),
    "fx_hanweb": ("http://www.fxhanweb.gov.cn",),
    "fx_govcn": ("http://www.fxgovcn.gov.cn",),
}
LISTS = {
    "fx_trs": "xwzx/gzdt/index.html",
    "fx_hanweb": "col/col1234/index.html",
    "fx_siteserver": "channels/12.html",
    "fx_govcn": "zhengce/zuixin/home.htm",
    "fx_gbk": "news/list.asp",
}


@pytest.fixture
def world(site_server, make_config, frozen_now, tmp_path):
    sites = {name: site_server(name, ORIGINS.get(name, ())) for name in LISTS}
    flaky = sites["fx_trs"]
    answers = iter([(500, {}, b"busy")])
    article = "/xwzx/gzdt/202611/t20261122_1003.html"
    body = (flaky.root / article.lstrip("/")).read_bytes()
    flaky.routes[article] = lambda: next(answers, (200, {"Content-Type": "text/html"}, body))
    sources = [
        {
            "name": name,
            "area": name,
            "site_name": f"{name} 官网",
            "list_urls": [site.url(LISTS[name])],
        }
        for name, site in sites.items()
    ]
    sources.append(
        {
            "name": "fx_down",
            "area": "down",
            "site_name": "down",
            "list_urls": [f"http://127.0.0.1:{closed_port()}/news/"],
        }
    )
    config = make_config(sources, crawl={"retry_backoff_seconds": 0.05, "max_pages": 3})
    return sites, config, tmp_path / "data"


def _articles(data: Path) -> dict[str, list[Article]]:
    store = open_store(f"sqlite:///{data / 'xinqu.db'}")
    try:
        with store.session() as session:
            out: dict[str, list[Article]] = {}
            for article in session.query(Article).order_by(Article.url):
                session.expunge(article)
                out.setdefault(article.source, []).append(article)
            return out
    finally:
        store.dispose()


def _runs(data: Path) -> list[SourceRun]:
    store = open_store(f"sqlite:///{data / 'xinqu.db'}")
    try:
        with store.session() as session:
            runs = session.query(SourceRun).order_by(SourceRun.id).all()
            for run in runs:
                session.expunge(run)
            return runs
    finally:
        store.dispose()


def test_crawl_world_then_incremental_recrawl(world):
    sites, config, data = world
    first = run_xinqu(config, data, "crawl")
    assert first.returncode == 1, first.stderr  # fx_down is down: named, exit 1
    assert "xinqu: 1 of 6 sources failed: fx_down (failed)" in first.stderr

    stored = _articles(data)
    for name, site in sites.items():
        got = [
            {
                "url": a.url.replace(site.url().rstrip("/"), ""),
                "title": a.title,
                "published_at": a.published_at.astimezone(
                    datetime.fromisoformat("2026-01-01T00:00:00+08:00").tzinfo
                ).isoformat(),
                "source_line": a.source_line,
                "text": a.text,
            }
            for a in stored.get(name, [])
        ]
        want = sorted((dict(e) for e in EXPECTED[name]), key=lambda e: site.url(e["url"]))
        texts = [article.pop("text") for article in got]
        leads = [article.pop("text")[0] for article in want]
        assert got == want, name
        assert all(lead in text for lead, text in zip(leads, texts, strict=True)), name
        assert {a.site_name for a in stored[name]} == {f"{name} 官网"}
    assert "fx_down" not in stored

    trs = sites["fx_trs"].requests
    assert trs.count("/xwzx/gzdt/202611/t20261122_1003.html") == 2  # a 500, then the retry
    assert "/xwzx/gzdt/202611/t20261118_1006.html" not in trs  # robots.txt forbids it
    assert "/xwzx/gzdt/index_2.html" in trs and "/xwzx/gzdt/index_3.html" not in trs
    assert not any(p.endswith((".pdf", "_0901.html", "_0900.html", "_0001.html")) for p in trs)
    assert sites["fx_siteserver"].requests.count("/channels/12_2.html") == 1

    runs = {r.source: r for r in _runs(data)}
    assert runs["fx_trs"].status == "partial"
    assert runs["fx_trs"].error_message == (
        f"article {sites['fx_trs'].url('xwzx/gzdt/202611/t20261117_1007.html')}: HTTP 404"
    )
    assert runs["fx_trs"].requests == len(trs) - 1  # robots.txt counted apart
    assert runs["fx_down"].status == "failed"
    assert runs["fx_down"].error_message.endswith("connection refused (site down?)")
    assert "\n" not in runs["fx_down"].error_message
    for name in ("fx_hanweb", "fx_siteserver", "fx_govcn", "fx_gbk"):
        assert (runs[name].status, runs[name].errors) == ("ok", 0), name
        assert runs[name].new == len(EXPECTED[name])
    down_line = next(line for line in first.stdout.splitlines() if line.startswith("fx_down"))
    assert "failed" in down_line and "connection refused" in down_line

    for site in sites.values():
        site.requests.clear()
    second = run_xinqu(config, data, "crawl")
    assert second.returncode == 1, second.stderr  # fx_down is down: named, exit 1
    assert "xinqu: 1 of 6 sources failed: fx_down (failed)" in second.stderr
    for name, site in sites.items():
        pages = [p for p in site.requests if p != "/robots.txt"]
        assert pages == ["/" + LISTS[name]], name
    again = {r.source: r for r in _runs(data)[-6:]}
    assert {name: again[name].requests for name in sites} == dict.fromkeys(sites, 1)
    assert all(again[name].new == 0 for name in sites)

    sites["fx_govcn"].requests.clear()
    refresh = run_xinqu(config, data, "crawl", "--source", "fx_govcn", "--refresh")
    assert refresh.returncode == 0, refresh.stderr
    fetched = [p for p in sites["fx_govcn"].requests if "/content/" in p]
    assert sorted(fetched) == sorted(e["url"] for e in EXPECTED["fx_govcn"])
    assert refresh.stdout.startswith("fx_govcn         ok       requests=6 new=0 updated=0 known=4")


@pytest.mark.parametrize("name", list(LISTS))
def test_fx_article_bodies(name):
    """Each stored body is exactly the article's paragraphs (pure extraction, no crawl)."""
    from zoneinfo import ZoneInfo

    from scrapy.http import HtmlResponse
    from support import SITES

    from crawler.extract.article import extract_article

    for expected in EXPECTED[name]:
        path, _, query = expected["url"].partition("?")
        file = SITES / name / path.lstrip("/")
        if query:
            file = file.parent / f"{file.name}@{query}"
        response = HtmlResponse(f"http://127.0.0.1{expected['url']}", body=file.read_bytes())
        article = extract_article(response.text, response.url, tz=ZoneInfo("Asia/Shanghai"))
        assert article.text.splitlines() == expected["text"], expected["url"]


def test_obey_robots_false_fetches_what_robots_txt_forbids(
    site_server, make_config, frozen_now, tmp_path
):
    site = site_server("fx_trs")
    config = make_config(
        [
            {
                "name": "fx_trs",
                "area": "贵安新区",
                "site_name": "贵安新区门户网站",
                "list_urls": [site.url("xwzx/gzdt/index_1.html")],
                "obey_robots": False,
                "max_pages": 1,
            },
            {
                "name": "bad_selector",
                "area": "x",
                "site_name": "x",
                "list_urls": [site.url("xwzx/gzdt/index_2.html")],
                "link_selector": "//ul[@class=",
                "obey_robots": False,
            },
        ]
    )
    result = run_xinqu(config, tmp_path / "data", "crawl")
    assert result.returncode == 1, result.stderr
    assert "xinqu: 1 of 2 sources failed: bad_selector (failed)" in result.stderr
    assert "/robots.txt" not in site.requests
    assert "/xwzx/gzdt/202611/t20261118_1006.html" in site.requests
    # max_pages: 1 — fx_trs does not page on; index_2 is fetched once, as bad_selector's list.
    assert site.requests.count("/xwzx/gzdt/index_2.html") == 1
    assert "/xwzx/gzdt/index_3.html" not in site.requests
    lines = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert lines["fx_trs"].startswith("partial")  # the 404 of t20261117_1007
    assert lines["bad_selector"].startswith("failed")
    assert lines["bad_selector"].endswith(
        f"— list {site.url('xwzx/gzdt/index_2.html')}: could not parse "
        "(XPathEvalError: Invalid expression)"
    )


def test_family_pagination_by_post_and_lists_behind_a_data_source(
    site_server, make_config, frozen_now, tmp_path
):
    """Hanweb's next page is a POST to its data proxy; Xinhua's list is a ds_*.json shell."""
    from xinqu.config import load_config

    shipped = {s.name: s for s in load_config().sources}
    servers = {name: site_server(name) for name in ("zhoushan", "xiongan")}
    entries = []
    for name, server in servers.items():
        entry = shipped[name].model_dump(mode="json", exclude_none=True)
        entry["list_urls"] = [server.localize(entry["list_urls"][0])]
        entry.update(obey_robots=False, max_pages=2)
        entries.append(entry)
    data = tmp_path / "data"
    result = run_xinqu(make_config(entries), data, "crawl")
    assert result.returncode == 0, result.stderr

    zhoushan = servers["zhoushan"]
    proxy = "POST /module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6&perpage=15"
    assert zhoushan.requests[0].startswith("/col/col1276171/index.html?")
    assert proxy in zhoushan.requests
    assert "columnid=1276171" in zhoushan.posts[0]
    assert not any("/art/2026/9/" in p for p in zhoushan.requests)  # page 2 is all too old
    xiongan = servers["xiongan"].requests
    assert any(p.endswith(".json") for p in xiongan)
    stored = _articles(data)
    assert {name: len(stored.get(name, [])) for name in servers} == {"zhoushan": 2, "xiongan": 2}
