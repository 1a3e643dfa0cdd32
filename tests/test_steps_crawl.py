"""The crawl step: a real child process against a fixture site; hung and stopped crawls."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from scheduler.steps import crawl_step
from xinqu.app import App
from xinqu.store.articles import CrawlRun, SourceRun


def _source(site) -> dict:
    return {
        "name": "demo_trs",
        "area": "西咸新区",
        "site_name": "西咸新区官网",
        "list_urls": [site.url("xwzx/index.html")],
        "obey_robots": False,
    }


@pytest.fixture
def app_for(make_config, tmp_path: Path, frozen_now: str):
    apps: list[App] = []

    def make(site, **settings) -> App:
        app = App(config_dir=make_config([_source(site)], **settings), data_dir=tmp_path / "data")
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.close()


def _stall(site, path: str, release: threading.Event, reached: threading.Event) -> None:
    def slow() -> tuple[int, dict[str, str], bytes]:
        reached.set()
        release.wait(30)
        return 200, {"Content-Type": "text/html"}, b"<html></html>"

    site.routes[path] = slow


def test_hung_crawl_is_killed_and_recorded_interrupted(site_server, app_for) -> None:
    site = site_server("demo_trs")
    release, reached = threading.Event(), threading.Event()
    _stall(site, "/xwzx/202611/t20261120_101.html", release, reached)
    app = app_for(
        site, crawl={"timeout_seconds": 60, "hang_timeout_seconds": 8, "stop_grace_seconds": 1}
    )
    try:
        outcome = crawl_step(app)
    finally:
        release.set()
    assert reached.is_set(), "the crawl never reached the stalled page"
    assert outcome.status == "hung"
    assert [(r.source, r.status) for r in outcome.runs] == [("demo_trs", "interrupted")]
    assert "still running after 8 s" in (outcome.runs[0].error_message or "")
    with app.store.session() as session:
        assert [r.status for r in session.query(CrawlRun)] == ["interrupted"]


def test_stop_event_terminates_the_crawl_child_cleanly(site_server, app_for) -> None:
    site = site_server("demo_trs")
    release, reached = threading.Event(), threading.Event()
    _stall(site, "/xwzx/202611/t20261120_101.html", release, reached)
    app = app_for(site, crawl={"timeout_seconds": 60, "stop_grace_seconds": 1})
    stop = threading.Event()

    def stop_when_stalled() -> None:
        if reached.wait(60):
            stop.set()

    threading.Thread(target=stop_when_stalled, daemon=True).start()
    try:
        outcome = crawl_step(app, stop=stop)
    finally:
        release.set()
    assert outcome.status == "stopped"
    with app.store.session() as session:
        runs = session.query(SourceRun).all()
    assert [(r.source, r.status) for r in runs] == [("demo_trs", "interrupted")]
    assert runs[0].finished_at is not None
