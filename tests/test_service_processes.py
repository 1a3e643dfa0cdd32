"""`xinqu scheduler` as real processes: leadership, seconds-scale schedules, restarts.

Schedules use six-field cron lines (seconds first). Exact-second schedules
("S M H * * *") fire once, a few seconds after start, so each test sees a
known number of runs. Every wait is bounded.
"""

from __future__ import annotations

import email
import os
import pickle
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import func, select, update

from xinqu.store import open_store
from xinqu.store.articles import CrawlRun, SourceRun
from xinqu.store.base import Store
from xinqu.store.locks import apscheduler_jobs, get_state, holder

TZ = ZoneInfo("Asia/Shanghai")


def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def at_second(delay: float) -> str:
    """A six-field cron line that fires once, ``delay`` seconds from now (daily)."""
    t = datetime.now(TZ) + timedelta(seconds=delay)
    return f"{t.second} {t.minute} {t.hour} * * *"


def far_away() -> str:
    """A daily schedule twelve hours from now: it never fires during a test."""
    return f"0 0 {(datetime.now(TZ).hour + 12) % 24} * * *"


class World:
    """A config, a data folder and the scheduler processes started on them."""

    def __init__(self, config: Path, data: Path) -> None:
        self.config = config
        self.data = data
        self.procs: list[subprocess.Popen[str]] = []
        self._outputs: list[Any] = []
        self._store: Store | None = None
        self._startup: float | None = None
        #: Seconds until the soonest schedule set by ``soon`` (waits add it to their limit).
        self.lead = 0.0

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(f"sqlite:///{self.data / 'xinqu.db'}")
        return self._store

    def soon(self, delay: float) -> str:
        """A once-a-day schedule ``delay`` seconds from now, or later on a loaded machine.

        An exact-second schedule whose second passes before the scheduler has started
        waits a day; so the lead is at least three times what starting the service's
        code takes here and now (measured once per test, on this machine's load).
        """
        if self._startup is None:
            started = time.monotonic()
            subprocess.run(
                [sys.executable, "-c", "import scheduler.service, scheduler.steps"], check=True
            )
            self._startup = time.monotonic() - started
        self.lead = max(delay, 3 * self._startup + 2)
        return at_second(self.lead)

    def cli(self, *args: str) -> list[str]:
        paths = ["--config", str(self.config), "--data", str(self.data)]
        return [sys.executable, "-m", "scheduler.cli", *paths, *args]

    def start(self, *args: str) -> subprocess.Popen[str]:
        output = (self.data.parent / f"scheduler-{len(self.procs)}.out").open("w")
        self._outputs.append(output)
        proc = subprocess.Popen(
            self.cli("-v", "scheduler", *args), stdout=output, stderr=subprocess.STDOUT, text=True
        )
        self.procs.append(proc)
        return proc

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.cli(*args), capture_output=True, text=True, timeout=60, check=False
        )

    def reschedule(self, **schedule: str) -> None:
        path = self.config / "settings.yaml"
        settings = yaml.safe_load(path.read_text("utf-8"))
        settings["schedule"].update(schedule)
        path.write_text(yaml.safe_dump(settings, allow_unicode=True), "utf-8")

    def leader_pid(self) -> int | None:
        with self.store.session() as session:
            info = holder(session, "scheduler")
        return int(info.owner.split(":")[1]) if info else None

    def log(self) -> str:
        path = self.data / "logs" / "xinqu.log"
        return path.read_text("utf-8") if path.exists() else ""

    def crawl_runs(self) -> list[CrawlRun]:
        with self.store.session() as session:
            return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))

    def state(self, key: str) -> str | None:
        with self.store.session() as session:
            return get_state(session, key)

    def eml_recipients(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for path in (self.data / "outbox").rglob("*.eml"):
            message = email.message_from_bytes(path.read_bytes())
            counts[email.utils.parseaddr(str(message["To"]))[1]] += 1
        return counts

    def stop(self, proc: subprocess.Popen[str], timeout: float = 30) -> int:
        proc.send_signal(signal.SIGTERM)
        return proc.wait(timeout=timeout)

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        for output in self._outputs:
            output.close()
        if self._store is not None:
            self._store.dispose()


@pytest.fixture
def world(site_server, make_config, frozen_now, tmp_path) -> Iterator[Callable[..., World]]:
    site = site_server("demo_trs")
    made: list[World] = []

    def make(**settings: Any) -> World:
        schedule = {"crawl": far_away(), "issue": far_away(), "lock_ttl_seconds": 6}
        schedule.update(settings.pop("schedule", {}))
        crawl = {"stop_grace_seconds": 2, **settings.pop("crawl", {})}
        config = make_config(
            [
                {
                    "name": "demo_trs",
                    "area": "西咸新区",
                    "site_name": "西咸新区官网",
                    "list_urls": [site.url("xwzx/index.html")],
                    "obey_robots": False,
                }
            ],
            schedule=schedule,
            crawl=crawl,
            **settings,
        )
        w = World(config, tmp_path / "data")
        made.append(w)
        return w

    yield make
    for w in made:
        w.close()


def test_leader_crawls_on_a_seconds_schedule_second_says_so_or_waits(world) -> None:
    w = world()
    w.reschedule(crawl=w.soon(4))
    first = w.start()
    wait_for(lambda: w.leader_pid() == first.pid, 30, "the first scheduler to lead")

    second = w.run("scheduler")
    assert second.returncode == 3
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("xinqu: another scheduler is running"), lines
    assert f"pid {first.pid}" in lines[0]

    waiting = w.start("--wait")
    wait_for(
        lambda: [r.status for r in w.crawl_runs()] == ["finished"],
        40 + w.lead,
        "the scheduled crawl",
    )
    with w.store.session() as session:
        runs = [(r.source, r.status, r.new) for r in session.scalars(select(SourceRun))]
    assert runs == [("demo_trs", "ok", 2)], "the crawl ran in a child and was recorded"
    wait_for(lambda: "waiting for the running scheduler" in w.log(), 30, "the waiter to wait")
    assert first.poll() is None, "the service outlives its jobs"
    assert waiting.poll() is None and w.leader_pid() == first.pid
    assert w.stop(first) == 0
    wait_for(lambda: w.leader_pid() == waiting.pid, 30, "the waiting scheduler to take over")
    assert w.stop(waiting) == 0


def _backdate(w: World, job_id: str, when: datetime) -> None:
    """Pretend the service was down since ``when``: the job's stored next run is then."""
    with w.store.engine.begin() as conn:
        blob = conn.scalar(
            select(apscheduler_jobs.c.job_state).where(apscheduler_jobs.c.id == job_id)
        )
        state = pickle.loads(blob)
        state["next_run_time"] = when.astimezone(TZ)
        conn.execute(
            update(apscheduler_jobs)
            .where(apscheduler_jobs.c.id == job_id)
            .values(job_state=pickle.dumps(state), next_run_time=when.timestamp())
        )


def _job_done(log: str, job_id: str) -> bool:
    return any(
        line.startswith(f'Job "{job_id} (trigger') and line.endswith("executed successfully")
        for line in (
            part.partition("apscheduler.executors.default: ")[2] for part in log.splitlines()
        )
    )


@pytest.mark.parametrize(("grace", "expected_runs"), [(3 * 86400, 1), (1, 0)])
def test_run_missed_while_down_runs_once_within_grace(world, grace, expected_runs) -> None:
    w = world(schedule={"misfire_grace_seconds": grace})
    proc = w.start()
    wait_for(lambda: w.leader_pid() == proc.pid, 30, "the scheduler to start")
    assert w.stop(proc) == 0
    _backdate(w, "crawl", datetime.now(UTC) - timedelta(days=3))  # three daily runs missed

    proc = w.start()
    if expected_runs:
        wait_for(lambda: _job_done(w.log(), "crawl"), 40, "the catch-up run")
        time.sleep(3)  # a second (uncoalesced) run would start at once
    else:
        wait_for(lambda: 'Run time of job "crawl' in w.log(), 30, "the missed-run notice")
    assert len(w.crawl_runs()) == expected_runs
    assert w.stop(proc) == 0


# --- the whole cycle: crawl, process, issue and mail --------------------------------------


READERS = [f"reader{i}@example.org" for i in range(6)]


def _subscribe(w: World) -> None:
    readers = w.data.parent / "readers.csv"
    readers.write_text("email\n" + "\n".join(READERS) + "\n", "utf-8")
    result = w.run("subscribers", "import", str(readers))
    assert result.returncode == 0, result.stderr


def _cycle_soon(w: World) -> None:
    """Crawl in 5 s and issue 2 s later, or later under load (the issue waits for a crawl)."""
    crawl = w.soon(5)
    w.reschedule(crawl=crawl, issue=at_second(w.lead + 2))


def _issue_done(w: World) -> bool:
    return (w.state(_issue_key()) or "").startswith("done:")


def _issue_key() -> str:
    return f"issue:{datetime.fromisoformat(os.environ['XINQU_NOW']).astimezone(TZ).date()}"


def test_schedule_runs_crawl_process_issue_and_sends_once(world) -> None:
    w = world()
    _subscribe(w)
    _cycle_soon(w)
    proc = w.start()
    wait_for(lambda: _issue_done(w), 45 + w.lead, "the issue sent")
    assert w.eml_recipients() == Counter(dict.fromkeys(READERS, 1))
    assert len(w.crawl_runs()) == 1
    assert w.stop(proc) == 0


def test_sigkill_during_send_then_restart_completes_without_duplicates(world) -> None:
    w = world(mail={"rate_per_second": 2})
    _subscribe(w)
    _cycle_soon(w)
    proc = w.start()
    wait_for(lambda: sum(w.eml_recipients().values()) >= 1, 45 + w.lead, "the send to start")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert (w.state(_issue_key()) or "").startswith("sending:")
    assert sum(w.eml_recipients().values()) < len(READERS), "killed too late to prove anything"

    restarted = w.start()
    wait_for(lambda: _issue_done(w), 45 + w.lead, "the resumed send")
    counts = w.eml_recipients()
    assert max(counts.values()) == 1, counts
    assert len(counts) >= len(READERS) - 1, counts  # at most one in doubt at the kill
    assert w.stop(restarted) == 0
    with w.store.session() as session:
        assert session.scalar(select(func.count()).select_from(apscheduler_jobs)) == 2


def test_sigterm_during_send_finishes_the_message_and_exits_cleanly(world) -> None:
    w = world(mail={"rate_per_second": 2})
    _subscribe(w)
    _cycle_soon(w)
    proc = w.start()
    wait_for(lambda: sum(w.eml_recipients().values()) >= 1, 45 + w.lead, "the send to start")
    assert w.stop(proc) == 0
    sent = w.eml_recipients()
    assert 1 <= sum(sent.values()) < len(READERS) and max(sent.values()) == 1, sent
    assert (w.state(_issue_key()) or "").startswith("sending:"), "left for the next start"
    with w.store.session() as session:
        assert holder(session, "scheduler") is None, "a clean stop releases the lock"


def test_two_schedulers_started_together_deliver_one_issue(world) -> None:
    w = world()
    _subscribe(w)
    _cycle_soon(w)
    a, b = w.start(), w.start()
    loser = wait_for(
        lambda: next((p for p in (a, b) if p.poll() is not None), None), 30, "one to exit"
    )
    winner = b if loser is a else a
    assert loser.returncode == 3
    wait_for(lambda: _issue_done(w), 45 + w.lead, "the issue sent")
    assert w.eml_recipients() == Counter(dict.fromkeys(READERS, 1))
    assert w.stop(winner) == 0
