"""Database leases: one winner, expiry, heartbeat, takeover from a dead process; SQLite and PG."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from xinqu.store import open_store
from xinqu.store.base import Store
from xinqu.store.locks import (
    Lease,
    acquire,
    get_state,
    heartbeat,
    holder,
    release,
    set_state,
    states_with_prefix,
)


def _sqlite(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'locks.db'}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        s = _sqlite(tmp_path)
        yield s
        s.dispose()
    else:
        url = request.getfixturevalue("postgres_url")
        s = open_store(url)
        yield s
        s.dispose()


def test_one_owner_at_a_time_until_release(store: Store) -> None:
    assert acquire(store, "scheduler", "host-a:1:x", ttl=60)
    assert not acquire(store, "scheduler", "host-b:2:y", ttl=60)
    assert acquire(store, "scheduler", "host-a:1:x", ttl=60), "the owner may renew"
    with store.session() as session:
        info = holder(session, "scheduler")
    assert info is not None and info.owner == "host-a:1:x"
    release(store, "scheduler", "host-b:2:y")  # not the owner: no effect
    assert not acquire(store, "scheduler", "host-b:2:y", ttl=60)
    release(store, "scheduler", "host-a:1:x")
    assert acquire(store, "scheduler", "host-b:2:y", ttl=60)


def test_expired_lock_is_taken_over_and_heartbeat_reports_the_loss(store: Store) -> None:
    assert acquire(store, "issue:2026-11-25", "host-a:1:x", ttl=0.2)
    time.sleep(0.3)
    assert acquire(store, "issue:2026-11-25", "host-b:2:y", ttl=60)
    assert heartbeat(store, "host-a:1:x", ttl=60) == 0
    assert heartbeat(store, "host-b:2:y", ttl=60) == 1


def test_lock_of_a_dead_local_process_is_taken_at_once(store: Store) -> None:
    import socket

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        owner = f"{socket.gethostname()}:{child.pid}:child"
        assert acquire(store, "scheduler", owner, ttl=3600)
        live = Lease(store, ttl=60)
        assert not live.acquire("scheduler"), "the holder's process is alive"
    finally:
        child.kill()
        child.wait()
    assert live.acquire("scheduler"), "the holder's process is gone"
    live.close()


def test_lease_heartbeat_keeps_a_short_lock_alive(store: Store) -> None:
    lease = Lease(store, ttl=0.6)
    try:
        assert lease.acquire("scheduler")
        time.sleep(1.2)  # two TTLs: only the heartbeat keeps it
        assert not acquire(store, "scheduler", "host-b:2:y", ttl=60)
        assert not lease.lost.is_set()
    finally:
        lease.close()
    assert acquire(store, "scheduler", "host-b:2:y", ttl=60), "close releases"


def test_service_state_roundtrip(store: Store) -> None:
    with store.session() as session:
        set_state(session, "issue:2026-11-25", "sending:1")
        set_state(session, "issue:2026-11-25", "done:1")
        set_state(session, "alert:x:failing", "t")
    with store.session() as session:
        assert get_state(session, "issue:2026-11-25") == "done:1"
        assert states_with_prefix(session, "issue:") == {"issue:2026-11-25": "done:1"}
