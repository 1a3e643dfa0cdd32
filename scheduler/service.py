"""`xinqu scheduler`: the long-running service that runs the cycle on the configured schedule.

APScheduler 3 keeps its jobs in the product's database (SQLAlchemyJobStore, table
``apscheduler_jobs``), so a run missed while the service was down is known at the
next start: with ``coalesce`` it runs once, and only when it is less than
``schedule.misfire_grace_seconds`` late. Jobs whose trigger is unchanged are kept
as stored (replacing them would forget the missed run); changed ones are replaced.

Only one service runs per database: it holds the lock ``scheduler`` (see
xinqu.store.locks) and a second one says so and exits, or waits with
``--wait``. Jobs:

- ``crawl``: every enabled source without a schedule of its own, on ``schedule.crawl``;
- ``crawl:<name>``: a source with its own ``schedule``;
- ``issue``: on ``schedule.issue``, process then build and send today's issue;
- ``approval`` (with ``digest.require_approval``): every minute, send an issue waiting for
  the editor once it is approved, or give it up at ``digest.approval_deadline``.

Each crawl is followed by processing and a health check that alerts the editor.
SIGTERM/SIGINT set one stop event: a send finishes its current message, a crawl
child is terminated, and the next start resumes an unfinished send.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import dataclass
from types import FrameType
from typing import Any

from scheduler.steps import crawl_step, issue_step, process_step, resume_unfinished
from xinqu.app import App
from xinqu.config import Config, cron_trigger
from xinqu.errors import LockHeldError
from xinqu.health import source_health
from xinqu.mail import alert_new_flags, send_alert
from xinqu.store.locks import Lease, holder

log = logging.getLogger(__name__)

LEADER_LOCK = "scheduler"
JOB_FUNC = "scheduler.service:run_job"
#: How often an issue waiting for the editor's approval is looked at (cron).
APPROVAL_CHECK = "* * * * *"

_current: Service | None = None


@dataclass(frozen=True)
class JobSpec:
    id: str
    kind: str  # crawl | issue | resume
    cron: str
    names: tuple[str, ...] = ()

    def trigger(self, config: Config) -> Any:
        return cron_trigger(self.cron, config.settings.tz)


def desired_jobs(config: Config) -> dict[str, JobSpec]:
    """The jobs the configuration asks for, by id."""
    schedule = config.settings.schedule
    own = [s for s in config.enabled_sources if s.schedule]
    jobs = [JobSpec("issue", "issue", schedule.issue)]
    if config.settings.digest.require_approval:
        jobs.append(JobSpec("approval", "resume", APPROVAL_CHECK))
    if len(own) < len(config.enabled_sources):
        jobs.append(JobSpec("crawl", "crawl", schedule.crawl))
    for source in own:
        assert source.schedule is not None
        jobs.append(JobSpec(f"crawl:{source.name}", "crawl", source.schedule, (source.name,)))
    return {job.id: job for job in jobs}


def run_job(kind: str, names: list[str]) -> None:
    """The function every stored job names (a text reference survives restarts)."""
    service = _current
    if service is None:
        log.warning("job %s fired with no service running; ignored", kind)
        return
    service.run(kind, tuple(names))


class Service:
    def __init__(self, app: App, *, verbose: int = 0) -> None:
        self.app = app
        self.verbose = verbose
        self.stop = threading.Event()
        settings = app.config.settings
        self.lease = Lease(app.store, ttl=settings.schedule.lock_ttl_seconds)
        self._crawl_mutex = threading.Lock()
        self._process_mutex = threading.Lock()
        self.scheduler: Any = None

    # -- leadership ---------------------------------------------------------------

    def acquire_leadership(self, *, wait: bool = False, poll: float = 2.0) -> None:
        """Take the ``scheduler`` lock, or raise LockHeldError (or wait for it)."""
        while not self.lease.acquire(LEADER_LOCK):
            with self.app.store.session() as session:
                info = holder(session, LEADER_LOCK)
            who = info.describe() if info else "another process"
            if not wait:
                raise LockHeldError(
                    f"another scheduler is running on this database ({who}); "
                    "exiting (use --wait to wait for it)"
                )
            log.info("waiting for the running scheduler (%s) to stop", who)
            if self.stop.wait(poll):
                raise LockHeldError("stopped while waiting for the running scheduler")

    # -- APScheduler ----------------------------------------------------------------

    def build_scheduler(self) -> Any:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.jobstores.memory import MemoryJobStore
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
        from apscheduler.schedulers.background import BackgroundScheduler

        schedule = self.app.config.settings.schedule
        return BackgroundScheduler(
            jobstores={
                "default": SQLAlchemyJobStore(
                    engine=self.app.store.engine, tablename="apscheduler_jobs"
                ),
                "volatile": MemoryJobStore(),
            },
            executors={"default": ThreadPoolExecutor(4)},
            job_defaults={
                "coalesce": True,
                "misfire_grace_time": schedule.misfire_grace_seconds,
                "max_instances": 1,
            },
            timezone=self.app.tz,
        )

    def sync_jobs(self) -> None:
        """Make the stored jobs match the configuration, keeping unchanged ones as stored."""
        config = self.app.config
        wanted = desired_jobs(config)
        for job in self.scheduler.get_jobs(jobstore="default"):
            if job.id not in wanted:
                log.info("removing job %s (no longer configured)", job.id)
                job.remove()
        for spec in wanted.values():
            trigger = spec.trigger(config)
            args = [spec.kind, list(spec.names)]
            stored = self.scheduler.get_job(spec.id)
            if (
                stored is not None
                and repr(stored.trigger) == repr(trigger)
                and list(stored.args) == args
                and stored.func_ref == JOB_FUNC
                and stored.misfire_grace_time == config.settings.schedule.misfire_grace_seconds
            ):
                log.info("job %s kept; next run %s", spec.id, stored.next_run_time)
                continue
            job = self.scheduler.add_job(
                JOB_FUNC, trigger, args=args, id=spec.id, name=spec.id, replace_existing=True
            )
            log.info("job %s scheduled (%s)", spec.id, spec.cron)
            del job

    # -- jobs --------------------------------------------------------------------

    def run(self, kind: str, names: tuple[str, ...]) -> None:
        if self.stop.is_set():
            return
        log.info("job %s started", kind)
        started = time.monotonic()
        try:
            if kind == "crawl":
                self._crawl(names)
            elif kind == "issue":
                self._issue()
            elif kind == "resume":
                self._resume()
            else:
                log.error("unknown job kind %r", kind)
        except Exception as exc:
            # One failing step must not stop the schedule; the next run tries again.
            log.error("job %s failed: %s: %s", kind, type(exc).__name__, exc)
            log.debug("job %s traceback", kind, exc_info=True)
        else:
            log.info("job %s finished in %.1fs", kind, time.monotonic() - started)

    def _crawl(self, names: tuple[str, ...]) -> None:

        with self._crawl_mutex:
            outcome = crawl_step(self.app, names, stop=self.stop, verbose=self.verbose)
        log.info(outcome.summary())
        if self.stop.is_set():
            return
        self._process()
        self._check_health()
        self._resume()

    def _process(self) -> None:

        with self._process_mutex:
            log.info("process: %s", process_step(self.app).summary())

    def _check_health(self) -> None:

        with self.app.store.session() as session:
            healths = source_health(session, self.app.config)
        try:
            alert_new_flags(self.app, healths)
        except Exception as exc:
            log.error("could not alert the editor: %s", exc)

    def _issue(self) -> None:

        with self._crawl_mutex:
            pass  # a crawl in progress finishes first, so the issue includes what it found
        try:
            self._process()
            issue_step(self.app, self.lease, stop=self.stop, report=log.info)
        except Exception as exc:
            self._alert("xinqu: the scheduled issue was not sent", f"{type(exc).__name__}: {exc}")
            raise

    def _alert(self, subject: str, text: str) -> None:

        try:
            send_alert(self.app, subject, text + "\n\nSee the log and `xinqu status`.")
        except Exception as exc:
            log.error("could not alert the editor: %s", exc)

    def _resume(self) -> None:

        resume_unfinished(self.app, self.lease, stop=self.stop, report=log.info)

    # -- the loop ----------------------------------------------------------------------

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.warning(
            "received %s: finishing the current step, then stopping", signal.strsignal(signum)
        )
        self.stop.set()

    def serve(self, *, wait: bool = False, install_signals: bool = True) -> None:
        """Run until SIGTERM/SIGINT (or ``stop`` is set), then shut down cleanly."""
        global _current
        if install_signals:
            signal.signal(signal.SIGTERM, self._on_signal)
            signal.signal(signal.SIGINT, self._on_signal)
        self.acquire_leadership(wait=wait)
        _current = self
        self.scheduler = self.build_scheduler()
        try:
            self.scheduler.start(paused=True)
            self.sync_jobs()
            self.scheduler.add_job(
                JOB_FUNC,
                args=["resume", []],
                id="resume",
                name="resume",
                jobstore="volatile",
                misfire_grace_time=None,
            )
            self.scheduler.resume()
            log.info("scheduler started (%s)", self.lease.owner)
            for job in self.scheduler.get_jobs():
                log.info("next run of %s: %s", job.id, job.next_run_time)
            while not self.stop.wait(0.5):
                if self.lease.lost.is_set():
                    log.error("another scheduler took over this database; stopping")
                    self.stop.set()
        finally:
            self.stop.set()
            if self.scheduler.running:
                self.scheduler.shutdown(wait=True)
            self.lease.close()
            _current = None
            log.info("scheduler stopped")
