"""Leases in the database, the service's small state, and APScheduler's job table.

This module owns the tables ``locks``, ``service_state`` and ``apscheduler_jobs``.

A lock is a row with an owner, a heartbeat and an expiry. Taking it is one
INSERT (or one conditional UPDATE of an expired or released row), so it works
the same on SQLite and PostgreSQL and two processes can never both win. A
holder that dies stops heartbeating and its lock expires after the TTL; a
holder on this host whose process is gone is taken over at once.

Leases measure whether a process is alive, in real seconds, so they read the
real clock (``_wall``), never the product's business clock that ``XINQU_NOW``
freezes in tests and demos.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Column,
    Float,
    LargeBinary,
    String,
    Table,
    Text,
    Unicode,
    delete,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from xinqu.store.base import Base, Store, UTCDateTime

log = logging.getLogger(__name__)


class Lock(Base):
    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(191), primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(255))
    acquired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ServiceState(Base):
    """Small durable facts of the service, e.g. ``issue:2026-11-25`` -> ``done:3``."""

    __tablename__ = "service_state"

    key: Mapped[str] = mapped_column(String(191), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


#: The table APScheduler's SQLAlchemyJobStore uses, declared here (same columns)
#: so that migrations create it and autogenerate does not propose to drop it.
apscheduler_jobs = Table(
    "apscheduler_jobs",
    Base.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


def _wall() -> datetime:
    return datetime.now(UTC)


def new_owner() -> str:
    """A lock owner id: host, pid and a random token (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def _owner_is_dead(owner: str) -> bool:
    """True only when the owner ran on this host and its process no longer exists."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@dataclass(frozen=True)
class LockInfo:
    name: str
    owner: str
    acquired_at: datetime
    heartbeat_at: datetime
    expires_at: datetime

    def describe(self) -> str:
        host, _, rest = self.owner.partition(":")
        pid = rest.partition(":")[0]
        age = max(0, int((_wall() - self.heartbeat_at).total_seconds()))
        return f"pid {pid} on {host}, last heartbeat {age} s ago"


def acquire(store: Store, name: str, owner: str, ttl: float) -> bool:
    """Take the lock ``name`` for ``owner`` (or renew it); False when someone else holds it."""
    t = _wall()
    values = {"owner": owner, "acquired_at": t, "heartbeat_at": t, "expires_at": t + _secs(ttl)}
    try:
        with store.engine.begin() as conn:
            conn.execute(insert(Lock).values(name=name, **values))
        return True
    except IntegrityError:
        pass
    with store.engine.begin() as conn:
        taken = conn.execute(
            update(Lock)
            .where(
                Lock.name == name,
                or_(Lock.owner == owner, Lock.owner.is_(None), Lock.expires_at < t),
            )
            .values(**values)
        ).rowcount
        if taken == 1:
            return True
        current = conn.scalar(select(Lock.owner).where(Lock.name == name))
        if current and _owner_is_dead(current):
            log.info("lock %s: taking over from %s, whose process is gone", name, current)
            taken = conn.execute(
                update(Lock).where(Lock.name == name, Lock.owner == current).values(**values)
            ).rowcount
            return taken == 1
    return False


def heartbeat(store: Store, owner: str, ttl: float) -> int:
    """Extend every lock ``owner`` holds; returns how many it still holds."""
    t = _wall()
    with store.engine.begin() as conn:
        return conn.execute(
            update(Lock)
            .where(Lock.owner == owner)
            .values(heartbeat_at=t, expires_at=t + _secs(ttl))
        ).rowcount


def release(store: Store, name: str, owner: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            update(Lock)
            .where(Lock.name == name, Lock.owner == owner)
            .values(owner=None, expires_at=None)
        )


def release_all(store: Store, owner: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(update(Lock).where(Lock.owner == owner).values(owner=None, expires_at=None))


def holder(session: Session, name: str) -> LockInfo | None:
    """Who holds ``name`` now (None when free or expired)."""
    row = session.get(Lock, name)
    if row is None or row.owner is None or row.expires_at is None or row.expires_at < _wall():
        return None
    assert row.acquired_at is not None and row.heartbeat_at is not None
    return LockInfo(row.name, row.owner, row.acquired_at, row.heartbeat_at, row.expires_at)


def _secs(ttl: float) -> timedelta:
    return timedelta(seconds=ttl)


class Lease:
    """The locks one process holds, kept alive by one heartbeat thread.

    ``lost`` is set when a heartbeat finds this process no longer holds a lock it
    took (it was presumed dead and another process took over): the holder must
    stop doing work that lock guards.
    """

    def __init__(self, store: Store, ttl: float, owner: str | None = None) -> None:
        self.store = store
        self.ttl = ttl
        self.owner = owner or new_owner()
        self.held: set[str] = set()
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._mutex = threading.Lock()

    def acquire(self, name: str) -> bool:
        with self._mutex:
            if acquire(self.store, name, self.owner, self.ttl):
                self.held.add(name)
                self._ensure_thread()
                return True
            return False

    def release(self, name: str) -> None:
        with self._mutex:
            release(self.store, name, self.owner)
            self.held.discard(name)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._mutex:
            release_all(self.store, self.owner)
            self.held.clear()

    def _ensure_thread(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._beat, name="lease", daemon=True)
            self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            with self._mutex:
                if not self.held:
                    continue
                try:
                    still = heartbeat(self.store, self.owner, self.ttl)
                except Exception:
                    log.exception("lock heartbeat failed; retrying")
                    continue
                if still < len(self.held):
                    log.error("lost a lock to another process (held %s)", sorted(self.held))
                    self.lost.set()


def get_state(session: Session, key: str) -> str | None:
    row = session.get(ServiceState, key)
    return None if row is None else row.value


def set_state(session: Session, key: str, value: str) -> None:
    row = session.get(ServiceState, key)
    if row is None:
        session.add(ServiceState(key=key, value=value, updated_at=_wall()))
    else:
        row.value = value
        row.updated_at = _wall()
    session.flush()


def delete_state(session: Session, key: str) -> None:
    session.execute(delete(ServiceState).where(ServiceState.key == key))


def states_with_prefix(session: Session, prefix: str) -> dict[str, str]:
    rows = session.scalars(select(ServiceState).where(ServiceState.key.startswith(prefix)))
    return {row.key: row.value for row in rows}


def scheduled_jobs(session: Session) -> dict[str, float | None]:
    """APScheduler's stored jobs: id → next run time (a POSIX timestamp; None: paused)."""
    rows = session.execute(select(apscheduler_jobs.c.id, apscheduler_jobs.c.next_run_time))
    return {job_id: next_run for job_id, next_run in rows.all()}
