"""End to end: `xinqu crawl` in a real process against a fixture site on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import run_xinqu

from xinqu.store import open_store
from xinqu.store.articles import Article, SourceRun
from xinqu.store.base import resolve_database_url

pytestmark = pytest.mark.usefixtures("store_backend")


def test_crawl_stores_articles_then_recrawl_fetches_list_only(
    site_server, make_config, frozen_now, tmp_path
):
    site = site_server("demo_trs")
    config = make_config(
        [
            {
                "name": "demo_trs",
                "area": "西咸新区",
                "site_name": "西咸新区官网",
                "list_urls": [site.url("xwzx/index.html")],
                "obey_robots": False,
            }
        ]
    )
    data = tmp_path / "data"
    first = run_xinqu(config, data, "crawl")
    assert first.returncode == 0, first.stderr
    assert "demo_trs" in first.stdout and "new=2" in first.stdout

    store = open_store(resolve_database_url(data))
    with store.session() as session:
        articles = {a.title: a for a in session.query(Article)}
    assert set(articles) == {
        "西咸新区秦创原总窗口新增科技企业一百二十家",
        "西咸新区出台促进数字经济高质量发展若干措施",
    }
    first_article = articles["西咸新区秦创原总窗口新增科技企业一百二十家"]
    assert first_article.published_at.isoformat() == "2026-11-20T01:30:00+00:00"
    assert first_article.source_line == "西咸新区融媒体中心"
    assert first_article.site_name == "西咸新区官网"
    assert first_article.text.splitlines()[0].startswith("今年以来，西咸新区秦创原总窗口")
    second_article = articles["西咸新区出台促进数字经济高质量发展若干措施"]
    assert second_article.source_line == "西咸新区发改局"
    assert second_article.published_at.date().isoformat() == "2026-11-17"  # 00:00 +08:00

    site.requests.clear()
    second = run_xinqu(config, data, "crawl")
    assert second.returncode == 0, second.stderr
    assert site.requests == ["/xwzx/index.html"]
    with store.session() as session:
        runs = session.query(SourceRun).order_by(SourceRun.id).all()
    assert [(r.new, r.status) for r in runs] == [(2, "ok"), (0, "ok")]
    store.dispose()


def test_scrapy_parse_uses_the_source_spider(site_server, make_config, frozen_now, tmp_path):
    """`scrapy parse URL` works as every Scrapy user expects: lists give links, articles items."""
    site = site_server("demo_trs")
    list_url = site.url("xwzx/index.html")
    config = make_config(
        [
            {
                "name": "demo_trs",
                "area": "西咸新区",
                "site_name": "西咸新区官网",
                "list_urls": [list_url],
                "obey_robots": False,
            }
        ]
    )
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "XINQU_CONFIG": str(config)}

    def parse(url: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "scrapy.cmdline", "parse", "--nolog", url],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            cwd=root,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    listing = parse(list_url)
    assert site.url("xwzx/202611/t20261120_101.html") in listing
    assert site.url("xwzx/202611/t20261118_102.html") in listing
    article = parse(site.url("xwzx/202611/t20261120_101.html"))
    assert "西咸新区秦创原总窗口新增科技企业一百二十家" in article
    assert "'source_line': '西咸新区融媒体中心'" in article
