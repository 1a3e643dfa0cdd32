"""A raw-socket SMTP server that fails on cue, and the mail fault scenarios run against it.

``FaultSmtp`` speaks just enough SMTP (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT)
over plain sockets on 127.0.0.1, so it can misbehave where aiosmtpd cannot:

- ``drop-mid-data``: after its ``354`` it reads a few bytes of the body and closes
  the socket, so the server never sees the final ``.`` (the kernel resets the
  connection because data is left unread);
- ``drop-after-dot``: it reads the whole message, ``.`` included, and closes
  cleanly without answering (it did not keep the message: the case a sender can
  only report as *in doubt*);
- ``554-after-dot``: it refuses the message after the ``.`` (a content filter);
- ``550-rcpt``: it refuses the recipient at ``RCPT TO`` (an unknown user);
- ``421-after-dot``: it defers the message after the ``.``.

A fault is given per recipient as a list used up one transaction at a time, or
for every transaction (``every``). What it answered ``250`` to is in ``received``.

The scenarios (``SCENARIOS``) run real ``xinqu digest send`` processes against it
and count, per reader, the copies that arrived: ``lost`` (a reader with none
after the recovery the product tells the operator to do) and ``twice`` (a reader
with more than one) must both be 0. tests/test_faults_mail.py runs them one by
one; bench/faults.py runs them all and prints the table.
"""

from __future__ import annotations

import os
import re
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from mailkit import add_issue, add_subscribers

from xinqu.app import App
from xinqu.store.deliveries import Delivery
from xinqu.store.subscribers import get_subscriber

ROOT = Path(__file__).resolve().parents[1]
SECRET = "fault-suite-shared-secret-0123456789abcdef"
FAULTS = ("drop-mid-data", "drop-after-dot", "554-after-dot", "550-rcpt", "421-after-dot")
_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


@dataclass
class FaultSmtp:
    """The server's script and what it saw; ``port`` is set once it listens."""

    faults: dict[str, list[str]] = field(default_factory=dict)
    every: str | None = None
    #: Seconds to wait before answering 250 to a message (a slow server).
    delay: float = 0.0
    received: list[tuple[str, bytes]] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    port: int = 0
    _mutex: threading.Lock = field(default_factory=threading.Lock)

    def fault_for(self, rcpt: str) -> str | None:
        with self._mutex:
            queue = self.faults.get(rcpt)
            if queue:
                return queue.pop(0)
            return self.every

    def copies(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for rcpt, _ in self.received:
            counts[rcpt] = counts.get(rcpt, 0) + 1
        return counts

    def message_ids(self) -> list[bytes]:
        return [m.group(1) for _, raw in self.received if (m := _MESSAGE_ID.search(raw))]


class _Lines:
    """Line reading straight off the socket (no buffered file that would drain the kernel's
    buffer, which must keep unread data for a close to become a reset)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = b""

    def line(self) -> bytes | None:
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def data(self) -> bytes | None:
        """The message up to the lone ``.`` line, dot-unstuffed; None if the peer left."""
        while b"\r\n.\r\n" not in b"\r\n" + self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk
        whole = b"\r\n" + self.buf
        body, _, rest = whole.partition(b"\r\n.\r\n")
        self.buf = rest
        return re.sub(rb"(?m)^\.\.", b".", body[2:] + b"\r\n")

    def say(self, text: str) -> None:
        self.sock.sendall(text.encode("ascii") + b"\r\n")


def _handler(server: FaultSmtp) -> type[socketserver.BaseRequestHandler]:
    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            sock: socket.socket = self.request
            sock.settimeout(30)
            io = _Lines(sock)
            io.say("220 127.0.0.1 fault-smtp ESMTP")
            rcpts: list[str] = []
            fault: str | None = None
            while (line := io.line()) is not None:
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    io.say("250-127.0.0.1\r\n250-8BITMIME\r\n250 SIZE 10240000")
                elif verb == b"MAIL":
                    rcpts, fault = [], None
                    io.say("250 2.1.0 OK")
                elif verb == b"RCPT":
                    rcpt = line.decode("ascii", "replace").partition(":")[2].strip().strip("<>")
                    fault = server.fault_for(rcpt)
                    if fault == "550-rcpt":
                        server.events.append(f"550 to RCPT {rcpt}")
                        io.say(f"550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown")
                        fault = None
                        continue
                    rcpts.append(rcpt)
                    io.say("250 2.1.5 OK")
                elif verb == b"DATA":
                    if not rcpts:
                        io.say("554 5.5.1 No valid recipients")
                        continue
                    io.say("354 End data with <CR><LF>.<CR><LF>")
                    if fault == "drop-mid-data":
                        server.events.append(f"dropped mid-DATA for {rcpts[0]}")
                        sock.recv(64)
                        time.sleep(0.05)
                        return
                    body = io.data()
                    if body is None:
                        return
                    if fault == "drop-after-dot":
                        server.events.append(f"dropped after the '.' for {rcpts[0]}")
                        return
                    if fault == "554-after-dot":
                        server.events.append(f"554 after the '.' for {rcpts[0]}")
                        io.say("554 5.7.1 Message rejected: content looks like spam")
                        continue
                    if fault == "421-after-dot":
                        server.events.append(f"421 after the '.' for {rcpts[0]}")
                        io.say("421 4.3.2 Try again later")
                        continue
                    if server.delay:
                        time.sleep(server.delay)
                    with server._mutex:
                        for rcpt in rcpts:
                            server.received.append((rcpt, body))
                    io.say("250 2.0.0 Ok: queued")
                elif verb == b"RSET":
                    rcpts, fault = [], None
                    io.say("250 2.0.0 OK")
                elif verb == b"NOOP":
                    io.say("250 2.0.0 OK")
                elif verb == b"QUIT":
                    io.say("221 2.0.0 Bye")
                    return
                else:
                    io.say("502 5.5.2 Command not recognized")

    return Handler


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def serve_faults(server: FaultSmtp, port: int = 0) -> Iterator[FaultSmtp]:
    """Run ``server`` on 127.0.0.1 (``port``, or a free one) until the block ends."""
    tcp = _Server(("127.0.0.1", port), _handler(server))
    server.port = tcp.server_address[1]
    thread = threading.Thread(target=tcp.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield server
    finally:
        tcp.shutdown()
        tcp.server_close()


def write_config(folder: Path, port: int, **settings: Any) -> Path:
    """A config folder whose mail goes by SMTP to 127.0.0.1:``port``."""
    folder.mkdir(parents=True, exist_ok=True)
    mail = {
        "transport": "smtp",
        "from": "西咸研究院 <bulletin@example.org>",
        "editor": None,
        "retries": 2,
        "retry_backoff_seconds": 0.01,
        "smtp": {"host": "127.0.0.1", "port": port, "security": "none", "timeout_seconds": 5},
    }
    mail.update(settings.pop("mail", {}))
    base = {"mail": mail, "web": {"base_url": "https://xq.example.org"}, **settings}
    (folder / "settings.yaml").write_text(yaml.safe_dump(base, allow_unicode=True), "utf-8")
    (folder / "sources.yaml").write_text("sources: []\n", "utf-8")
    sections = ROOT / "config" / "sections.yaml"
    (folder / "sections.yaml").write_text(sections.read_text("utf-8"), "utf-8")
    return folder


def readers(n: int) -> list[str]:
    return [f"reader{i:02d}@example.org" for i in range(1, n + 1)]


def prepare(folder: Path, port: int, n: int, **settings: Any) -> tuple[App, int]:
    """Config, data folder, ``n`` active readers and the fixture issue; returns (app, number)."""
    app = App(config_dir=write_config(folder / "config", port, **settings), data_dir=folder / "a")
    add_subscribers(app, *((email, None, None, "active") for email in readers(n)))
    issue = add_issue(app)
    return app, issue.number


def env() -> dict[str, str]:
    out = os.environ.copy()
    out["XINQU_SECRET"] = SECRET
    out["XINQU_NOW"] = "2026-11-24T09:00:00+08:00"
    return out


def send_command(app: App, data_dir: Path | None = None, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "scheduler.cli",
        "--config",
        str(app.config_dir),
        "--data",
        str(data_dir or app.data_dir),
        "digest",
        "send",
        *args,
    ]


def digest_send(
    app: App, *args: str, data_dir: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """One real `xinqu digest send` process."""
    return subprocess.run(
        send_command(app, data_dir, *args),
        capture_output=True,
        text=True,
        env=env(),
        timeout=180,
        check=False,
    )


def states(app: App) -> dict[str, str]:
    with app.store.session() as session:
        return {d.email: d.state for d in session.query(Delivery)}


def subscriber_state(app: App, email: str) -> str:
    with app.store.session() as session:
        subscriber = get_subscriber(session, email)
        assert subscriber is not None
        return subscriber.state


@dataclass
class Tally:
    """What one scenario tried and what came of it, per reader."""

    scenario: str
    tried: str
    readers: int
    copies: dict[str, int]
    wanted: list[str]
    notes: list[str] = field(default_factory=list)
    runs: list[subprocess.CompletedProcess[str]] = field(default_factory=list)

    @property
    def lost(self) -> list[str]:
        return [r for r in self.wanted if self.copies.get(r, 0) == 0]

    @property
    def twice(self) -> list[str]:
        return [r for r, n in self.copies.items() if n > 1]

    def line(self) -> str:
        return (
            f"{self.scenario:<22} {self.tried:<62} readers {self.readers:>3}  "
            f"lost {len(self.lost)}  sent twice {len(self.twice)}"
            + (f"  ({'; '.join(self.notes)})" if self.notes else "")
        )


def _tally(name: str, tried: str, server: FaultSmtp, wanted: list[str], n: int) -> Tally:
    return Tally(name, tried, n, server.copies(), wanted)


def drop_mid_data(folder: Path) -> Tally:
    """Two readers' connections dropped mid-DATA: both retried, exit 0, nothing in doubt."""
    first, second = readers(2)
    server = FaultSmtp(faults={first: ["drop-mid-data"], second: ["drop-mid-data"]})
    with serve_faults(server):
        app, _ = prepare(folder, server.port, 5)
        run = digest_send(app)
    tally = _tally("drop-mid-data", "2 of 5 dropped before the final '.'", server, readers(5), 5)
    tally.runs.append(run)
    tally.notes.append(f"exit {run.returncode}, states {sorted(set(states(app).values()))}")
    return tally


def drop_after_dot(folder: Path) -> Tally:
    """No answer after the '.': in doubt, not counted as sent, exit 1; the resend delivers."""
    target = readers(5)[2]
    server = FaultSmtp(faults={target: ["drop-after-dot"]})
    with serve_faults(server):
        app, _ = prepare(folder, server.port, 5)
        first = digest_send(app)
        again = digest_send(app, "--resend-in-doubt")
    tally = _tally(
        "drop-after-dot",
        "1 of 5 closed after the '.' without answering, then --resend-in-doubt",
        server,
        readers(5),
        5,
    )
    tally.runs += [first, again]
    tally.notes.append(f"exits {first.returncode} then {again.returncode}")
    return tally


def rejected_message(folder: Path) -> Tally:
    """554 after the '.' for everyone: no bounce, the issue held; accepted on the rerun."""
    server = FaultSmtp(every="554-after-dot")
    with serve_faults(server):
        app, _ = prepare(folder, server.port, 5)
        first = digest_send(app)
        bounced = [r for r in readers(5) if subscriber_state(app, r) == "bounced"]
        tried = sum("554 after" in e for e in server.events)
        server.every = None
        again = digest_send(app)
    tally = _tally(
        "554-after-dot",
        "the message refused (554 spam) for every reader, then accepted",
        server,
        readers(5),
        5,
    )
    tally.runs += [first, again]
    tally.notes.append(f"bounced {len(bounced)}, refused {tried} before holding")
    return tally


def refused_recipient(folder: Path) -> Tally:
    """550 to one RCPT: that reader bounced, the four others sent."""
    everyone = readers(5)
    server = FaultSmtp(faults={everyone[1]: ["550-rcpt"]})
    with serve_faults(server):
        app, _ = prepare(folder, server.port, 5)
        run = digest_send(app)
    wanted = [r for r in everyone if r != everyone[1]]
    tally = _tally("550-rcpt", "1 of 5 recipients refused at RCPT TO", server, wanted, 5)
    tally.runs.append(run)
    tally.notes.append(f"{everyone[1]} {subscriber_state(app, everyone[1])}")
    return tally


def _shared_database(folder: Path, url: str | None, port: int, n: int) -> tuple[App, Path]:
    app = App(
        config_dir=write_config(
            folder / "config", port, database_url=url or f"sqlite:///{folder / 'shared.db'}"
        ),
        data_dir=folder / "a",
    )
    add_subscribers(app, *((email, None, None, "active") for email in readers(n)))
    add_issue(app)
    app.close()
    return app, folder / "b"


def two_senders(folder: Path, database_url: str | None = None) -> Tally:
    """Two `digest send` processes, two data folders, one database, started together."""
    n = 40
    server = FaultSmtp(delay=0.02)
    with serve_faults(server):
        app, other = _shared_database(folder, database_url, server.port, n)
        procs = [
            subprocess.Popen(
                send_command(app, data),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env(),
            )
            for data in (app.data_dir, other)
        ]
        runs = []
        for proc in procs:
            out, err = proc.communicate(timeout=180)
            runs.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    kind = "PostgreSQL" if database_url else "SQLite file"
    tally = _tally(
        f"two-senders-{'pg' if database_url else 'sqlite'}",
        f"2 processes, 2 data folders, one {kind}, started together",
        server,
        readers(n),
        n,
    )
    tally.runs += runs
    tally.notes.append("exits " + ", ".join(str(r.returncode) for r in runs))
    return tally


Scenario = Callable[[Path], Tally]
SCENARIOS: dict[str, Scenario] = {
    "drop-mid-data": drop_mid_data,
    "drop-after-dot": drop_after_dot,
    "554-after-dot": rejected_message,
    "550-rcpt": refused_recipient,
    "two-senders-sqlite": two_senders,
}
