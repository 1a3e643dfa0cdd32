"""Bounded discovery (issue 14.3): one huge list page is read in one pass over its
rows, and no more than ``crawl.max_articles_per_list`` new articles are taken from
it, the rest left for the next crawl and said in one line of the run."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from support import run_xinqu

from bench.listing import list_page
from crawler.extract.listing import entries_from_html
from xinqu.config import load_config
from xinqu.errors import ConfigError
from xinqu.store import open_store
from xinqu.store.articles import Article, SourceRun

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 10, tzinfo=TZ)
ROWS = 3000


def huge_list(rows: int) -> bytes:
    items = "".join(
        f'<li><a href="/news/show.php?id={k}">新区第{k}项重点工作取得新进展有序推进</a>'
        f"<span>2026-11-{1 + k % 20:02d}</span></li>"
        for k in range(rows)
    )
    return (
        '<html><head><meta charset="utf-8"><title>新区动态</title></head><body>'
        f'<div class="nav"><a href="/">首页</a></div><ul class="list">{items}</ul>'
        "</body></html>"
    ).encode()


@pytest.mark.parametrize("shape", ["blocks", "one-ul", "table"])
def test_every_row_of_a_list_of_twenty_thousand_is_found(shape):
    page = list_page(20000, shape).decode()
    entries = entries_from_html(page, "http://bench.gov.cn/xwzx/gzdt/index.html", TZ, NOW)
    assert len(entries) == 20000
    assert all(e.published_at is not None for e in entries)


def _stored(data):
    store = open_store(f"sqlite:///{data / 'xinqu.db'}")
    try:
        with store.session() as session:
            urls = {a.url for a in session.query(Article)}
            runs = [r.error_message for r in session.query(SourceRun).order_by(SourceRun.id)]
            return urls, runs
    finally:
        store.dispose()


def test_a_huge_list_page_gives_at_most_the_cap_and_the_rest_next_crawl(
    site_server, make_config, frozen_now, tmp_path
):
    site = site_server("fx_huge")
    body = huge_list(ROWS)
    site.routes["/news/list.php"] = lambda: (200, {"Content-Type": "text/html"}, body)
    config = make_config(
        [
            {
                "name": "huge",
                "area": "新区",
                "site_name": "新区",
                "list_urls": [site.url("news/list.php")],
            }
        ],
        crawl={"max_articles_per_list": 40, "concurrent_requests_per_domain": 8},
    )
    first = run_xinqu(config, tmp_path / "data", "crawl", timeout=300)
    assert first.returncode == 0, first.stderr
    articles = [r for r in site.requests if r.startswith("/news/show.php")]
    assert len(articles) == 40
    urls, runs = _stored(tmp_path / "data")
    assert len(urls) == 40
    assert runs[-1] == (
        f"list {site.url('news/list.php')}: {ROWS - 40} more new links than "
        "crawl.max_articles_per_list (40); left for the next crawl"
    )

    second = run_xinqu(config, tmp_path / "data", "crawl", timeout=300)
    assert second.returncode == 0, second.stderr
    more, _ = _stored(tmp_path / "data")
    assert len(more) == 80 and urls < more  # the next 40, none fetched twice


@pytest.mark.parametrize("value", [0, "many"])
def test_the_cap_is_validated(make_config, value):
    config = make_config([], crawl={"max_articles_per_list": value})
    with pytest.raises(ConfigError, match="max_articles_per_list"):
        load_config(config)
