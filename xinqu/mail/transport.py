"""Transports: an SMTP connection reused for many messages, or .eml files in the outbox.

Both take one message at a time and call ``before_commit`` at the last moment
before the message is handed over for good (the SMTP end-of-data ``.``, or the
rename of the finished file), so the caller can record that point durably.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType
from typing import Protocol

from xinqu.app import App
from xinqu.config import SmtpSettings
from xinqu.errors import DeliveryError
from xinqu.mail.message import as_bytes

log = logging.getLogger(__name__)

_LEADING_DOT = re.compile(rb"(?m)^\.")


class TemporaryError(Exception):
    """A 4xx answer (or a dropped connection): the same message may be tried again."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code} {text}")
        self.code = code
        self.text = text


class PermanentError(TemporaryError):
    """A 5xx answer: this recipient will not take the message."""


class ConnectionLostError(Exception):
    """The connection broke; whether the current message arrived depends on when."""


class Transport(Protocol):
    name: str

    def __enter__(self) -> Transport: ...

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def send(
        self, msg: EmailMessage, sender: str, recipient: str, before_commit: Callable[[], None]
    ) -> None: ...

    def reconnect(self) -> None: ...


def open_transport(app: App) -> Transport:
    mail = app.config.settings.mail
    if mail.transport == "smtp":
        return SmtpTransport(mail.smtp)
    return OutboxTransport(app.outbox_dir)


def _reply_text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())


def _failure(code: int, reply: bytes | str, step: str) -> TemporaryError:
    text = f"{step}: {_reply_text(reply)}"
    if 500 <= code < 600:
        return PermanentError(code, text)
    return TemporaryError(code, text)


class SmtpTransport:
    """One SMTP connection (plain, STARTTLS or implicit TLS), logged in once."""

    name = "smtp"

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._conn: smtplib.SMTP | None = None

    @property
    def where(self) -> str:
        s = self.settings
        return f"{s.host}:{s.port} ({s.security})"

    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.settings.ca_file)

    def __enter__(self) -> SmtpTransport:
        self._connect()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _connect(self) -> None:
        s = self.settings
        password = s.password()
        if s.username and password is None:
            raise DeliveryError(
                f"smtp.username is {s.username!r} but the environment variable "
                f"{s.password_env} holding its password is not set"
            )
        conn: smtplib.SMTP | None = None
        try:
            if s.security == "ssl":
                conn = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout_seconds, context=self._tls()
                )
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
            conn.ehlo()
            if s.security == "starttls":
                conn.starttls(context=self._tls())
                conn.ehlo()
            if s.username and password is not None:
                _login(conn, s.username, password)
        except smtplib.SMTPAuthenticationError as exc:
            _quiet_close(conn)
            raise DeliveryError(
                f"the SMTP server {self.where} refused the login of {s.username!r}: "
                f"{exc.smtp_code} {_reply_text(exc.smtp_error)}"
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            _quiet_close(conn)
            raise DeliveryError(
                f"cannot reach the SMTP server {self.where}: {exc or type(exc).__name__}"
            ) from None
        if conn.sock is not None:
            # The final "." goes in its own small write after the body; without
            # NODELAY, Nagle's algorithm holds it for the server's delayed ACK (~40 ms).
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._conn = conn
        log.info("connected to %s", self.where)

    def reconnect(self) -> None:
        self.close()
        self._connect()

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            _quiet_close(conn)

    def _reset(self, conn: smtplib.SMTP) -> None:
        try:
            conn.rset()
        except (OSError, smtplib.SMTPException):
            _quiet_close(conn)
            self._conn = None

    def send(
        self, msg: EmailMessage, sender: str, recipient: str, before_commit: Callable[[], None]
    ) -> None:
        if self._conn is None:
            self._connect()
        conn = self._conn
        assert conn is not None
        data = _LEADING_DOT.sub(b"..", as_bytes(msg))
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        try:
            code, reply = conn.mail(sender)
            if code != 250:
                self._reset(conn)
                if 500 <= code < 600:
                    raise DeliveryError(
                        f"the SMTP server {self.where} refuses the sender {sender}: "
                        f"{code} {_reply_text(reply)}"
                    )
                raise _failure(code, reply, "MAIL FROM")
            code, reply = conn.rcpt(recipient)
            if code not in (250, 251):
                self._reset(conn)
                raise _failure(code, reply, "RCPT TO")
            code, reply = conn.docmd("DATA")
            if code != 354:
                self._reset(conn)
                raise _failure(code, reply, "DATA")
            conn.send(data)
            before_commit()
            conn.send(b".\r\n")
            code, reply = conn.getreply()
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            _quiet_close(conn)
            self._conn = None
            raise ConnectionLostError(f"connection to {self.where} lost: {exc}") from None
        if code != 250:
            self._reset(conn)
            raise _failure(code, reply, "end of DATA")


def _login(conn: smtplib.SMTP, username: str, password: str) -> None:
    """smtplib's login, except that non-ASCII credentials go as UTF-8 AUTH PLAIN (RFC 4616)."""
    if username.isascii() and password.isascii():
        conn.login(username, password)
        return
    if not conn.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
    blob = base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")
    code, reply = conn.docmd("AUTH", f"PLAIN {blob}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def _quiet_close(conn: smtplib.SMTP | None) -> None:
    if conn is not None:
        with contextlib.suppress(OSError):
            conn.close()


class OutboxTransport:
    """Writes each message as ``<outbox>/<message id>.eml``; the same message, the same file."""

    name = "outbox"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __enter__(self) -> OutboxTransport:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DeliveryError(f"cannot create the outbox {self.folder}: {exc}") from None
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def reconnect(self) -> None:
        return None

    def path_for(self, msg: EmailMessage) -> Path:
        name = re.sub(r"[^A-Za-z0-9._@-]", "_", str(msg["Message-ID"]).strip("<>"))
        return self.folder / f"{name}.eml"

    def send(
        self, msg: EmailMessage, sender: str, recipient: str, before_commit: Callable[[], None]
    ) -> None:
        path = self.path_for(msg)
        partial = path.with_name(f".{path.name}.part")
        try:
            with partial.open("wb") as handle:
                handle.write(as_bytes(msg))
                handle.flush()
                os.fsync(handle.fileno())
            before_commit()
            partial.replace(path)
        except OSError as exc:
            raise DeliveryError(f"cannot write to the outbox {self.folder}: {exc}") from None
