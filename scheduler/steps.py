"""The cycle's steps: crawl (child process) → process → build the issue → send it.

Each step reads what the previous one stored, so the scheduler, `xinqu run-once`
and `xinqu demo` all run the same functions. A crawl always runs as a child
`xinqu crawl` process: Twisted's reactor cannot restart inside one process, and a
hung crawl can then be killed without taking the service with it.

An issue is built and sent under the database lock ``issue:<date>``, and its
progress is kept in the service state under the same key (``sending:<id>`` then
``done:<id>``): a second process never sends the same period, and a send cut
short (SIGTERM, SIGKILL, power loss) is resumed by the next start.

A step that fails raises :class:`StepError`, one line naming the step and the
cause (the CLI prints it as ``xinqu: build failed: …``); the failure is also kept
in the service state as ``failed:<step>`` until that step next succeeds, so
`xinqu status` shows what the scheduler met while nobody was watching.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select

from scheduler.orphans import child_env
from xinqu import clock
from xinqu.app import App
from xinqu.errors import XinquError
from xinqu.issue import build_issue
from xinqu.issue.build import DRAFT, issue_state
from xinqu.mail import DeliveryReport, send_alert, send_issue
from xinqu.process import ProcessReport, run_process
from xinqu.store.articles import CrawlRun, SourceRun
from xinqu.store.issues import issue_by_id
from xinqu.store.locks import Lease, delete_state, get_state, set_state, states_with_prefix

log = logging.getLogger(__name__)

Report = Callable[[str], None]


def _quiet(_line: str) -> None:
    pass


FAILURE_PREFIX = "failed:"


class StepError(XinquError):
    """A step of the cycle failed: ``<step> failed: <cause in one line>``."""

    def __init__(self, step: str, cause: BaseException) -> None:
        if isinstance(cause, XinquError):
            reason = str(cause)
            self.exit_code = cause.exit_code
        else:
            reason = f"{type(cause).__name__}: {cause}"
        self.step = step
        self.reason = " ".join(reason.split())
        super().__init__(f"{step} failed: {self.reason}")


def _remember_failure(app: App, step: str, message: str | None) -> None:
    """Keep (message) or clear (None) the step's last failure; never raises."""
    try:
        with app.store.session() as session:
            if message is None:
                delete_state(session, FAILURE_PREFIX + step)
            else:
                set_state(session, FAILURE_PREFIX + step, f"{clock.now().isoformat()} {message}")
    except Exception as exc:  # the store may be what failed
        log.error("could not record the %s step's outcome: %s", step, exc)


def step_failures(app: App) -> dict[str, tuple[str, str]]:
    """Each step's last unresolved failure: step -> (ISO time, message)."""
    with app.store.session() as session:
        states = states_with_prefix(session, FAILURE_PREFIX)
    out = {}
    for key, value in sorted(states.items()):
        when, _, message = value.partition(" ")
        out[key.removeprefix(FAILURE_PREFIX)] = (when, message)
    return out


@contextlib.contextmanager
def step(app: App, name: str) -> Iterator[None]:
    """Run a step: a failure becomes a StepError and is remembered; success clears it.

    Its start and its end (with how long it took, or why it failed) are logged at INFO.
    """
    log.info("%s: started", name)
    started = time.monotonic()
    try:
        yield
    except StepError as exc:
        log.info("%s: failed after %.1fs: %s", name, time.monotonic() - started, exc)
        raise
    except Exception as exc:
        error = StepError(name, exc)
        log.info("%s: failed after %.1fs: %s", name, time.monotonic() - started, error.reason)
        log.debug("%s", error, exc_info=True)
        _remember_failure(app, name, error.reason)
        raise error from exc
    log.info("%s: done in %.1fs", name, time.monotonic() - started)
    _remember_failure(app, name, None)


@dataclass
class CrawlOutcome:
    """How a crawl child ended: ``finished``, ``failed``, ``hung`` (killed) or ``stopped``."""

    status: str
    returncode: int | None
    seconds: float
    runs: list[SourceRun] = field(default_factory=list)
    output: str = ""

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for run in self.runs:
            counts[run.status] = counts.get(run.status, 0) + 1
        parts = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "no sources"
        new = sum(run.new for run in self.runs)
        return f"crawl {self.status} in {self.seconds:.1f} s: {parts}, {new} new articles"


def crawl_command(app: App, names: Sequence[str] = (), verbose: int = 0) -> list[str]:
    command = [sys.executable, "-m", "scheduler.cli"]
    command += ["--config", str(app.config.directory), "--data", str(app.data_dir)]
    command += ["-v"] * min(verbose, 2)
    command.append("crawl")
    for name in names:
        command += ["--source", name]
    return command


def _signal_group(proc: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signum)


def _end_child(proc: subprocess.Popen[bytes], grace: float) -> None:
    """Stop a crawl child: SIGTERM, SIGTERM again, then SIGKILL, ``grace`` seconds apart.

    Scrapy takes the first SIGTERM as "finish in-flight requests and close the
    spiders" (which records their runs), the second as "stop now"; a child that
    ignores both is killed.
    """
    for signum in (signal.SIGTERM, signal.SIGTERM, signal.SIGKILL):
        _signal_group(proc, signum)
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue
    proc.wait()


def crawl_step(
    app: App,
    names: Sequence[str] = (),
    *,
    stop: threading.Event | None = None,
    hang_timeout: float | None = None,
    verbose: int = 0,
) -> CrawlOutcome:
    """Run one crawl as a child process and wait for it, killing it if it hangs.

    A child killed for hanging, or stopped because the service is shutting down,
    has its crawl run and any source run still marked ``running`` recorded as
    ``interrupted`` with the reason.
    """
    limit = hang_timeout or app.config.settings.crawl.hang_timeout_seconds
    grace = app.config.settings.crawl.stop_grace_seconds
    with app.store.session() as session:
        before = session.scalar(select(func.max(CrawlRun.id))) or 0
    started = time.monotonic()
    status = "finished"
    with tempfile.TemporaryFile() as output:
        proc = subprocess.Popen(
            crawl_command(app, names, verbose),
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=child_env(grace),
        )
        log.info("crawl started (pid %s, sources: %s)", proc.pid, ", ".join(names) or "all")
        while True:
            try:
                proc.wait(timeout=0.25)
                break
            except subprocess.TimeoutExpired:
                pass
            if stop is not None and stop.is_set():
                status = "stopped"
                _end_child(proc, grace)
                break
            if time.monotonic() - started > limit:
                status = "hung"
                log.error("crawl pid %s still running after %.0f s: killing it", proc.pid, limit)
                _end_child(proc, grace)
                break
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    seconds = time.monotonic() - started
    if status == "finished" and proc.returncode not in (0, 1):
        status = "failed"
    for line in text.splitlines():
        if line.strip():
            log.debug("crawl: %s", line.rstrip())
    reason = {
        "hung": f"crawl killed: still running after {limit:.0f} s",
        "stopped": "crawl stopped: the service is shutting down",
        "failed": f"crawl process exited with status {proc.returncode}",
    }.get(status)
    runs = _record_crawl_end(app, before, reason)
    if status == "failed" and not runs:
        log.error("crawl exited with status %s: %s", proc.returncode, text.strip()[-500:])
    if status in ("failed", "hung"):
        _remember_failure(app, "crawl", reason)
    elif status == "finished":
        _remember_failure(app, "crawl", None)
    return CrawlOutcome(status, proc.returncode, seconds, runs, text)


def _record_crawl_end(app: App, before: int, reason: str | None) -> list[SourceRun]:
    """The child's source runs; whatever it left ``running`` is recorded as interrupted."""
    default = reason or "crawl process ended before recording this run"
    with app.store.session() as session:
        crawl_runs = list(session.scalars(select(CrawlRun).where(CrawlRun.id > before)))
        runs = list(
            session.scalars(
                select(SourceRun)
                .where(SourceRun.run_id.in_([r.id for r in crawl_runs]))
                .order_by(SourceRun.source)
            )
        )
        for run in runs:
            if run.status == "running" or (reason and run.status == "interrupted"):
                run.status = "interrupted"
                run.finished_at = run.finished_at or clock.now()
                run.error_message = run.error_message or default
        for crawl_run in crawl_runs:
            if crawl_run.status == "running" or (reason and crawl_run.status == "finished"):
                crawl_run.status = "interrupted"
                crawl_run.finished_at = crawl_run.finished_at or clock.now()
    return runs


def process_step(app: App) -> ProcessReport:
    """Dedupe and classify what was crawled (xinqu.process.run_process)."""

    with step(app, "process"):
        return run_process(app)


def issue_key(issue_date: date) -> str:
    return f"issue:{issue_date.isoformat()}"


def issue_date_today(app: App) -> date:
    return clock.now(app.tz).date()


@dataclass
class IssueOutcome:
    """``sent``; ``stopped`` or ``incomplete`` (resumed by the next run); ``already``; ``busy``;
    with ``digest.require_approval``: ``waiting`` (for the editor) or ``missed`` (the
    approval deadline passed: nothing sent)."""

    status: str
    issue_id: int | None = None
    number: int | None = None
    delivery: DeliveryReport | None = None


def issue_step(
    app: App,
    lease: Lease,
    *,
    issue_date: date | None = None,
    stop: threading.Event | None = None,
    report: Report = _quiet,
) -> IssueOutcome:
    """Build the issue of ``issue_date`` (default today) and send it, at most once.

    With ``digest.require_approval`` it is sent only once the editor approved it: until
    then it waits (``waiting:<id>``, checked again by ``resume_unfinished``), and past
    ``digest.approval_deadline`` it is given up (see ``_await_approval``).
    """
    day = issue_date or issue_date_today(app)
    key = issue_key(day)
    if not lease.acquire(key):
        report(f"issue: another process is building or sending the issue of {day}; skipped")
        return IssueOutcome("busy")
    try:
        with app.store.session() as session:
            state = get_state(session, key)
        if state and state.startswith("done:"):
            issue_id = int(state.partition(":")[2])
            report(f"issue: the issue of {day} was already sent (issue id {issue_id})")
            return IssueOutcome("already", issue_id)
        if state and state.startswith(MISSED):
            issue_id = int(state.partition(":")[2])
            report(f"issue: the issue of {day} was not approved in time; nothing sent")
            return IssueOutcome("missed", issue_id)
        if state and state.startswith("sending:"):
            issue_id = int(state.partition(":")[2])
            report(f"build: resuming the unfinished send of issue id {issue_id}")
            number = None
        else:
            if state and state.startswith(WAITING):
                issue_id, number = int(state.partition(":")[2]), None
            else:
                with step(app, "build"):
                    issue = build_issue(app, issue_date=day)
                issue_id, number = issue.id, issue.number
                report(f"build: issue {number} of {day} ({issue.since} – {issue.until})")
            if app.config.settings.digest.require_approval:
                waiting = _await_approval(app, key, day, issue_id, report)
                if waiting is not None:
                    return waiting
            with app.store.session() as session:
                set_state(session, key, f"sending:{issue_id}")
        return _send(app, key, issue_id, number, stop=stop, report=report)

    finally:
        lease.release(key)


#: Service states of an issue waiting for the editor's approval, and of one not approved
#: by ``digest.approval_deadline`` (never sent by the scheduler).
WAITING, MISSED = "waiting:", "missed:"
#: The editor was mailed that issue ``<id>`` is ready for review (service state prefix).
REVIEW_MAILED = "review-mailed:"


def review_url(app: App, number: int) -> str:
    """Where the editor reviews issue ``number`` on the web face."""
    return f"{str(app.config.settings.web.base_url).rstrip('/')}/editor/issues/{number}"


def _await_approval(
    app: App, key: str, day: date, issue_id: int, report: Report
) -> IssueOutcome | None:
    """With ``digest.require_approval``: None when the issue may be sent now, else why not.

    The issue waits as ``waiting:<id>`` under ``key``; the first time, the editor is
    mailed that the draft is ready, with its review link (``review-mailed:<id>`` records
    it). Past the day's ``digest.approval_deadline`` the issue of ``key`` is given up
    (``missed:<id>``: the scheduler never sends it) and the editor is alerted, once. A
    mail that cannot be handed over raises, and the next check tries it again.
    """
    settings = app.config.settings
    with app.store.session() as session:
        issue = issue_by_id(session, issue_id)
        if issue is None:
            delete_state(session, key)
            raise StepError("approval", XinquError(f"issue id {issue_id} is gone"))
        number, state = issue.number, issue_state(session, issue)
        if state == DRAFT and get_state(session, key) != f"{WAITING}{issue_id}":
            for other, value in states_with_prefix(session, "issue:").items():
                if value == f"{WAITING}{issue_id}":
                    delete_state(session, other)  # the draft moved on to this period
            set_state(session, key, f"{WAITING}{issue_id}")
        mailed = get_state(session, f"{REVIEW_MAILED}{issue_id}") is not None
    if state != DRAFT:
        return None  # approved (or its sending began): send it
    deadline = settings.digest.deadline
    tz = app.tz
    if deadline is not None and clock.now(tz) >= datetime.combine(day, deadline, tzinfo=tz):
        send_alert(
            app,
            f"xinqu: issue {number} was not approved by {settings.digest.approval_deadline}; "
            "nothing was sent",
            f"Issue {number} of {day} was still a draft at the approval deadline "
            f"({settings.digest.approval_deadline}), so the scheduler sent it to nobody.\n\n"
            f"Review it: {review_url(app, number)} (or `xinqu digest show --issue {number}`);\n"
            f"to send it anyway: `xinqu digest approve --issue {number} --editor NAME`, "
            f"then `xinqu digest send --issue {number}`.",
        )
        with app.store.session() as session:
            set_state(session, key, f"{MISSED}{issue_id}")
        report(f"issue: issue {number} not approved by the deadline; nothing sent, editor alerted")
        return IssueOutcome("missed", issue_id, number)
    if not mailed:
        until = f" by {settings.digest.approval_deadline}" if deadline is not None else ""
        send_alert(
            app,
            f"xinqu: issue {number} is ready for your review",
            f"The draft of issue {number} of {day} is built and waits for your approval{until}; "
            "only an approved issue is sent.\n\n"
            f"Review it: {review_url(app, number)}\n"
            f"or on the command line: `xinqu digest show --issue {number}`, "
            f"`xinqu digest edit …`, `xinqu digest approve --issue {number} --editor NAME`.",
        )
        with app.store.session() as session:
            set_state(session, f"{REVIEW_MAILED}{issue_id}", clock.now().isoformat())
        report(f"issue: issue {number} waits for the editor's approval (editor mailed)")
    return IssueOutcome("waiting", issue_id, number)


def _send(
    app: App,
    key: str,
    issue_id: int,
    number: int | None,
    *,
    stop: threading.Event | None,
    report: Report,
) -> IssueOutcome:

    with step(app, "send"):
        delivery = send_issue(app, issue_id, stop=stop, workers=app.config.settings.mail.workers)
    stopped = delivery.stopped or (stop is not None and stop.is_set())
    if stopped or not delivery.complete:
        status = "stopped" if stopped else "incomplete"
        report(f"send: {delivery.summary()}; {status}, the next run resumes it")
        return IssueOutcome(status, issue_id, number, delivery)
    with app.store.session() as session:
        set_state(session, key, f"done:{issue_id}")
    report(f"send: {delivery.summary()}")
    return IssueOutcome("sent", issue_id, number, delivery)


def resume_unfinished(
    app: App, lease: Lease, *, stop: threading.Event | None = None, report: Report = _quiet
) -> list[IssueOutcome]:
    """Finish every send a previous process started and did not complete; send each
    issue waiting for approval that the editor approved since (or give it up at its
    deadline)."""
    with app.store.session() as session:
        pending = {
            k: v
            for k, v in states_with_prefix(session, "issue:").items()
            if v.startswith(("send", WAITING))
        }
    outcomes = []
    for key in sorted(pending):
        if stop is not None and stop.is_set():
            break
        day = date.fromisoformat(key.partition(":")[2])
        outcomes.append(issue_step(app, lease, issue_date=day, stop=stop, report=report))
    return outcomes


@dataclass
class CycleOutcome:
    crawl: CrawlOutcome | None = None
    process: ProcessReport | None = None
    issue: IssueOutcome | None = None


def run_cycle(
    app: App,
    *,
    lease: Lease,
    stop: threading.Event | None = None,
    names: Sequence[str] = (),
    issue_date: date | None = None,
    verbose: int = 0,
    report: Report = _quiet,
) -> CycleOutcome:
    """crawl → process → build → send, once, reporting one line per step."""
    outcome = CycleOutcome()
    report("crawl: running ...")
    outcome.crawl = crawl_step(app, names, stop=stop, verbose=verbose)
    for run in outcome.crawl.runs:
        line = f"  {run.source:<16} {run.status:<11} new={run.new} errors={run.errors}"
        if run.anti_bot:
            line += f" blocked by anti-bot ({run.anti_bot})"
        if run.error_message:
            line += f" — {run.error_message}"
        report(line)
    report(outcome.crawl.summary())
    if stop is not None and stop.is_set():
        return outcome
    outcome.process = process_step(app)
    report(f"process: {outcome.process.summary()}")
    outcome.issue = issue_step(app, lease, issue_date=issue_date, stop=stop, report=report)
    return outcome
