"""One-off mails: alerts to the editor and the double opt-in confirmation.

Their bodies come from ``xinqu.issue.render.render_notice`` (the
``mail_templates/`` alert and confirm templates) when that module is present;
otherwise a plain-text body built here is sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.utils import make_msgid
from typing import Any

from xinqu.app import App
from xinqu.errors import DeliveryError
from xinqu.mail import tokens
from xinqu.mail.message import identity, make_address, notice_message, recipient
from xinqu.mail.transport import TemporaryError, open_transport
from xinqu.store.subscribers import Subscriber

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Parts:
    subject: str
    text: str
    html: str | None


def _render(app: App, template: str, context: dict[str, Any], fallback: _Parts) -> _Parts:
    try:
        from xinqu.issue.render import render_notice  # type: ignore[import-not-found]
    except ModuleNotFoundError as exc:
        if exc.name not in ("xinqu.issue", "xinqu.issue.render"):
            raise
        return fallback
    parts = render_notice(app, template, context)
    return _Parts(parts.subject, parts.text, getattr(parts, "html", None))


def _deliver(app: App, to_email: str, to_name: str | None, parts: _Parts) -> None:
    ident = identity(app)
    msg = notice_message(
        ident,
        to=recipient(to_email, to_name),
        subject=parts.subject,
        text=parts.text,
        html_body=parts.html,
        message_id=make_msgid("xinqu", domain=ident.domain),
    )
    try:
        with open_transport(app) as transport:
            transport.send(msg, ident.sender.addr_spec, to_email, lambda: None)
    except TemporaryError as exc:
        raise DeliveryError(f"mail to {to_email} was refused: {exc}") from None


def send_alert(app: App, subject: str, text: str) -> None:
    """Mail an alert to ``mail.editor``; without an editor it is only logged.

    Raises DeliveryError when the mail cannot be handed over.
    """
    editor = app.config.settings.mail.editor
    if not editor:
        log.warning("alert not mailed (mail.editor is not set): %s", subject)
        return
    address = make_address(editor, where="mail.editor")
    context = {"subject": subject, "message": text, "unsubscribe_url": None}
    parts = _render(app, "alert", context, _Parts(subject, text, None))
    _deliver(app, address.addr_spec, address.display_name or None, parts)


def send_confirmation(app: App, subscriber: Subscriber) -> str:
    """Mail a pending subscriber the link that activates them; returns the link."""
    key = tokens.secret(app)
    url = tokens.link(app, key, "confirm", subscriber.id, subscriber.email)
    title = app.config.settings.bulletin.title
    greeting = f"{subscriber.name}：" if subscriber.name else "您好："
    fallback = _Parts(
        f"请确认订阅《{title}》",
        f"{greeting}\n\n"
        f"有人（希望是您）用 {subscriber.email} 订阅了《{title}》。\n"
        f"请打开下面的链接确认订阅：\n\n{url}\n\n"
        "如果不是您本人操作，请忽略本邮件，您不会收到任何后续邮件。\n",
        None,
    )
    sections = app.config.sections.sections
    chosen = [x.title for x in sections if subscriber.sections and x.key in subscriber.sections]
    context = {
        "name": subscriber.name,
        "email": subscriber.email,
        "confirm_url": url,
        "sections": chosen,
        "unsubscribe_url": None,  # nothing to leave yet
    }
    parts = _render(app, "confirm", context, fallback)
    _deliver(app, subscriber.email, subscriber.name, parts)
    return url
