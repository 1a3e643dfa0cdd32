"""The web side and the signing secret under a careless or hostile world, on 127.0.0.1.

Sign-up answers that do not depend on who asks or on the mail server, request
bodies with a lying Content-Length, connections that never finish, odd numbers
and tokens in URLs, and a damaged or concurrently created ``secret.key``.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from faultkit import FaultSmtp, serve_faults, write_config
from mailkit import add_subscribers, parse
from support import closed_port

from xinqu.app import App
from xinqu.mail import tokens
from xinqu.web import make_server


@pytest.fixture(autouse=True)
def _no_env_secret(monkeypatch):
    monkeypatch.delenv("XINQU_SECRET", raising=False)
    monkeypatch.setenv("XINQU_NOW", "2026-11-24T09:00:00+08:00")


def _serve(app: App, timeout: float | None = None) -> Iterator[str]:
    if timeout is None:
        server = make_server(app, "127.0.0.1", 0)
    else:
        server = make_server(app, "127.0.0.1", 0, timeout=timeout)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def smtp_port() -> int:
    return closed_port()


@pytest.fixture
def app(tmp_path: Path, smtp_port: int) -> App:
    """An app whose mail goes by SMTP to a port where nothing listens (yet)."""
    return App(config_dir=write_config(tmp_path / "config", smtp_port), data_dir=tmp_path / "d")


@pytest.fixture
def base(app: App) -> Iterator[str]:
    yield from _serve(app)


def _post(url: str, body: bytes) -> tuple[int, str, float]:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    start = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, reply.read().decode("utf-8"), time.monotonic() - start
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8"), time.monotonic() - start


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_sign_up_answers_alike_for_known_unknown_and_pending_while_smtp_is_down(app, base):
    add_subscribers(
        app,
        ("known@example.org", None, None, "active"),
        ("waiting@example.org", None, None, "pending"),
    )
    answers = {}
    for email in ("known", "stranger", "waiting", "known", "another"):
        status, page, took = _post(f"{base}/subscribe", f"email={email}%40example.org".encode())
        answers.setdefault(email, []).append((status, page.replace(email, "X"), took))
    flat = [a for runs in answers.values() for a in runs]
    assert {status for status, _, _ in flat} == {200}, flat
    assert len({page for _, page, _ in flat}) == 1, "the page differs by who asks"
    assert max(took for _, _, took in flat) < 0.5, "an answer waited for the mail server"


def test_a_failed_confirmation_is_really_sent_when_asked_again_within_the_hour(
    app, base, smtp_port
):
    form = b"email=reader%40example.org"
    status, _, _ = _post(f"{base}/subscribe", form)
    assert status == 200
    time.sleep(0.5)  # the worker's attempt meets a closed port and keeps it queued
    with serve_faults(FaultSmtp(), port=smtp_port) as server:
        status, _, _ = _post(f"{base}/subscribe", form)
        assert status == 200
        deadline = time.monotonic() + 10
        while not server.received and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        status, _, _ = _post(f"{base}/subscribe", form)  # within the hour: not again
        time.sleep(0.5)
    assert server.copies() == {"reader@example.org": 1}
    text = parse(server.received[0][1]).get_body(("plain",)).get_content()
    assert "https://xq.example.org/confirm?t=" in text


def _raw(port: int, request: bytes, wait: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


@pytest.mark.parametrize(
    ("length", "status"),
    [("-1", b"400"), ("abc", b"400"), (" 1e3", b"400"), ("999999999999", b"413")],
)
def test_a_lying_content_length_is_refused_at_once(base, length, status):
    port = int(base.rsplit(":", 1)[1])
    head = (
        "POST /subscribe HTTP/1.0\r\nHost: x\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()
    start = time.monotonic()
    reply = _raw(port, head + b"email=a%40example.org")
    assert reply.split(b"\r\n", 1)[0].split()[1] == status, reply[:200]
    assert time.monotonic() - start < 3


def test_a_silent_or_half_sent_request_is_closed_after_the_timeout(app):
    for base in _serve(app, timeout=0.5):
        port = int(base.rsplit(":", 1)[1])
        start = time.monotonic()
        assert _raw(port, b"POST /subscribe HTTP/1.1\r\nHost: x\r\n") == b""
        assert time.monotonic() - start < 3
        start = time.monotonic()
        reply = _raw(port, b"POST /subscribe HTTP/1.0\r\nContent-Length: 100\r\n\r\nemail=")
        assert reply.startswith(b"HTTP/1.0 400"), reply[:100]
        assert time.monotonic() - start < 3
        assert _get(f"{base}/healthz") == 200


@pytest.mark.parametrize(
    "path",
    ["/issues/%B2", "/issues/%C2%B2", "/issues/" + "9" * 30, "/issues/-1", "/issues/%EF%BC%91"],
)
def test_odd_issue_numbers_are_404_not_500(base, path):
    assert _get(base + path) == 404


@pytest.mark.parametrize("token", ["%C2%B21.abc", "%B21.abc", "\u00b9\u00b2.x", "1" * 40 + ".x"])
def test_odd_tokens_are_an_invalid_link_not_a_500(base, token):
    from urllib.parse import quote

    quoted = token if "%" in token else quote(token)
    assert _get(f"{base}/unsubscribe?t={quoted}") == 400
    status, page, _ = _post(f"{base}/confirm?t={quoted}", b"")
    assert status == 400 and "链接无效" in page


def _cli(app: App, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "scheduler.cli",
            "--config",
            str(app.config_dir),
            "--data",
            str(app.data_dir),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("content", [b"", b"\n", b"short-secret\n"])
def test_an_empty_or_short_secret_key_is_refused_with_one_line(app, content):
    app.data_dir.mkdir(parents=True)
    (app.data_dir / "secret.key").write_bytes(content)
    add_subscribers(app, ("reader@example.org", None, None, "active"))
    run = _cli(app, "subscribers", "add", "new@example.org", "--confirm")
    lines = run.stderr.strip().splitlines()
    assert run.returncode == 2 and len(lines) == 1, run.stderr
    assert "secret.key" in lines[0] and "link-signing secret" in lines[0]


def test_a_short_secret_in_the_environment_is_refused(app, monkeypatch):
    monkeypatch.setenv("XINQU_SECRET", "abc")
    with pytest.raises(Exception, match="XINQU_SECRET is 3 characters"):
        tokens.secret(app)


def test_processes_creating_the_secret_together_all_get_the_same_whole_key(tmp_path):
    config = write_config(tmp_path / "config", 25)
    script = (
        "import sys; from pathlib import Path; from xinqu.app import App; "
        "from xinqu.mail.tokens import secret; "
        f"print(secret(App(config_dir=Path({str(config)!r}), data_dir=Path(sys.argv[1]))).decode())"
    )
    for round_ in range(2):
        data = tmp_path / f"data{round_}"
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", script, str(data)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(6)
        ]
        keys = {proc.communicate(timeout=60)[0].strip() for proc in procs}
        assert len(keys) == 1 and len(keys.pop()) == 43
        assert [p.name for p in data.iterdir()] == ["secret.key"]
