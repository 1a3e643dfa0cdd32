"""The jobs a configuration asks for, and six-field (seconds) cron lines."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from scheduler.service import Service, desired_jobs
from xinqu.app import App
from xinqu.config import cron_trigger, load_config
from xinqu.errors import ConfigError
from xinqu.store.locks import apscheduler_jobs


def _source(name: str, **extra) -> dict:
    return {
        "name": name,
        "area": "西咸新区",
        "site_name": "西咸新区官网",
        "list_urls": [f"http://{name}.example.org/"],
        **extra,
    }


def test_sources_with_their_own_schedule_get_their_own_job(make_config) -> None:
    config = load_config(
        make_config(
            [
                _source("a"),
                _source("b", schedule="30 */2 * * *"),
                _source("c", schedule="0 8 * * *", enabled=False),
            ],
            schedule={"crawl": "0 */6 * * *", "issue": "0 9 * * 2"},
        )
    )
    jobs = desired_jobs(config)
    assert {(j.id, j.kind, j.cron, j.names) for j in jobs.values()} == {
        ("issue", "issue", "0 9 * * 2", ()),
        ("crawl", "crawl", "0 */6 * * *", ()),
        ("crawl:b", "crawl", "30 */2 * * *", ("b",)),
    }


def test_no_general_crawl_job_when_every_source_has_its_own(make_config) -> None:
    config = load_config(make_config([_source("a", schedule="0 1 * * *")]))
    assert sorted(desired_jobs(config)) == ["crawl:a", "issue"]


def test_cron_lines_fire_in_the_configured_timezone() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    start = datetime(2026, 11, 24, 8, 0, tzinfo=tz)  # a Tuesday
    assert cron_trigger("0 9 * * 2", tz).get_next_fire_time(None, start) == datetime(
        2026, 11, 24, 9, 0, tzinfo=tz
    )
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=tz)
    weekday = cron_trigger("0 7 * * 1-5", tz).get_next_fire_time(None, friday_evening)
    assert weekday == datetime(2026, 11, 30, 7, 0, tzinfo=tz), "crontab 1-5 is Monday-Friday"
    sunday = cron_trigger("0 7 * * 0", tz).get_next_fire_time(None, friday_evening)
    assert sunday == datetime(2026, 11, 29, 7, 0, tzinfo=tz)
    assert cron_trigger("0 7 * * 7", tz).get_next_fire_time(None, friday_evening) == sunday
    assert cron_trigger("*/5 * * * * *", tz).get_next_fire_time(None, start) == start
    assert cron_trigger("7 * * * * *", tz).get_next_fire_time(None, start).second == 7


def test_a_bad_cron_line_names_file_and_key(make_config) -> None:
    with pytest.raises(ConfigError, match=r"settings.yaml: schedule.issue: expected a cron"):
        load_config(make_config([_source("a")], schedule={"issue": "every tuesday"}))


def _synced(config_dir, data_dir) -> tuple[App, Service]:
    app = App(config_dir=config_dir, data_dir=data_dir)
    service = Service(app)
    service.scheduler = service.build_scheduler()
    service.scheduler.start(paused=True)
    service.sync_jobs()
    return app, service


def test_restart_keeps_unchanged_jobs_as_stored_and_replaces_changed_ones(
    make_config, tmp_path
) -> None:
    data = tmp_path / "data"
    sources = [_source("a"), _source("b", schedule="30 */2 * * *")]
    first = make_config(sources, schedule={"crawl": "0 */6 * * *", "issue": "0 9 * * 2"})
    app, service = _synced(first, data)
    service.scheduler.shutdown(wait=False)
    missed = datetime.now(ZoneInfo("Asia/Shanghai")).replace(microsecond=0) - timedelta(days=2)
    with app.store.engine.begin() as conn:  # as if the service had been down for two days
        for job_id, blob in conn.execute(
            select(apscheduler_jobs.c.id, apscheduler_jobs.c.job_state)
        ):
            state = pickle.loads(blob)
            state["next_run_time"] = missed
            conn.execute(
                update(apscheduler_jobs)
                .where(apscheduler_jobs.c.id == job_id)
                .values(job_state=pickle.dumps(state), next_run_time=missed.timestamp())
            )
    app.close()

    again = make_config(sources[:1], schedule={"crawl": "0 */4 * * *", "issue": "0 9 * * 2"})
    app, service = _synced(again, data)
    try:
        jobs = {job.id: job for job in service.scheduler.get_jobs()}
        assert sorted(jobs) == ["crawl", "issue"], "a source's own job goes with its schedule"
        assert jobs["issue"].next_run_time == missed, "unchanged: the missed run is kept"
        assert jobs["crawl"].next_run_time > missed + timedelta(days=1), "changed: rescheduled"
        assert "hour='*/4'" in repr(jobs["crawl"].trigger)
    finally:
        service.scheduler.shutdown(wait=False)
        app.close()
