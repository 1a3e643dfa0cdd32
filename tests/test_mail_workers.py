"""`digest send --workers N`: N processes share one issue's records, each reader gets one copy.

Through a real SMTP server (aiosmtpd on 127.0.0.1), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mailkit import SmtpSink, add_issue, add_subscribers, make_app, serve_smtp, smtp_settings

from xinqu.mail import send_issue
from xinqu.store.deliveries import Delivery, delivery_counts

pytestmark = pytest.mark.usefixtures("store_backend")


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XINQU_SECRET", raising=False)
    monkeypatch.setenv("XINQU_NOW", "2026-11-24T09:00:00+08:00")


@dataclass
class SlowSink(SmtpSink):
    """A server that takes a while over each envelope, so a worker can be caught mid-send."""

    mail_delay: float = 0.0

    async def handle_MAIL(  # noqa: N802 (aiosmtpd calls it by this name)
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        await asyncio.sleep(self.mail_delay)
        return await super().handle_MAIL(server, session, envelope, address, options)


def _readers(n: int) -> list[tuple[str, str | None, list[str] | None, str]]:
    return [(f"reader{i:03d}@example.org", f"读者{i}", None, "active") for i in range(n)]


def test_three_workers_send_every_reader_exactly_one_copy(make_config, tmp_path: Path) -> None:
    readers = _readers(45)
    with serve_smtp(SmtpSink()) as sink:
        app = make_app(make_config, tmp_path, mail=smtp_settings(sink.port))
        add_subscribers(app, *readers)
        issue = add_issue(app)
        report = send_issue(app, issue.id, workers=3)
        again = send_issue(app, issue.id, workers=3)
        with app.store.session() as session:
            counts = delivery_counts(session, issue.id)
            records = session.query(Delivery).all()
        app.close()
    assert sink.copies() == {email: 1 for email, *_ in readers}
    assert sorted(report.sent) == sorted(email for email, *_ in readers)
    assert report.complete and again.sent == [] and again.complete
    assert counts == {"sent": 45, "pending": 0, "bounced": 0, "failed": 0}
    assert {r.state for r in records} == {"sent"} and all(r.claim_until is None for r in records)
    assert {r.claimed_by for r in records} <= {"1", "2", "3", "lead"}


def _send_workers(ppid: int) -> list[int]:
    """Pids of the send worker processes a `digest send` started (children running spawn)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text("ascii").rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == ppid and b"spawn_main" in cmdline:
            pids.append(int(stat.parent.name))
    return pids


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the workers through /proc")
def test_a_killed_workers_readers_are_taken_over_after_its_claims_expire(
    make_config, tmp_path: Path
) -> None:
    readers = _readers(30)
    with serve_smtp(SlowSink(mail_delay=0.1)) as sink:
        mail = smtp_settings(sink.port, smtp={"timeout_seconds": 1}, claim_seconds=4)
        app = make_app(make_config, tmp_path, mail=mail)
        add_subscribers(app, *readers)
        add_issue(app)
        assert app.config_dir is not None
        config, data = app.config_dir, app.data_dir
        app.close()
        command = [sys.executable, "-m", "scheduler.cli", "--config", str(config)]
        send = subprocess.Popen(
            [*command, "--data", str(data), "digest", "send", "--workers", "2"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        try:
            deadline = time.monotonic() + 60
            while len(sink.received) < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            workers = _send_workers(send.pid)
            assert len(workers) == 2, f"expected two send workers, found {workers}"
            os.kill(workers[0], signal.SIGKILL)
            out, err = send.communicate(timeout=120)
        finally:
            if send.poll() is None:
                send.kill()
                send.communicate()
    copies = sink.copies()
    assert set(copies) == {email for email, *_ in readers}, err
    assert set(copies.values()) == {1}, "a reader got two copies"
    in_doubt = [line for line in out.splitlines() if line.startswith("in doubt")]
    assert send.returncode == (1 if in_doubt else 0), out + err
    assert "Traceback" not in err
    assert "send worker" in err and "died" in err
