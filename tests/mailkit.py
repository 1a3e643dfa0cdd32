"""Test helpers for mail: a real SMTP server (aiosmtpd) on 127.0.0.1 and a built issue.

``SmtpSink`` records what arrived and can answer like a real server does on a bad
day: scripted 4xx/5xx replies per recipient, or a hang after N messages (before
the envelope, or after taking the message but before answering 250) so a test can
SIGKILL the sender at a known point.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from xinqu.app import App
from xinqu.store.issues import Issue

MAIL_FIXTURES = Path(__file__).parent / "fixtures" / "mail"


def parse(raw: bytes) -> EmailMessage:
    return message_from_bytes(raw, policy=default)  # type: ignore[return-value]


def add_issue(app: App) -> Issue:
    """Store the fixture issue (frozen subject, text and HTML) and return it."""
    data = json.loads((MAIL_FIXTURES / "issue.json").read_text("utf-8"))
    with app.store.session() as session:
        issue = Issue(
            number=data["number"],
            year=data["year"],
            year_number=data["year_number"],
            issue_date=date.fromisoformat(data["issue_date"]),
            since=date.fromisoformat(data["since"]),
            until=date.fromisoformat(data["until"]),
            built_at=datetime.fromisoformat("2026-11-24T09:00:00+08:00"),
            status="built",
            content=json.dumps(data["content"], ensure_ascii=False),
            subject=data["subject"],
            text=data["text"],
            html=data["html"],
        )
        session.add(issue)
        session.flush()
        session.expunge(issue)
    return issue


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    tls: bool = False
    login: bytes | None = None

    @property
    def message(self) -> EmailMessage:
        return parse(self.raw)


@dataclass
class SmtpSink:
    """The handler behind the aiosmtpd server; ``received`` is what it accepted."""

    received: list[Received] = field(default_factory=list)
    rcpt_replies: dict[str, list[str]] = field(default_factory=dict)
    data_replies: dict[str, list[str]] = field(default_factory=dict)
    hang_before_mail_after: int | None = None
    hang_before_reply_after: int | None = None
    hanging: threading.Event = field(default_factory=threading.Event)
    sessions: int = 0
    port: int = 0

    _release: list[Callable[[], None]] = field(default_factory=list)

    async def _hang(self) -> None:
        event = asyncio.Event()
        loop = asyncio.get_running_loop()
        self._release.append(lambda: loop.call_soon_threadsafe(event.set))
        self.hanging.set()
        await event.wait()

    def release(self) -> None:
        """Stop hanging: answer the sessions that wait, and every later one at once."""
        self.hang_before_mail_after = self.hang_before_reply_after = None
        while self._release:
            self._release.pop()()

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        limit = self.hang_before_mail_after
        if limit is not None and len(self.received) >= limit:
            await self._hang()
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        queue = self.rcpt_replies.get(address)
        if queue:
            return queue.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        queue = self.data_replies.get(envelope.rcpt_tos[0])
        if queue:
            return queue.pop(0)
        login = session.auth_data.login if session.authenticated else None
        self.received.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                envelope.content,
                tls=server.transport.get_extra_info("ssl_object") is not None,
                login=login,
            )
        )
        limit = self.hang_before_reply_after
        if limit is not None and len(self.received) > limit:
            await self._hang()
        return "250 2.0.0 Message accepted for delivery"

    def copies(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.received:
            for rcpt in item.rcpt_tos:
                counts[rcpt] = counts.get(rcpt, 0) + 1
        return counts


class EphemeralController(Controller):
    """aiosmtpd's Controller on a port the OS picks (it checks readiness on self.port)."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def smtp_settings(port: int, **extra: Any) -> dict[str, Any]:
    """The ``mail`` settings for a config folder whose SMTP server is the sink."""
    smtp = {"host": "127.0.0.1", "port": port, "security": "none", "timeout_seconds": 10}
    smtp.update(extra.pop("smtp", {}))
    return {
        "transport": "smtp",
        "from": "西咸研究院 <bulletin@example.org>",
        "reply_to": "编辑部 <editor@example.org>",
        "retries": 3,
        "retry_backoff_seconds": 0.01,
        "smtp": smtp,
        **extra,
    }


@contextmanager
def serve_smtp(sink: SmtpSink, **controller_options: Any) -> Iterator[SmtpSink]:
    """Run ``sink`` behind a real aiosmtpd server on 127.0.0.1 until the block ends."""
    controller = EphemeralController(sink, hostname="127.0.0.1", port=0, **controller_options)
    controller.start()
    sink.port = controller.port
    try:
        yield sink
    finally:
        controller.stop()


def make_app(make_config: Callable[..., Path], tmp_path: Path, **settings: Any) -> App:
    """An App on a fresh data folder, with a config folder holding ``settings``."""
    return App(config_dir=make_config([], **settings), data_dir=tmp_path / "data")


def add_subscribers(app: App, *rows: tuple[str, str | None, list[str] | None, str]) -> None:
    """Store (email, name, sections, state) rows directly."""
    from xinqu.store.subscribers import upsert_subscriber

    with app.store.session() as session:
        for email, name, sections, state in rows:
            upsert_subscriber(session, email, name=name, sections=sections, state=state)


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made now (PEM files in ``folder``)."""
    import ipaddress
    from datetime import UTC, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    start = datetime.now(UTC) - timedelta(days=1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path
