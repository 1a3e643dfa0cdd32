"""Delivery status notifications (RFC 3464): which readers' addresses failed for good.

A server that accepted a message may still fail to deliver it and say so later in
a DSN mailed back to the sender (``multipart/report; report-type=delivery-status``).
Only its machine-readable part counts: for each recipient block, ``Action: failed``
with a ``5.x.x`` status is a permanent failure of that address, which bounces it
like a 5xx answer to ``RCPT TO``; ``delayed`` or a ``4.x.x`` status changes nothing.
The human-readable text of a DSN is never read: its wording differs per server.

Input is what an operator can export from the bounce mailbox: ``.eml`` files, Unix
mbox files, or Maildir folders (``cur``/``new``).
"""

from __future__ import annotations

import email
import mailbox
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email.message import Message
from email.policy import compat32
from pathlib import Path

from xinqu.errors import XinquError


class DsnError(XinquError):
    """A file given as bounce mail could not be read."""


@dataclass(frozen=True)
class Failure:
    """One recipient block of a DSN."""

    recipient: str
    action: str
    status: str
    diagnostic: str

    @property
    def permanent(self) -> bool:
        return self.action == "failed" and self.status.startswith("5")


def _field(block: Message, name: str) -> str:
    return " ".join(str(block.get(name, "")).split())


def _address(value: str) -> str:
    """``rfc822; Neko <a@b>`` → ``a@b`` (the address type and any brackets dropped)."""
    _, _, address = value.partition(";") if ";" in value else ("", "", value)
    return address.strip().strip("<>").strip().lower()


def failures(message: Message) -> list[Failure]:
    """The recipient blocks of every delivery-status part of one message."""
    found: list[Failure] = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        if not isinstance(blocks, list):
            continue
        for block in blocks[1:]:  # the first block is about the message, not a recipient
            if not isinstance(block, Message):
                continue
            recipient = _address(
                _field(block, "Final-Recipient") or _field(block, "Original-Recipient")
            )
            if not recipient or "@" not in recipient:
                continue
            status = _field(block, "Status").split(" ")[0]
            found.append(
                Failure(
                    recipient=recipient,
                    action=_field(block, "Action").lower(),
                    status=status,
                    diagnostic=_field(block, "Diagnostic-Code"),
                )
            )
    return found


def _messages(path: Path) -> Iterator[Message]:
    if path.is_dir():
        if not (path / "cur").is_dir() and not (path / "new").is_dir():
            raise DsnError(f"{path}: a folder given as bounce mail must be a Maildir (cur/, new/)")
        yield from mailbox.Maildir(path, factory=None, create=False)
        return
    data = path.read_bytes()
    if data.startswith(b"From "):
        box = mailbox.mbox(path, create=False)
        try:
            yield from box
        finally:
            box.close()
        return
    # CR-only line ends (old Mac mail clients) are read as line ends too.
    if b"\n" not in data and b"\r" in data:
        data = data.replace(b"\r", b"\n")
    yield email.message_from_bytes(data, policy=compat32)


def read_failures(paths: Iterable[Path]) -> list[tuple[Path, Failure]]:
    """Every recipient block in the given files and folders, with the file it came from."""
    out: list[tuple[Path, Failure]] = []
    for path in paths:
        try:
            for message in _messages(path):
                out.extend((path, failure) for failure in failures(message))
        except OSError as error:
            raise DsnError(f"{path}: cannot read ({error.strerror or error})") from None
    return out
