"""Failed article links are remembered, so a repeat crawl does not ask for them again.

The fixture site fx_dead has a list (news/, two pages) whose first page holds a 404,
a page robots.txt forbids and a page that extracts to no text, and a list (busy/)
whose first article answers 500 until the test lets it recover.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support import run_xinqu

from xinqu.store import open_store
from xinqu.store.articles import (
    ArticleRecord,
    FailedLink,
    LinkFailure,
    LinkState,
    dead_link_counts,
    failed_link_states,
    record_link_failures,
    save_articles,
)
from xinqu.store.base import resolve_database_url
from xinqu.store.urls import canonical_url

pytestmark = pytest.mark.usefixtures("store_backend")

BUSY = "/busy/202611/t20261124_3001.html"
GONE = "/news/202611/t20261123_2002.html"
FORBIDDEN = "/news/202611/t20261122_2003.html"
EMPTY = "/news/202611/t20261121_2004.html"


def test_link_states_attempts_and_forgetting(tmp_path, frozen_now):
    store = open_store(resolve_database_url(tmp_path))
    url = "https://www.x.gov.cn/a/1.html"
    with store.session() as session:
        first = record_link_failures(session, [LinkFailure(url, "s", "transient", "HTTP 500")])
        again = record_link_failures(session, [LinkFailure(url, "s", "transient", "timed out")])
        record_link_failures(
            session, [LinkFailure("https://www.x.gov.cn/a/2.html", "s", "gone", "HTTP 404")]
        )
        assert (first, again) == ({canonical_url(url): 1}, {canonical_url(url): 2})
        states = failed_link_states(session)
        assert states[canonical_url(url)] == LinkState("transient", 2)
        assert dead_link_counts(session, max_attempts=3) == {"s": 1}
        assert dead_link_counts(session, max_attempts=2) == {"s": 2}
        row = session.query(FailedLink).filter_by(canonical_url=canonical_url(url)).one()
        assert (row.last_error, row.first_failed.isoformat()) == (
            "timed out",
            "2026-11-25T02:00:00+00:00",
        )

        record = ArticleRecord(url, "s", "a", "官网", "标题", None, "正文。")
        assert save_articles(session, [record]) == ["new"]
        assert set(failed_link_states(session)) == {canonical_url("https://www.x.gov.cn/a/2.html")}
    store.dispose()

    assert LinkState("transient", 4).dead(5) is False
    assert LinkState("transient", 5).dead(5) is True
    assert LinkState("gone", 1).dead(5) is True
    assert LinkState("robots", 1).dead(5, obey_robots=False) is False


def _paths(site, prefix: str) -> list[str]:
    return [p for p in site.requests if p.startswith(prefix)]


def _failed(data: Path) -> dict[str, tuple[str, int, str]]:
    store = open_store(resolve_database_url(data))
    try:
        with store.session() as session:
            return {
                row.url.split(":", 2)[2].partition("/")[2]: (row.kind, row.attempts, row.last_error)
                for row in session.query(FailedLink)
            }
    finally:
        store.dispose()


def _lines(stdout: str) -> dict[str, str]:
    return dict(line.split(None, 1) for line in stdout.splitlines())


def test_dead_links_cost_nothing_and_passing_failures_are_retried_up_to_the_limit(
    site_server, make_config, frozen_now, tmp_path
):
    site = site_server("fx_dead")
    recovered = (site.root / BUSY.lstrip("/")).read_bytes()
    answers = {"status": 500}
    site.routes[BUSY] = lambda: (
        (500, {}, b"busy")
        if answers["status"] == 500
        else (200, {"Content-Type": "text/html"}, recovered)
    )
    common = {"area": "失效链接新区", "site_name": "失效链接新区门户网站"}
    config = make_config(
        [
            {"name": "fx_dead", "list_urls": [site.url("news/index.html")], **common},
            {"name": "fx_busy", "list_urls": [site.url("busy/index.html")], **common},
        ],
        crawl={"retry_times": 1, "retry_backoff_seconds": 0.05, "max_link_attempts": 2},
    )
    data = tmp_path / "data"

    first = run_xinqu(config, data, "crawl")
    assert first.returncode == 0, first.stderr
    assert sorted(_paths(site, "/news/")) == sorted(
        [
            "/news/index.html",
            "/news/202611/t20261124_2001.html",
            GONE,
            EMPTY,
            "/news/index_1.html",
            "/news/202611/t20261120_2005.html",
            "/news/202611/t20261119_2006.html",
        ]
    )
    assert _paths(site, "/busy/").count(BUSY) == 2  # a 500, and its one retry
    assert _failed(data) == {
        GONE.lstrip("/"): ("gone", 1, "HTTP 404"),
        FORBIDDEN.lstrip("/"): ("robots", 1, "disallowed by robots.txt"),
        EMPTY.lstrip("/"): ("empty", 1, "no text extracted"),
        BUSY.lstrip("/"): ("transient", 1, "HTTP 500"),
    }
    lines = _lines(first.stdout)
    assert lines["fx_dead"].startswith("partial  requests=7 new=3 updated=0 known=0 errors=2  — ")
    assert lines["fx_busy"].startswith("partial  requests=5 new=2 updated=0 known=0 errors=1  — ")

    # The unchanged site again: the dead links of news/ cost nothing, page 1 holds
    # nothing new so page 2 is not asked for; the 500 is tried once more (its last time).
    site.requests.clear()
    second = run_xinqu(config, data, "crawl")
    assert second.returncode == 0, second.stderr
    assert _paths(site, "/news/") == ["/news/index.html"]
    assert _paths(site, "/busy/") == ["/busy/index.html", BUSY, BUSY]
    lines = _lines(second.stdout)
    assert lines["fx_dead"] == "ok       requests=1 new=0 updated=0 known=1 errors=0 dead=3"
    assert lines["fx_busy"] == (
        f"partial  requests=3 new=0 updated=0 known=2 errors=1  — article {site.url(BUSY)}: "
        "HTTP 500 (failed in 2 crawls; not requested again until --refresh)"
    )

    site.requests.clear()
    third = run_xinqu(config, data, "crawl")
    assert third.returncode == 0, third.stderr
    pages = sorted(p for p in site.requests if p != "/robots.txt")
    assert pages == ["/busy/index.html", "/news/index.html"]  # one request per list URL
    lines = _lines(third.stdout)
    assert lines["fx_busy"] == "ok       requests=1 new=0 updated=0 known=2 errors=0 dead=1"
    listed = _lines(run_xinqu(config, data, "sources", "list").stdout)
    assert listed["fx_dead"].endswith("ok new=0 errors=0 dead=3")
    assert listed["fx_busy"].endswith("ok new=0 errors=0 dead=1")

    # --refresh asks for every failed link again; the one that recovered is stored.
    answers["status"] = 200
    site.requests.clear()
    refresh = run_xinqu(config, data, "crawl", "--refresh")
    assert refresh.returncode == 0, refresh.stderr
    assert {GONE, EMPTY, BUSY} <= set(site.requests)
    assert FORBIDDEN not in site.requests  # robots.txt still obeyed
    failed = _failed(data)
    assert BUSY.lstrip("/") not in failed
    assert failed[GONE.lstrip("/")] == ("gone", 2, "HTTP 404")
    assert _lines(refresh.stdout)["fx_busy"].startswith("ok       requests=4 new=1 ")
