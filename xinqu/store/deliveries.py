"""Deliveries: one record per issue and recipient, so every reader gets exactly one copy.

This module owns the table ``deliveries``. A record moves through

    pending ─► sending ─► finishing ─► sent
                  │           │
                  │           ├─► pending (the connection broke before the server read
                  │           │   the final ``.``: sent again)
                  │           └─► stays ``finishing`` = in doubt (no answer after the ``.``)
                  ├─► failed (4xx, or the message itself refused with a 5xx after DATA;
                  │   the next run tries again)
                  └─► bounced (5xx to ``RCPT TO``: the address is refused)

and every arrow is committed before the next step with the server is taken:

- ``sending`` is *claimed* (one conditional UPDATE from a due state) before
  ``MAIL FROM``, so two runs on one database, whatever their data folders, can
  never both send a record; the server has at most an unfinished transaction,
  which it discards when the connection drops (RFC 5321 §4.1.1.4), so on resume
  a ``sending`` record is simply sent again;
- ``finishing`` is committed after the whole body went out and *before* the final
  ``.`` that asks the server to take the message; ``sent`` only on the server's
  250 to that ``.``.

A record left in ``finishing`` is *in doubt*: the ``.`` went out and no answer came
(the process died, or the server closed without answering). It is **not** counted
as sent; ``xinqu digest send`` names it and exits 1, and ``--resend-in-doubt``
sends it again with the same Message-ID, which mail clients collapse.

Several send workers (``xinqu digest send --workers N``, one send *run*) share the
records of an issue by *claims*: a worker takes a batch of due records with one
``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite serialises writers, and the
UPDATE re-checks its condition either way), marking them ``claimed_by`` itself until
``claim_until``. Only the claim's holder may move a record to ``sending``, and that
move renews the claim, so a record is in ``sending`` for one worker at a time. A
worker that dies stops renewing; once its claims expire the others take its records
over — a ``sending`` one too, which is safe for the reason above (the server dropped
the unfinished transaction). A record the run has finished with (sent, bounced,
failed for now, skipped) has no claim and is not taken again by the same run.
Claims measure whether a process is alive, so they read the real clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    case,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from xinqu.clock import now
from xinqu.store.base import Base, UTCDateTime

#: States a record can be in; ``failed`` (temporary) and ``pending`` are sent by the next run.
STATES = ("pending", "sending", "finishing", "sent", "bounced", "failed", "skipped")
DUE = ("pending", "failed")


class Delivery(Base):
    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("issue_id", "subscriber_id", name="uq_delivery_recipient"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id"), index=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), doc="the address the copy went to")
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    state: Mapped[str] = mapped_column(String(16), index=True, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The send run that last claimed the record, its worker, and until when (real time).
    send_run: Mapped[str | None] = mapped_column(String(32))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claim_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


def plan(session: Session, issue_id: int, recipients: Iterable[tuple[int, str, str]]) -> int:
    """Add a pending record for each (subscriber id, email, message id) not yet planned."""
    known = set(
        session.scalars(select(Delivery.subscriber_id).where(Delivery.issue_id == issue_id))
    )
    stamp = now()
    added = 0
    for subscriber_id, email, message_id in recipients:
        if subscriber_id in known:
            continue
        session.add(
            Delivery(
                issue_id=issue_id,
                subscriber_id=subscriber_id,
                email=email,
                message_id=message_id,
                state="pending",
                attempts=0,
                planned_at=stamp,
            )
        )
        added += 1
    session.flush()
    return added


def recover(session: Session, issue_id: int) -> int:
    """Put records a killed run left in ``sending`` back to pending; returns how many."""
    stuck = session.scalars(
        select(Delivery).where(Delivery.issue_id == issue_id, Delivery.state == "sending")
    ).all()
    for record in stuck:
        record.state = "pending"
        record.last_error = "interrupted before the server took the message; sent again"
    return len(stuck)


def due(session: Session, issue_id: int, *, resend_in_doubt: bool = False) -> list[Delivery]:
    states = (*DUE, "finishing") if resend_in_doubt else DUE
    return list(
        session.scalars(
            select(Delivery)
            .where(Delivery.issue_id == issue_id, Delivery.state.in_(states))
            .order_by(Delivery.id)
        )
    )


def _wall() -> datetime:
    return datetime.now(UTC)


def _claimable(issue_id: int, run: str, worker: str, states: tuple[str, ...], at: datetime):  # type: ignore[no-untyped-def]
    """Records of the issue this worker may claim now.

    Due records this run has not tried yet, and records whose claim another worker
    let expire (it died) while they were due or in ``sending``.
    """
    fresh = and_(
        Delivery.state.in_(states),
        or_(Delivery.send_run.is_(None), Delivery.send_run != run),
    )
    abandoned = and_(
        Delivery.state.in_((*states, "sending")),
        Delivery.send_run == run,
        Delivery.claimed_by != worker,
        Delivery.claim_until < at,
    )
    return and_(Delivery.issue_id == issue_id, or_(fresh, abandoned))


def claim_batch(
    session: Session,
    issue_id: int,
    *,
    run: str,
    worker: str,
    size: int,
    claim_seconds: float,
    resend_in_doubt: bool = False,
) -> list[int]:
    """Claim up to ``size`` records for ``worker``; their ids in order (empty: none left)."""
    states = (*DUE, "finishing") if resend_in_doubt else DUE
    at = _wall()
    condition = _claimable(issue_id, run, worker, states, at)
    candidates = list(
        session.scalars(
            select(Delivery.id)
            .where(condition)
            .order_by(Delivery.id)
            .limit(size)
            .with_for_update(skip_locked=True)
        )
    )
    if not candidates:
        return []
    session.execute(
        update(Delivery)
        .where(Delivery.id.in_(candidates), condition)
        .values(
            state=case((Delivery.state == "sending", "pending"), else_=Delivery.state),
            send_run=run,
            claimed_by=worker,
            claim_until=at + timedelta(seconds=claim_seconds),
        )
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return list(
        session.scalars(
            select(Delivery.id)
            .where(
                Delivery.id.in_(candidates),
                Delivery.send_run == run,
                Delivery.claimed_by == worker,
            )
            .order_by(Delivery.id)
        )
    )


def others_at_work(session: Session, issue_id: int, *, run: str, worker: str) -> int:
    """Records other workers of the run hold and have not finished (alive or not yet expired)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(
                Delivery.issue_id == issue_id,
                Delivery.send_run == run,
                Delivery.claimed_by != worker,
                Delivery.claim_until.is_not(None),
                Delivery.state.in_((*DUE, "sending")),
            )
        )
        or 0
    )


def left_in_run(session: Session, issue_id: int, *, run: str, resend_in_doubt: bool = False) -> int:
    """Records a run still has to see: never claimed by it, or claimed and unfinished."""
    states = (*DUE, "finishing") if resend_in_doubt else DUE
    fresh = and_(
        Delivery.state.in_(states),
        or_(Delivery.send_run.is_(None), Delivery.send_run != run),
    )
    held = and_(
        Delivery.send_run == run,
        Delivery.claim_until.is_not(None),
        Delivery.state.in_((*DUE, "sending")),
    )
    return int(
        session.scalar(
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.issue_id == issue_id, or_(fresh, held))
        )
        or 0
    )


def claim(
    session: Session,
    delivery_id: int,
    *,
    run: str,
    worker: str,
    claim_seconds: float,
    resend_in_doubt: bool = False,
) -> bool:
    """Move one record this worker holds from a due state to ``sending``, renewing the claim.

    False when another worker took it over. One conditional UPDATE, atomic on SQLite
    and PostgreSQL alike: of two senders on one database only one can win a record.
    """
    states = (*DUE, "finishing") if resend_in_doubt else DUE
    at = _wall()
    claimed = session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.state.in_(states),
            Delivery.send_run == run,
            Delivery.claimed_by == worker,
        )
        .values(
            state="sending",
            attempts=Delivery.attempts + 1,
            started_at=now(),
            claim_until=at + timedelta(seconds=claim_seconds),
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(claimed, "rowcount", 0) == 1)


def in_doubt(session: Session, issue_id: int) -> list[Delivery]:
    return list(
        session.scalars(
            select(Delivery).where(Delivery.issue_id == issue_id, Delivery.state == "finishing")
        )
    )


def mark(
    session: Session,
    delivery_id: int,
    state: str,
    *,
    code: int | None = None,
    error: str | None = None,
) -> Delivery:
    """Move one record to ``state`` (the caller commits right after)."""
    if state not in STATES:
        raise ValueError(f"unknown delivery state {state!r}")
    record = session.get(Delivery, delivery_id)
    if record is None:
        raise LookupError(f"no delivery record {delivery_id}")
    stamp = now()
    record.state = state
    if state == "sending":
        record.attempts += 1
        record.started_at = stamp
    elif state in ("sent", "bounced", "failed", "skipped"):
        record.finished_at = stamp
        record.claim_until = None
    if code is not None:
        record.last_code = code
    if error is not None:
        record.last_error = error[:2000]
    return record


def delivery_counts(session: Session, issue_id: int) -> dict[str, int]:
    """Records per state for one issue: always ``sent``, ``pending``, ``bounced``, ``failed``.

    ``sent`` counts only messages the server answered 250 to; ``pending`` includes
    records a run is sending right now; ``in_doubt`` (no answer after the end of
    data: not counted as sent) and ``skipped`` appear when there are any.
    """
    rows = session.execute(
        select(Delivery.state, func.count())
        .where(Delivery.issue_id == issue_id)
        .group_by(Delivery.state)
    ).all()
    by_state = {state: count for state, count in rows}
    counts = {
        "sent": by_state.get("sent", 0),
        "pending": by_state.get("pending", 0) + by_state.get("sending", 0),
        "bounced": by_state.get("bounced", 0),
        "failed": by_state.get("failed", 0),
    }
    if by_state.get("finishing"):
        counts["in_doubt"] = by_state["finishing"]
    if by_state.get("skipped"):
        counts["skipped"] = by_state["skipped"]
    return counts


def forget_subscriber(session: Session, subscriber_id: int) -> None:
    session.execute(delete(Delivery).where(Delivery.subscriber_id == subscriber_id))
