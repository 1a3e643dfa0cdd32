"""Source health and `xinqu status`: failures in a row, anti-bot blocks, silent sites, alerts."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import main
from xinqu.app import App
from xinqu.health import flag_lines, source_health
from xinqu.store.articles import ArticleRecord, SourceRun, save_article, start_crawl_run

pytestmark = pytest.mark.usefixtures("store_backend")

NOW = datetime.fromisoformat("2026-11-25T10:00:00+08:00")


def _source(name: str) -> dict:
    return {
        "name": name,
        "area": f"{name}新区",
        "site_name": f"{name}官网",
        "list_urls": [f"http://{name}.example.org/list/"],
    }


@pytest.fixture
def app(make_config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    names = ["steady", "failing", "silent", "empty", "fresh"]
    config = make_config(
        [_source(n) for n in names],
        health={"failures_in_row": 3, "silent_days": 14},
        mail={"editor": "editor@example.org"},
    )
    app = App(config_dir=config, data_dir=tmp_path / "data")
    yield app
    app.close()


def _run(app: App, monkeypatch, source: str, days_ago: float, status: str, **kw) -> None:
    when = NOW - timedelta(days=days_ago)
    monkeypatch.setenv("XINQU_NOW", when.isoformat())
    with app.store.session() as session:
        run_id = start_crawl_run(session, trigger="test").id
        session.add(SourceRun(run_id=run_id, source=source, started_at=when, status=status, **kw))
        for i in range(kw.get("new", 0)):
            save_article(
                session,
                ArticleRecord(
                    url=f"http://{source}.example.org/a/{days_ago}-{i}.html",
                    source=source,
                    area=f"{source}新区",
                    site_name=f"{source}官网",
                    title=f"{source} {days_ago} {i}",
                    published_at=when,
                    text="正文",
                ),
            )


@pytest.fixture
def seeded(app: App, monkeypatch: pytest.MonkeyPatch) -> App:
    run = lambda *a, **k: _run(app, monkeypatch, *a, **k)  # noqa: E731
    run("steady", 3, "ok", new=2)
    run("steady", 1, "ok", new=1)
    run("failing", 5, "ok", new=1)
    run("failing", 3, "failed", errors=1, error_message="list page: HTTP 500")
    run("failing", 2, "interrupted", error_message="crawl stopped")
    run("failing", 1.5, "failed", errors=1, error_message="list page: HTTP 500")
    run("failing", 1, "blocked", anti_bot="waf-challenge", error_message="challenge page")
    run("silent", 40, "ok", new=3)
    run("silent", 30, "ok", new=1)
    for day in (20, 10, 1):
        run("silent", day, "ok", new=0)
    for day in (3, 2, 1):
        run("empty", day, "ok", new=0)
    monkeypatch.setenv("XINQU_NOW", NOW.isoformat())
    return app


def test_health_counts_and_flags(seeded: App) -> None:
    with seeded.store.session() as session:
        health = {h.name: h for h in source_health(session, seeded.config)}

    steady = health["steady"]
    assert (steady.last_status, steady.last_new, steady.consecutive_failures) == ("ok", 1, 0)
    assert steady.days_since_new == 1 and steady.flags == []

    failing = health["failing"]
    assert failing.consecutive_failures == 3, "interrupted runs neither count nor break"
    assert failing.status_text == "blocked by anti-bot (waf-challenge)"
    assert [f.kind for f in failing.flags] == ["failing"]
    assert "blocked by anti-bot: waf-challenge" in failing.flags[0].text

    silent = health["silent"]
    assert silent.days_since_new == 30 and [f.kind for f in silent.flags] == ["silent"]
    assert [f.kind for f in health["empty"].flags] == ["empty"]

    fresh = health["fresh"]
    assert fresh.last_run is None and fresh.status_text == "never crawled" and not fresh.flags
    assert len(flag_lines(health.values())) == 3


def test_one_failure_short_of_the_threshold_is_not_flagged(app: App, monkeypatch) -> None:
    _run(app, monkeypatch, "failing", 2, "failed")
    _run(app, monkeypatch, "failing", 1, "blocked", anti_bot="captcha")
    monkeypatch.setenv("XINQU_NOW", NOW.isoformat())
    with app.store.session() as session:
        failing = next(h for h in source_health(session, app.config) if h.name == "failing")
    assert failing.consecutive_failures == 2 and failing.flags == []


def test_status_command_shows_sources_jobs_and_last_issue(seeded: App) -> None:
    result = CliRunner().invoke(
        main,
        ["--config", str(seeded.config.directory), "--data", str(seeded.data_dir), "status"],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "scheduler: not running"
    failing = next(line for line in lines if line.startswith("failing "))
    assert "blocked by anti-bot (waf-challenge)" in failing and "failed 3 runs in a row" in failing
    silent = next(line for line in lines if line.startswith("silent "))
    assert "no new article for 30 days" in silent
    assert any(line.startswith("job crawl ") and "next run" in line for line in lines)
    assert any(line.startswith("job issue ") for line in lines)
    assert "last issue: none yet" in lines

    check = CliRunner().invoke(
        main,
        [
            "--config",
            str(seeded.config.directory),
            "--data",
            str(seeded.data_dir),
            "status",
            "--check",
        ],
    )
    assert check.exit_code == 1


def test_editor_is_alerted_once_per_condition(seeded: App) -> None:
    from xinqu.mail import alert_new_flags

    with seeded.store.session() as session:
        healths = source_health(session, seeded.config)
    first = alert_new_flags(seeded, healths)
    assert len(first) == 3
    (alert,) = list(seeded.outbox_dir.rglob("*.eml"))
    body = alert.read_bytes()
    assert b"editor@example.org" in body
    assert alert_new_flags(seeded, healths) == [], "the same conditions do not mail again"
    assert len(list(seeded.outbox_dir.rglob("*.eml"))) == 1
    for h in healths:
        h.flags = [f for f in h.flags if f.kind != "silent"]
    assert alert_new_flags(seeded, healths) == []
    with seeded.store.session() as session:
        again = source_health(session, seeded.config)
    assert [line for line in alert_new_flags(seeded, again) if "silent" in line], (
        "a condition that cleared and came back alerts again"
    )
