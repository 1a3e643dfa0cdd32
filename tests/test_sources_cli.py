"""`xinqu sources list | check | add` as an editor uses them."""

from __future__ import annotations

from datetime import UTC, datetime

import yaml
from support import closed_port, run_xinqu

from xinqu.store import open_store
from xinqu.store.articles import SourceRun, start_crawl_run

RUISHU = (
    b'<html><head><meta id="9DhefwqGPrzGxEp9hPaoag" content="x">'
    b'<script type="text/javascript" r="m">var a=1;</script></head><body></body></html>'
)


def test_check_prints_fields_and_problems_without_storing(
    site_server, make_config, frozen_now, tmp_path
):
    trs = site_server("fx_trs", ("http://www.fxtrs.gov.cn",))
    blank = site_server("fx_gbk")
    blank.routes["/empty.html"] = lambda: (200, {"Content-Type": "text/html"}, b"<p>no list</p>")
    blank.routes["/guarded.html"] = lambda: (412, {"Content-Type": "text/html"}, RUISHU)
    config = make_config(
        [
            {
                "name": "trs",
                "area": "贵安新区",
                "site_name": "贵安新区门户网站",
                "list_urls": [trs.url("xwzx/gzdt/index.html")],
            },
            {
                "name": "blank",
                "area": "x",
                "site_name": "x",
                "list_urls": [blank.url("empty.html")],
            },
            {
                "name": "guarded",
                "area": "x",
                "site_name": "x",
                "list_urls": [blank.url("guarded.html")],
            },
            {
                "name": "down",
                "area": "x",
                "site_name": "x",
                "list_urls": [f"http://127.0.0.1:{closed_port()}/"],
            },
        ],
        crawl={"retry_backoff_seconds": 0.01},
    )
    data = tmp_path / "data"
    result = run_xinqu(config, data, "sources", "check", "--all")
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert f"  list     {trs.url('xwzx/gzdt/index.html')}" in out
    assert "HTTP 200, 4 links, 4 dated, next page: " + trs.url("xwzx/gzdt/index_1.html") in out
    assert "    title      贵安新区集成电路产业园首批十二家企业入驻投产" in out
    assert "    published  2026-11-24 09:30 +0800" in out
    assert "    source     贵安新区融媒体中心" in out
    assert "3 paragraphs: 近日，贵安新区集成电路产业园工作取得新进展" in out
    trs_block = out.split("\nblank")[0]
    assert trs_block.rstrip().endswith("problems: none")
    assert "- no article links found on the list page (set link_selector?)" in out
    assert "- list page is an anti-bot challenge (ruishu)" in out
    assert "- list page: connection refused (site down?)" in out
    # Only the first three articles of the list page were fetched; nothing was stored.
    assert len([p for p in trs.requests if "/202611/" in p]) == 3
    store = open_store(f"sqlite:///{data / 'xinqu.db'}")
    with store.session() as session:
        assert session.query(SourceRun).count() == 0
    store.dispose()


def test_check_needs_a_name_and_knows_the_sources(make_config, tmp_path):
    config = make_config(
        [{"name": "a", "area": "x", "site_name": "x", "list_urls": ["http://a.cn/"]}]
    )
    result = run_xinqu(config, tmp_path / "d", "sources", "check")
    assert (result.returncode, result.stderr.strip()) == (
        2,
        "xinqu: name one or more sources or list URLs, or give --all",
    )
    result = run_xinqu(config, tmp_path / "d", "sources", "check", "nope")
    assert result.returncode == 2
    assert result.stderr.strip() == "xinqu: unknown source 'nope' (known: a)"


def test_list_shows_state_and_last_result(make_config, tmp_path):
    config = make_config(
        [
            {
                "name": "alpha",
                "area": "浦东新区",
                "site_name": "浦东",
                "list_urls": ["http://a.cn/"],
            },
            {
                "name": "beta",
                "area": "滨海新区",
                "site_name": "滨海",
                "list_urls": ["http://b.cn/"],
                "verified": False,
                "enabled": False,
            },
        ]
    )
    data = tmp_path / "data"
    data.mkdir()
    store = open_store(f"sqlite:///{data / 'xinqu.db'}")
    with store.session() as session:
        run = start_crawl_run(session)
        session.add(
            SourceRun(
                run_id=run.id,
                source="alpha",
                status="partial",
                new=3,
                errors=1,
                started_at=datetime(2026, 11, 25, 2, 0, tzinfo=UTC),
                error_message="article http://a.cn/1.html: HTTP 404",
            )
        )
    store.dispose()
    result = run_xinqu(config, data, "sources", "list")
    assert result.returncode == 0, result.stderr
    alpha, beta = result.stdout.splitlines()
    assert alpha.split()[:5] == ["alpha", "浦东新区", "generic", "enabled", "verified"]
    assert "2026-11-25 10:00 partial new=3 errors=1" in alpha
    assert alpha.endswith("— article http://a.cn/1.html: HTTP 404")
    assert beta.split() == [
        "beta",
        "滨海新区",
        "generic",
        "disabled",
        "assumed",
        "never",
        "crawled",
    ]


def test_add_appends_a_validated_entry(make_config, tmp_path):
    config = make_config(
        [{"name": "a", "area": "x", "site_name": "x", "list_urls": ["http://a.cn/"]}]
    )
    before = (config / "sources.yaml").read_text("utf-8")
    args = [
        "sources",
        "add",
        "--name",
        "lanzhou",
        "--area",
        "兰州新区",
        "--site-name",
        "兰州新区门户网站",
        "--list-url",
        "http://www.lzxq.gov.cn/xwzx/",
        "--offline",
    ]
    result = run_xinqu(config, tmp_path / "d", *args)
    assert result.returncode == 0, result.stderr
    text = (config / "sources.yaml").read_text("utf-8")
    assert text.startswith(before.rstrip("\n"))
    entries = yaml.safe_load(text)["sources"]
    assert entries[-1] == {
        "name": "lanzhou",
        "area": "兰州新区",
        "site_name": "兰州新区门户网站",
        "list_urls": ["http://www.lzxq.gov.cn/xwzx/"],
    }
    again = run_xinqu(config, tmp_path / "d", *args)
    assert again.returncode == 2
    assert again.stderr.strip().endswith("a source named 'lanzhou' already exists")
    bad = run_xinqu(config, tmp_path / "d", *[a if a != "lanzhou" else "Bad Name" for a in args])
    assert bad.returncode == 2 and "Bad Name" in bad.stderr
    bad_url = run_xinqu(config, tmp_path / "d", *[a.replace("http://", "ftp:") for a in args])
    assert bad_url.returncode == 2 and bad_url.stderr.startswith("xinqu: new source 'lanzhou'")
    assert len(yaml.safe_load((config / "sources.yaml").read_text("utf-8"))["sources"]) == 2


def test_add_of_a_site_that_is_down_explains_in_lines_without_a_traceback(make_config, tmp_path):
    config = make_config([])
    result = run_xinqu(
        config,
        tmp_path / "data",
        "sources",
        "add",
        "--name",
        "down",
        "--area",
        "西咸新区",
        "--site-name",
        "测试",
        "--list-url",
        f"http://127.0.0.1:{closed_port()}/news/",
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert "connection refused (site down?)" in result.stdout + result.stderr
    assert "source down not added" in result.stderr
    # The traceback Scrapy logged is kept in the log file, for whoever looks.
    assert "Traceback" in (tmp_path / "data" / "logs" / "xinqu.log").read_text(encoding="utf-8")
