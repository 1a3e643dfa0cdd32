"""One-off mails: alerts to the editor and the double opt-in confirmation.

Their bodies come from ``xinqu.issue.render.render_notice`` (the
``mail_templates/`` alert and confirm templates).
"""

from __future__ import annotations

import logging
from email.utils import make_msgid

from xinqu.app import App
from xinqu.errors import DeliveryError
from xinqu.issue.render import MessageParts, render_notice
from xinqu.mail import tokens
from xinqu.mail.message import identity, make_address, notice_message, recipient
from xinqu.mail.transport import ConnectionLostError, RefusedError, open_transport
from xinqu.store.subscribers import Subscriber

log = logging.getLogger(__name__)


def _deliver(app: App, to_email: str, to_name: str | None, parts: MessageParts) -> None:
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
    except RefusedError as exc:
        raise DeliveryError(f"mail to {to_email} was refused: {exc}") from None
    except ConnectionLostError as exc:
        raise DeliveryError(f"mail to {to_email} may not have been sent: {exc}") from None


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
    parts = render_notice(app, "alert", context)
    _deliver(app, address.addr_spec, address.display_name or None, parts)


def send_confirmation(app: App, subscriber: Subscriber) -> str:
    """Mail a pending subscriber the link that activates them; returns the link."""
    key = tokens.secret(app)
    url = tokens.link(app, key, "confirm", subscriber.id, subscriber.email)
    sections = app.config.sections.sections
    chosen = [x.title for x in sections if subscriber.sections and x.key in subscriber.sections]
    context = {
        "name": subscriber.name,
        "email": subscriber.email,
        "confirm_url": url,
        "sections": chosen,
        "unsubscribe_url": None,  # nothing to leave yet
    }
    parts = render_notice(app, "confirm", context)
    _deliver(app, subscriber.email, subscriber.name, parts)
    return url
