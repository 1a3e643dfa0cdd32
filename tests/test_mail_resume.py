"""`xinqu digest send` as a real process, stopped mid-issue, then run again.

The SMTP server hangs after N messages at a chosen point, so the sender is
stopped at a known place: before the next envelope (the record says
``sending``), or after the server took the next message but before it answered
(the record says ``finishing``). Either way, after the rerun every subscriber
has exactly one copy.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from mailkit import SmtpSink, add_issue, add_subscribers, make_app, serve_smtp, smtp_settings

from xinqu.store.deliveries import Delivery, delivery_counts

pytestmark = pytest.mark.slow

READERS = [(f"reader{i}@example.org", f"读者{i}", None, "active") for i in range(1, 6)]
EVERYONE = {email for email, *_ in READERS}


def _command(app) -> list[str]:
    return [
        sys.executable,
        "-m",
        "scheduler.cli",
        "--config",
        str(app.config_dir),
        "--data",
        str(app.data_dir),
        "digest",
        "send",
    ]


def _env() -> dict[str, str]:
    env = os.environ.copy()
    env.pop("XINQU_SECRET", None)
    return env


def _states(app, issue_id) -> dict[str, str]:
    with app.store.session() as session:
        return {
            d.email: d.state for d in session.query(Delivery).filter(Delivery.issue_id == issue_id)
        }


def _start(app) -> subprocess.Popen[str]:
    return subprocess.Popen(
        _command(app), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env()
    )


def _rerun(app) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _command(app), capture_output=True, text=True, timeout=120, env=_env(), check=False
    )


@pytest.fixture
def world(make_config, tmp_path: Path, monkeypatch):
    monkeypatch.delenv("XINQU_SECRET", raising=False)

    def build(sink: SmtpSink):
        app = make_app(make_config, tmp_path, mail=smtp_settings(sink.port))
        add_subscribers(app, *READERS)
        return app, add_issue(app)

    return build


@pytest.mark.parametrize(
    ("hang", "stuck_state"),
    [("hang_before_mail_after", "sending"), ("hang_before_reply_after", "finishing")],
)
def test_sigkill_mid_send_then_resume_gives_everyone_exactly_one_copy(world, hang, stuck_state):
    sink = SmtpSink(**{hang: 2})
    with serve_smtp(sink):
        app, issue = world(sink)
        child = _start(app)
        try:
            assert sink.hanging.wait(60), "the sender never reached the third message"
            states = _states(app, issue.id)
            assert sorted(states.values()) == sorted(
                ["sent", "sent", stuck_state, "pending", "pending"]
            )
            child.send_signal(signal.SIGKILL)
            assert child.wait(30) == -signal.SIGKILL
        finally:
            if child.poll() is None:
                child.kill()
            child.communicate()
        sink.release()
        resumed = _rerun(app)

    assert sink.copies() == dict.fromkeys(EVERYONE, 1)
    with app.store.session() as session:
        counts = delivery_counts(session, issue.id)
    if stuck_state == "finishing":
        # The '.' went out and its answer died with the process: in doubt, not
        # counted as sent, and the run says so (exit 1) instead of claiming success.
        assert resumed.returncode == 1, resumed.stderr
        assert "in doubt" in resumed.stdout and "--resend-in-doubt" in resumed.stdout
        assert (counts["sent"], counts["pending"], counts["failed"]) == (4, 0, 0)
        assert counts["in_doubt"] == 1
    else:
        assert resumed.returncode == 0, resumed.stderr
        assert (counts["sent"], counts["pending"], counts["failed"]) == (5, 0, 0)
    message_ids = [r.message["Message-ID"] for r in sink.received]
    assert len(set(message_ids)) == 5


def test_sigterm_finishes_the_current_message_then_stops(world):
    sink = SmtpSink(hang_before_mail_after=2)
    with serve_smtp(sink):
        app, issue = world(sink)
        child = _start(app)
        try:
            assert sink.hanging.wait(60)
            child.send_signal(signal.SIGTERM)
            sink.release()
            _, stderr = child.communicate(timeout=60)
        finally:
            if child.poll() is None:
                child.kill()
        assert child.returncode == 1, stderr
        assert "SIGTERM" in stderr
        assert sorted(_states(app, issue.id).values()) == ["pending"] * 2 + ["sent"] * 3
        resumed = _rerun(app)

    assert resumed.returncode == 0, resumed.stderr
    assert sink.copies() == dict.fromkeys(EVERYONE, 1)
