"""`xinqu crawl` of six fixture sites in CMS styles no family knows, each configured
by nothing but name, area, site_name and list_urls (as a user adds a new site).

Every in-window article must be stored with the page's exact headline and its
date; nothing older than the crawl window may be fetched. The sites (see each
fixture's README.md for the real markup they follow) cover: card lists with
``<time datetime>`` and dated summaries under a site-name ``<title>``; 信息公开
tables with 成文日期 and 发布日期 columns and a ``createPageHTML('page_div', …)``
pager; iList.jsp lists with ``[date]`` before links cut with ``...``; lists
rendered from JSON records in an inline script with a ``countPage`` pager; and
cards whose day is split into two elements under a column-name ``<title>``; and a
shell page whose script loads its list from a JSON API paged by ``pageNo``.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from support import SITES, run_xinqu

from xinqu.store import open_store
from xinqu.store.articles import Article

TZ = ZoneInfo("Asia/Shanghai")
LISTS = {
    "fx_cards": "xwzx/qydt/index.html",
    "fx_xxgk": "zwgk/zcwj/list.shtml",
    "fx_ilist": "info/iList.jsp?cat_id=10199",
    "fx_jsonlist": "xwdt/index.htm",
    "fx_daycards": "news/gzdt/index.html",
    "fx_jsonapi": "xwzx/tzgg/index.html",
}


def expected(name: str) -> dict[str, list]:
    """``fresh``: the in-window articles (url, title, date, lead); ``old``: the rest."""
    return json.loads((SITES / name / "expected_crawl.json").read_text("utf-8"))


def _stored(data: Path) -> dict[str, list[Article]]:
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


@pytest.fixture
def crawled(site_server, make_config, frozen_now, tmp_path):
    sites = {name: site_server(name) for name in LISTS}
    config = make_config(
        [
            {
                "name": name,
                "area": "新区",
                "site_name": f"{name} 官网",
                "list_urls": [site.url(LISTS[name])],
            }
            for name, site in sites.items()
        ]
    )
    result = run_xinqu(config, tmp_path / "data", "crawl", timeout=300)
    assert result.returncode == 0, result.stderr
    return sites, _stored(tmp_path / "data")


def test_every_fresh_article_of_an_unseen_style_is_stored_with_headline_and_date(crawled):
    sites, stored = crawled
    for name, site in sites.items():
        got = {
            a.url.replace(site.url().rstrip("/"), ""): (
                a.title,
                a.published_at.astimezone(TZ).date().isoformat(),
            )
            for a in stored.get(name, [])
        }
        want = {e["url"]: (e["title"], e["date"]) for e in expected(name)["fresh"]}
        assert got == want, name
        leads = {e["url"]: e["lead"] for e in expected(name)["fresh"]}
        for article in stored[name]:
            lead = leads[article.url.replace(site.url().rstrip("/"), "")]
            assert article.text.startswith(lead), (name, article.url)


def test_nothing_older_than_the_window_is_fetched(crawled):
    sites, _ = crawled
    for name, site in sites.items():
        old = set(expected(name)["old"])
        assert old and not old & set(site.requests), name


@pytest.mark.parametrize("name", list(LISTS))
def test_each_site_lists_fresh_and_old_articles(name):
    """8–15 articles over two list pages, some older than the window (30 days)."""
    fresh, old = expected(name)["fresh"], expected(name)["old"]
    assert 8 <= len(fresh) + len(old) <= 15 and len(old) >= 2
    now = datetime(2026, 11, 25, 10, tzinfo=TZ)
    assert all(
        (now - datetime.fromisoformat(e["date"]).replace(tzinfo=TZ)).days < 30 for e in fresh
    )


def test_an_undated_row_whose_article_is_older_than_the_window_is_not_stored(
    site_server, make_config, frozen_now, tmp_path
):
    site = site_server("fx_undated")
    config = make_config(
        [
            {
                "name": "topic",
                "area": "新区",
                "site_name": "金湾新区",
                "list_urls": [site.url("zt/yshj/index.html")],
            }
        ]
    )
    result = run_xinqu(config, tmp_path / "data", "crawl")
    assert result.returncode == 0, result.stderr
    stored = _stored(tmp_path / "data")["topic"]
    assert sorted(a.url.rsplit("/", 1)[1] for a in stored) == ["show-411.html", "show-412.html"]
    assert "/zt/yshj/show-405.html" in site.requests  # nothing told it apart before
