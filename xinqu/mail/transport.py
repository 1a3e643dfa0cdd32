"""Transports: an SMTP connection reused for many messages, or .eml files in the outbox.

Both take one message at a time and call ``before_commit`` at the last moment
before the message is handed over for good (the SMTP end-of-data ``.``, or the
rename of the finished file), so the caller can record that point durably.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import logging
import os
import re
import select
import smtplib
import socket
import ssl
import time
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


class SendError(Exception):
    """One message was not surely handed over; the run can go on with the next one.

    A failure that stops the whole run (no connection, the login or the sender
    refused) is a :class:`~xinqu.errors.DeliveryError` instead.
    """


class RefusedError(SendError):
    """The server answered a step of this message with an error code."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code} {text}")
        self.code = code
        self.text = text


class TemporaryError(RefusedError):
    """A 4xx answer: the same message may be tried again later."""


class PermanentError(RefusedError):
    """A 5xx answer to ``RCPT TO``: this recipient will not take mail (a bounce)."""


class MessageRejectedError(RefusedError):
    """A 5xx answer to ``DATA`` or to the end of data: the server refused this *message*.

    It says nothing about the address (a content filter, a size limit, a policy), so
    it is a failure of the message, never a bounce of the reader.
    """


class ConnectionLostError(SendError):
    """The connection broke; ``maybe_delivered`` says whether the server may have the message.

    False when the break is known to have come before the server read the final
    ``.``: the body or the ``.`` could not be written, the server had already closed
    before the ``.`` went out, or it reset the connection while we waited for its
    answer (TCP resets a connection closed with data still unread, and the ``.`` is
    the last thing we send). True when the ``.`` went out and the server closed
    cleanly or went silent without answering: it may have taken the message.
    """

    def __init__(self, text: str, *, maybe_delivered: bool) -> None:
        super().__init__(text)
        self.maybe_delivered = maybe_delivered


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


def _failure(code: int, reply: bytes | str, step: str) -> RefusedError:
    text = f"{step}: {_reply_text(reply)}"
    if 500 <= code < 600:
        return PermanentError(code, text) if step == "RCPT TO" else MessageRejectedError(code, text)
    return TemporaryError(code, text)


def _was_reset(exc: BaseException) -> bool:
    """Whether ``exc`` (or the OSError smtplib wrapped in it) is a TCP reset by the peer."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionResetError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _closed_before_end(sock: socket.socket | None) -> bytes | None:
    """What the server sent while it should be silent reading our data: None if nothing.

    ``b""`` means it closed or reset the connection; other bytes are an early reply.
    A TLS socket cannot be peeked at (its records are not our bytes): None.
    """
    if sock is None or isinstance(sock, ssl.SSLSocket):
        return None
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return None
        return sock.recv(1, socket.MSG_PEEK)
    except OSError:
        return b""


#: How long to wait, after the server closed instead of answering the end of data, for
#: the reset that tells us it never read the final ``.`` (one round trip).
RESET_WAIT_SECONDS = 1.0


def _reset_instead_of_reply(sock: socket.socket | None, timeout: float) -> bool:
    """Whether the server reset the connection instead of answering the final ``.``.

    A TCP stack resets a connection that its program closed with data left unread,
    or that receives data after the close. The ``.`` is the last thing we send, so a
    reset means the server program never read it: the message cannot have been
    taken, and sending it again cannot make a second copy. A clean close (FIN, no
    reset) leaves it in doubt. Waits at most ``timeout`` for the first byte of the
    answer; False whenever the answer (or anything but a reset) comes. TLS sockets
    cannot be peeked at: False.
    """
    if sock is None or isinstance(sock, ssl.SSLSocket):
        return False
    try:
        readable, _, _ = select.select([sock], [], [], timeout)
        if not readable or sock.recv(1, socket.MSG_PEEK):
            return False
    except ConnectionResetError:
        return True
    except OSError:
        return False
    deadline = time.monotonic() + RESET_WAIT_SECONDS
    while True:
        error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if error in (errno.ECONNRESET, errno.EPIPE):
            return True
        if error or time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


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
            early = _closed_before_end(conn.sock)
            if early:
                code, reply = conn.getreply()
                self._drop(conn)
                raise _failure(code, reply, "DATA (answered before the end of data)")
            if early is not None:
                self._drop(conn)
                raise ConnectionLostError(
                    f"connection to {self.where} closed by the server during DATA, "
                    "before the end of data",
                    maybe_delivered=False,
                )
            conn.send(b".\r\n")
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self._drop(conn)
            raise ConnectionLostError(
                f"connection to {self.where} lost before the end of data: {exc}",
                maybe_delivered=False,
            ) from None
        reset = _reset_instead_of_reply(conn.sock, self.settings.timeout_seconds)
        if reset:
            self._drop(conn)
            raise ConnectionLostError(
                f"connection to {self.where} reset by the server before it read the end of data",
                maybe_delivered=False,
            )
        try:
            code, reply = conn.getreply()
        except (OSError, smtplib.SMTPServerDisconnected) as exc:
            self._drop(conn)
            if _was_reset(exc):
                raise ConnectionLostError(
                    f"connection to {self.where} reset by the server before it read the end "
                    "of data",
                    maybe_delivered=False,
                ) from None
            raise ConnectionLostError(
                f"no answer from {self.where} after the end of data: {exc}",
                maybe_delivered=True,
            ) from None
        if code != 250:
            self._reset(conn)
            raise _failure(code, reply, "end of DATA")

    def _drop(self, conn: smtplib.SMTP) -> None:
        _quiet_close(conn)
        self._conn = None


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
