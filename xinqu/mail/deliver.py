"""Sending an issue: exactly one copy to each active subscriber, resumable after any stop.

The per-recipient protocol and its one in-doubt window are described in
xinqu/store/deliveries.py. Here: plan a record for every active subscriber
who wants one of the issue's sections, recover what a killed run left in
``sending``, then send what is due over one transport, committing each state
change before taking the next step with the server.

One send of an issue runs at a time per *database*, whatever data folders the
processes use: a lease in the ``locks`` table (xinqu/store/locks.py; taken over at
once from a dead process on this host, after its TTL from one elsewhere), and each
record is claimed with a conditional UPDATE before its envelope, so even two
senders that both got past the lease could not send one record twice.

``workers=N`` splits one send run over N processes, each with its own SMTP
connection, sharing the records by claims (xinqu/store/deliveries.py); the
process that holds the lease plans, waits for them, takes over what a dead
worker left, and sends the editor copy.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import secrets
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from pathlib import Path
from queue import Empty
from typing import Any, Protocol

from xinqu.app import App
from xinqu.errors import DeliveryError, LockHeldError, XinquError
from xinqu.issue.build import DRAFT, issue_state
from xinqu.mail import tokens
from xinqu.mail.editions import Editions, reader_message
from xinqu.mail.editor import FINAL as EDITOR_FINAL
from xinqu.mail.editor import send_editor_copy
from xinqu.mail.message import Identity, identity, message_id_for
from xinqu.mail.notices import send_alert
from xinqu.mail.transport import (
    ConnectionLostError,
    MessageRejectedError,
    PermanentError,
    TemporaryError,
    Transport,
    open_transport,
)
from xinqu.store import deliveries
from xinqu.store.deliveries import Delivery, delivery_counts
from xinqu.store.issues import Issue
from xinqu.store.locks import Lease, holder
from xinqu.store.subscribers import Subscriber, active_subscribers, set_state

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    """What one ``send_issue`` call did, and where the issue stands afterwards."""

    issue_id: int
    issue_number: int
    transport: str
    dry_run: bool = False
    planned: int = 0
    recovered: int = 0
    sent: list[str] = field(default_factory=list)
    would_send: list[str] = field(default_factory=list)
    bounced: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    in_doubt: list[str] = field(default_factory=list)
    #: Records another run claimed first (two senders on one database).
    taken: list[str] = field(default_factory=list)
    #: Readers whose copy the server refused as a message (5xx after DATA): not bounces.
    rejected: list[tuple[str, str]] = field(default_factory=list)
    #: Why the run stopped sending this issue on purpose ("" when it did not).
    held: str = ""
    stopped: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    #: The editor copy (xinqu.mail.editor): "" without an editor, else its outcome.
    editor: str = ""

    @property
    def complete(self) -> bool:
        """Nothing left to send for this issue (bounces are final, not pending)."""
        c = self.counts
        return (
            not self.dry_run
            and not self.held
            and c.get("pending", 0) + c.get("failed", 0) + c.get("in_doubt", 0) == 0
            and self.editor in EDITOR_FINAL
        )

    def summary(self) -> str:
        if self.dry_run:
            line = (
                f"issue {self.issue_number}: dry run, would send {len(self.would_send)} "
                f"via {self.transport}"
            )
            return line + (f"; editor copy: {self.editor}" if self.editor else "")
        c = self.counts
        line = (
            f"issue {self.issue_number}: sent {len(self.sent)} now via {self.transport}; "
            f"total sent {c.get('sent', 0)}, pending {c.get('pending', 0)}, "
            f"bounced {c.get('bounced', 0)}, failed {c.get('failed', 0)}"
        )
        doubt = c.get("in_doubt", 0) or len(self.in_doubt)
        if doubt:
            line += (
                f", in doubt {doubt} (the server got the whole message but never answered: "
                "it may or may not have it; `xinqu digest send --resend-in-doubt` sends "
                "them again with the same Message-ID)"
            )
        if self.editor:
            line += f"; editor copy {self.editor}"
        if self.held:
            line += f"; held: {self.held}"
        elif self.stopped:
            line += " (stopped early; run again to finish)"
        return line


def issue_sections(issue: Issue) -> list[str] | None:
    """Keys of the sections with content in the issue, or None when not readable."""
    try:
        content = json.loads(issue.content)
        return [s["key"] for s in content["sections"] if s.get("items") or s.get("more")]
    except (ValueError, KeyError, TypeError):
        return None


def send_lock_name(issue_id: int) -> str:
    """The lease that makes one send of an issue run at a time on a database."""
    return f"send:issue-{issue_id}"


def _take_send_lease(app: App, issue: Issue) -> Lease:
    lease = Lease(app.store, ttl=app.config.settings.schedule.lock_ttl_seconds)
    name = send_lock_name(issue.id)
    if lease.acquire(name):
        return lease
    with app.store.session() as session:
        info = holder(session, name)
    who = info.describe() if info else "a process that just finished"
    raise LockHeldError(
        f"issue {issue.number} is already being sent from this database ({who}); "
        "nothing was sent by this run"
    )


#: A run holds the issue once the server has refused the message itself for this
#: many readers and for more than half of those it tried (a content rejection).
HOLD_AFTER_REJECTIONS = 3


class _Sender:
    """The loop over due records of one issue, with rate limit, retries and stop."""

    def __init__(
        self,
        app: App,
        issue: Issue,
        key: bytes,
        ident: Identity,
        report: DeliveryReport,
        stop: threading.Event,
        progress: Callable[[int, int], None] | None,
        *,
        lost: threading.Event | None = None,
        resend_in_doubt: bool = False,
        run_id: str = "",
        worker: str = "1",
        workers: int = 1,
    ) -> None:
        self.app = app
        self.issue = issue
        self.key = key
        self.ident = ident
        self.report = report
        self.stop = stop
        self.progress = progress
        mail = app.config.settings.mail
        self.retries = mail.retries
        self.backoff = mail.retry_backoff_seconds
        # The rate limit is the run's: each of N workers takes 1/N of it.
        self.interval = workers / mail.rate_per_second if mail.rate_per_second else 0.0
        self.claim_seconds = mail.claim_seconds
        self.run_id = run_id or new_run_id()
        self.worker = worker
        self._last = 0.0
        self.lost = lost or threading.Event()
        self.resend_in_doubt = resend_in_doubt
        self.tried = 0
        self.editions = Editions(app.config.settings, issue)

    #: How many records a worker claims at once, and how often an idle one looks again.
    BATCH = 20
    POLL_SECONDS = 0.5

    def _mark(self, delivery_id: int, state: str, **details: object) -> None:
        with self.app.store.session() as session:
            deliveries.mark(session, delivery_id, state, **details)  # type: ignore[arg-type]

    def _pace(self) -> bool:
        """Wait for the rate limit; False if asked to stop meanwhile."""
        if self.interval:
            wait = self._last + self.interval - time.monotonic()
            if wait > 0 and self.stop.wait(wait):
                return False
        self._last = time.monotonic()
        return not self.stop.is_set()

    def _claim_batch(self) -> list[Delivery]:
        with self.app.store.session() as session:
            ids = deliveries.claim_batch(
                session,
                self.issue.id,
                run=self.run_id,
                worker=self.worker,
                size=self.BATCH,
                claim_seconds=self.claim_seconds,
                resend_in_doubt=self.resend_in_doubt,
            )
            records = [session.get(Delivery, i) for i in ids]
            for record in records:
                session.expunge(record)
            return [r for r in records if r is not None]

    def _others_at_work(self) -> int:
        with self.app.store.session() as session:
            return deliveries.others_at_work(
                session, self.issue.id, run=self.run_id, worker=self.worker
            )

    def run(self, transport: Transport, total: int) -> None:
        """Claim and send batches until no record is due and no other worker holds one."""
        done = 0
        while True:
            batch = self._claim_batch()
            if not batch:
                if not self._others_at_work():
                    break
                if self.stop.wait(self.POLL_SECONDS) or self.lost.is_set():
                    self.report.stopped = True
                    return
                continue
            for record in batch:
                if self.progress is not None:
                    self.progress(done, max(total, done + 1))
                done += 1
                if self.stop.is_set() or self.lost.is_set():
                    self.report.stopped = True
                    return
                if self._should_hold(total):
                    return
                if not self._send_record(transport, record):
                    self.report.stopped = True
                    return
        self._should_hold(total)

    def _send_record(self, transport: Transport, record: Delivery) -> bool:
        with self.app.store.session() as session:
            subscriber = session.get(Subscriber, record.subscriber_id)
            if subscriber is None or subscriber.state != "active":
                state = subscriber.state if subscriber else "removed"
                deliveries.mark(session, record.id, "skipped", error=f"subscriber {state}")
                self.report.skipped.append(record.email)
                return True
            name, sections = subscriber.name, subscriber.sections
        msg = reader_message(
            self.app,
            self.key,
            self.ident,
            self.editions,
            subscriber_id=record.subscriber_id,
            email=record.email,
            name=name,
            sections=sections,
            message_id=record.message_id,
        )
        return self._send_one(transport, msg, record.id, record.subscriber_id, record.email)

    def _should_hold(self, due: int) -> bool:
        """Stop the issue when the server refuses the message itself for most readers."""
        rejected = len(self.report.rejected)
        if rejected < min(HOLD_AFTER_REJECTIONS, due) or rejected * 2 <= self.tried:
            return False
        reason = self.report.rejected[-1][1]
        self.report.held = (
            f"the server refused the message itself for {rejected} of {self.tried} readers "
            f"tried ({reason}); no address was marked bounced; fix the issue or ask the "
            "mail server's owner, then run `xinqu digest send` again"
        )
        self.report.stopped = True
        log.error("issue %s held: %s", self.issue.number, self.report.held)
        try:
            send_alert(
                self.app,
                f"xinqu: issue {self.issue.number} held, the mail server refuses it",
                f"Issue {self.issue.number}: {self.report.held}.",
            )
        except XinquError as exc:
            log.error("the alert about the held issue was not mailed: %s", exc)
        return True

    def _send_one(
        self,
        transport: Transport,
        msg: EmailMessage,
        delivery_id: int,
        subscriber_id: int,
        email: str,
    ) -> bool:
        """Send with bounded retries; False when a stop request cut the retries short."""
        sender = self.ident.sender.addr_spec
        resend = self.resend_in_doubt
        self.tried += 1
        for attempt in range(self.retries + 1):
            if not self._pace():
                return False
            with self.app.store.session() as session:
                claimed = deliveries.claim(
                    session,
                    delivery_id,
                    run=self.run_id,
                    worker=self.worker,
                    claim_seconds=self.claim_seconds,
                    resend_in_doubt=resend,
                )
            if not claimed:
                self.report.taken.append(email)
                log.warning("%s: another sender on this database has this copy; skipped", email)
                return True

            def before_commit() -> None:
                self._mark(delivery_id, "finishing")

            try:
                transport.send(msg, sender, email, before_commit)
            except DeliveryError:
                self._mark(delivery_id, "pending", error="run stopped: the server refused us")
                raise
            except PermanentError as exc:
                self._bounce(delivery_id, subscriber_id, email, exc)
                return True
            except MessageRejectedError as exc:
                self._mark(delivery_id, "failed", code=exc.code, error=str(exc))
                self.report.rejected.append((email, str(exc)))
                self.report.failed.append((email, str(exc)))
                log.warning("%s: the server refused the message (not a bounce): %s", email, exc)
                return True
            except ConnectionLostError as exc:
                if exc.maybe_delivered:
                    self.report.in_doubt.append(email)
                    log.warning("%s: in doubt after the end of data: %s", email, exc)
                    return True
                if not self._retry_later(delivery_id, email, attempt, None, exc):
                    return True
            except TemporaryError as exc:
                if not self._retry_later(delivery_id, email, attempt, exc.code, exc):
                    return True
            else:
                self._mark(delivery_id, "sent", code=250, error="")
                self.report.sent.append(email)
                return True
            resend = False
            log.info("%s: retrying", email)
            if self.stop.wait(self.backoff * 2**attempt):
                return False
        return True

    def _retry_later(
        self, delivery_id: int, email: str, attempt: int, code: int | None, exc: Exception
    ) -> bool:
        """Record a passing failure; True when another try is due now."""
        last = attempt == self.retries
        self._mark(delivery_id, "failed" if last else "pending", code=code, error=str(exc))
        if last:
            self.report.failed.append((email, str(exc)))
            log.warning("%s: gave up for now after %d tries: %s", email, attempt + 1, exc)
        return not last

    def _bounce(
        self, delivery_id: int, subscriber_id: int, email: str, exc: PermanentError
    ) -> None:
        with self.app.store.session() as session:
            deliveries.mark(session, delivery_id, "bounced", code=exc.code, error=str(exc))
            subscriber = session.get(Subscriber, subscriber_id)
            if subscriber is not None:
                set_state(session, subscriber, "bounced", f"issue {self.issue.number}: {exc}")
        self.report.bounced.append((email, str(exc)))
        log.warning("%s bounced: %s", email, exc)


def new_run_id() -> str:
    """One send run's id: the records it claims carry it, so it never re-takes its own."""
    return secrets.token_hex(8)


class _StopFlag(Protocol):
    def is_set(self) -> bool: ...
    def set(self) -> None: ...
    def wait(self, timeout: float | None = None) -> bool: ...


@dataclass(frozen=True)
class _WorkerJob:
    """What a worker process needs to join a send run (picklable)."""

    config_dir: Path | None
    data_dir: Path
    issue_id: int
    run_id: str
    worker: str
    workers: int
    total: int
    resend_in_doubt: bool


_REPORT_LISTS = ("sent", "bounced", "failed", "skipped", "in_doubt", "taken", "rejected")


def _watch_parent(stop: _StopFlag) -> None:
    """Stop after the current message when the process that started us is gone."""
    parent = os.getppid()
    while not stop.wait(1.0):
        if os.getppid() != parent:
            stop.set()


def _worker_main(job: _WorkerJob, stop: _StopFlag, results: Any) -> None:
    """Entry point of one send worker process: send claimed records, report back."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, frame: stop.set())
    threading.Thread(target=_watch_parent, args=(stop,), daemon=True).start()
    app = App(config_dir=job.config_dir, data_dir=job.data_dir)
    outcome: dict[str, Any] = {"worker": job.worker, "error": ""}
    try:
        with app.store.session() as session:
            issue = session.get(Issue, job.issue_id)
            if issue is None:
                raise XinquError(f"no issue with id {job.issue_id}")
            session.expunge(issue)
        report = DeliveryReport(issue.id, issue.number, app.config.settings.mail.transport)
        sender = _Sender(
            app,
            issue,
            tokens.secret(app),
            identity(app),
            report,
            stop,  # type: ignore[arg-type]
            None,
            resend_in_doubt=job.resend_in_doubt,
            run_id=job.run_id,
            worker=job.worker,
            workers=job.workers,
        )
        try:
            with open_transport(app) as transport:
                sender.run(transport, job.total)
        finally:
            outcome.update({k: getattr(report, k) for k in _REPORT_LISTS})
            outcome.update(held=report.held, stopped=report.stopped)
    except XinquError as exc:
        outcome["error"] = str(exc)
        outcome["delivery_error"] = isinstance(exc, DeliveryError)
    finally:
        app.close()
        results.put(outcome)


def _run_workers(
    app: App,
    issue: Issue,
    report: DeliveryReport,
    stop: threading.Event,
    lost: threading.Event | None,
    job: _WorkerJob,
) -> None:
    """Start ``job.workers`` processes on one run, wait for them, merge their reports."""
    context = multiprocessing.get_context("spawn")
    shared_stop = context.Event()
    results = context.Queue()
    processes = []
    for n in range(job.workers):
        worker_job = _WorkerJob(**{**asdict(job), "worker": str(n + 1)})
        process = context.Process(
            target=_worker_main,
            args=(worker_job, shared_stop, results),
            name=f"xinqu-send-{n + 1}",
        )
        process.start()
        processes.append(process)
    outcomes: list[dict[str, Any]] = []

    def drain(timeout: float) -> None:
        try:
            outcomes.append(results.get(timeout=timeout))
            while True:
                outcomes.append(results.get_nowait())
        except Empty:
            pass

    while any(p.is_alive() for p in processes) or len(outcomes) < len(processes):
        if stop.is_set() or (lost is not None and lost.is_set()):
            shared_stop.set()
        drain(0.5)
        if not any(p.is_alive() for p in processes):
            drain(0.5)
            break
    for process in processes:
        process.join()
    reported = {o["worker"] for o in outcomes}
    for n, process in enumerate(processes):
        if str(n + 1) not in reported:
            log.warning(
                "issue %s: send worker %d died (exit code %s); "
                "its messages are taken over once its claims expire",
                issue.number,
                n + 1,
                process.exitcode,
            )
    errors = []
    for outcome in outcomes:
        for name in _REPORT_LISTS:
            getattr(report, name).extend(
                tuple(x) if isinstance(x, list) else x for x in outcome.get(name, [])
            )
        report.held = report.held or outcome.get("held", "")
        report.stopped = report.stopped or bool(outcome.get("stopped"))
        if outcome["error"]:
            errors.append(outcome)
    for outcome in errors:
        if outcome.get("delivery_error"):
            raise DeliveryError(outcome["error"])
    if errors:
        raise XinquError(errors[0]["error"])


def send_issue(
    app: App,
    issue_id: int,
    *,
    dry_run: bool = False,
    stop: threading.Event | None = None,
    resend_in_doubt: bool = False,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
) -> DeliveryReport:
    """Deliver one built issue to every active subscriber who has not had it yet,
    then its editor copy to ``mail.editor`` (once; xinqu.mail.editor).

    ``stop`` is checked between messages (and during waits); ``progress`` is
    called with (handled, due) before each message; ``resend_in_doubt`` also sends
    messages whose acceptance was never confirmed (docs/mail.md); ``workers``
    processes share the sending (each its own SMTP connection).
    """
    if workers < 1:
        raise XinquError(f"--workers must be 1 or more, not {workers}")
    stop = stop or threading.Event()
    if app.config.settings.mail.transport == "outbox":
        # A file named by the Message-ID is written whole or not at all, so writing
        # an in-doubt one again cannot make a second copy.
        resend_in_doubt = True
    key = tokens.secret(app)
    ident = identity(app)
    with app.store.session() as session:
        issue = session.get(Issue, issue_id)
        if issue is None:
            raise XinquError(f"no issue with id {issue_id}; build one with `xinqu digest build`")
        if (
            app.config.settings.digest.require_approval
            and not dry_run
            and issue_state(session, issue) == DRAFT
        ):
            raise XinquError(
                f"issue {issue.number} is not approved (digest.require_approval): "
                "`xinqu digest show`, then `xinqu digest approve --editor NAME`"
            )
        session.expunge(issue)
    report = DeliveryReport(issue.id, issue.number, app.config.settings.mail.transport, dry_run)
    sections = issue_sections(issue)
    lease = None if dry_run else _take_send_lease(app, issue)
    try:
        with app.store.session() as session:
            wanted = [
                s for s in active_subscribers(session) if sections is None or s.wants(sections)
            ]
            recipients = [(s.id, s.email, message_id_for(key, ident, issue, s.id)) for s in wanted]
            if dry_run:
                done = {
                    d.subscriber_id
                    for d in session.query(Delivery).filter(Delivery.issue_id == issue.id)
                    if d.state not in (*deliveries.DUE, "sending")
                }
                report.would_send = [email for sid, email, _ in recipients if sid not in done]
                report.counts = delivery_counts(session, issue.id)
            else:
                report.planned = deliveries.plan(session, issue.id, recipients)
                report.recovered = deliveries.recover(session, issue.id)
                total = len(deliveries.due(session, issue.id, resend_in_doubt=resend_in_doubt))
                report.in_doubt = [d.email for d in deliveries.in_doubt(session, issue.id)]
        if dry_run:
            report.editor = send_editor_copy(app, issue, key, ident, dry_run=True)
            return report
        if report.recovered:
            log.warning(
                "issue %s: %d message(s) interrupted before the server took them; sending again",
                issue.number,
                report.recovered,
            )
        if resend_in_doubt:
            report.in_doubt = []
        if total:
            run_id = new_run_id()
            lost = lease.lost if lease else None
            try:
                if workers > 1:
                    job = _WorkerJob(
                        app.config_dir,
                        app.data_dir,
                        issue.id,
                        run_id,
                        "",
                        workers,
                        total,
                        resend_in_doubt,
                    )
                    _run_workers(app, issue, report, stop, lost, job)
                    with app.store.session() as session:
                        left = deliveries.left_in_run(
                            session, issue.id, run=run_id, resend_in_doubt=resend_in_doubt
                        )
                else:
                    left = total
                if left and stop.is_set():
                    report.stopped = True
                elif left and not report.held and not report.stopped:
                    # One worker, or what dead workers left once their claims expire.
                    with open_transport(app) as transport:
                        _Sender(
                            app,
                            issue,
                            key,
                            ident,
                            report,
                            stop,
                            progress,
                            lost=lost,
                            resend_in_doubt=resend_in_doubt,
                            run_id=run_id,
                            worker="lead",
                            workers=1,
                        ).run(transport, total)
            except DeliveryError as exc:
                with app.store.session() as session:
                    counts = delivery_counts(session, issue.id)
                raise DeliveryError(
                    f"{exc} (issue {issue.number}: {counts['sent']} sent, "
                    f"{counts['pending'] + counts['failed']} still to send; nothing is lost)"
                ) from None
        if report.stopped or stop.is_set():
            if app.config.settings.mail.editor:
                report.editor = "not yet (after the readers)"
        else:
            report.editor = send_editor_copy(
                app, issue, key, ident, resend_in_doubt=resend_in_doubt
            )
        with app.store.session() as session:
            report.counts = delivery_counts(session, issue.id)
        return report
    finally:
        if lease is not None:
            lease.close()
