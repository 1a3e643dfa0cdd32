"""The queue of double opt-in confirmation mails asked for on the sign-up page.

The page never talks to the mail server: it records the request
(``confirm-due:<subscriber id>`` in the service state) and answers at once, the
same answer in the same time whoever asks, so it reveals nothing about who is
subscribed and keeps working while SMTP is down. A worker thread beside the web
server (:class:`ConfirmationWorker`) sends what is due; a mail that fails stays
queued and is tried again, and only a mail the server took counts against the
limit of one per ``RESEND_AFTER`` (``confirm-sent:<subscriber id>``).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from xinqu import clock
from xinqu.app import App
from xinqu.errors import XinquError
from xinqu.mail.notices import send_confirmation
from xinqu.store.locks import delete_state, get_state, set_state, states_with_prefix
from xinqu.store.subscribers import subscriber_by_id

log = logging.getLogger(__name__)

#: A pending address gets at most one confirmation mail within this time.
RESEND_AFTER = timedelta(hours=1)
DUE = "confirm-due:"
SENT = "confirm-sent:"


def request_confirmation(session: Session, subscriber_id: int) -> None:
    """Queue a confirmation mail for a pending subscriber (sent by the worker)."""
    set_state(session, f"{DUE}{subscriber_id}", clock.now().isoformat())


def record_sent(session: Session, subscriber_id: int) -> None:
    set_state(session, f"{SENT}{subscriber_id}", clock.now().isoformat())


@dataclass
class ConfirmationRun:
    sent: int = 0
    failed: int = 0
    dropped: int = 0


def send_due_confirmations(app: App) -> ConfirmationRun:
    """Send every queued confirmation that is still wanted and not rate-limited."""
    run = ConfirmationRun()
    with app.store.session() as session:
        due = sorted(states_with_prefix(session, DUE))
    for key in due:
        subscriber_id = int(key.removeprefix(DUE))
        with app.store.session() as session:
            subscriber = subscriber_by_id(session, subscriber_id)
            last = get_state(session, f"{SENT}{subscriber_id}")
            recent = last is not None and clock.now() - datetime.fromisoformat(last) < RESEND_AFTER
            if subscriber is None or subscriber.state != "pending" or recent:
                delete_state(session, key)
                run.dropped += 1
                continue
            session.expunge(subscriber)
        try:
            send_confirmation(app, subscriber)
        except XinquError as exc:
            run.failed += 1
            log.error("confirmation to %s not sent yet (queued): %s", subscriber.email, exc)
            continue
        with app.store.session() as session:
            record_sent(session, subscriber_id)
            delete_state(session, key)
        run.sent += 1
        log.info("confirmation sent to %s", subscriber.email)
    return run


class ConfirmationWorker:
    """Sends queued confirmations in a background thread: at once when woken, and
    every ``retry_seconds`` while some are left (the mail server was down)."""

    def __init__(self, app: App, retry_seconds: float = 60.0) -> None:
        self.app = app
        self.retry_seconds = retry_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._mutex = threading.Lock()

    def start(self) -> None:
        with self._mutex:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="confirm", daemon=True)
                self._thread.start()

    def wake(self) -> None:
        self.start()
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                left = send_due_confirmations(self.app).failed
            except Exception:
                log.exception("sending queued confirmations failed; trying again later")
                left = 1
            self._wake.wait(self.retry_seconds if left else None)
