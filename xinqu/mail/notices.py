"""One-off mails: alerts to the editor and the double opt-in confirmation.

Their bodies come from ``xinqu.issue.render.render_notice`` (the ``alert`` and
``confirm`` templates). The health alert (:func:`alert_new_flags`) lives here rather
than in ``xinqu.health``: health judges sources, mail tells the editor, and the editor
copy reads health, so health must not depend on mail.
"""

from __future__ import annotations

import logging
from email.utils import make_msgid
from typing import Any

from xinqu import clock
from xinqu.app import App
from xinqu.errors import DeliveryError
from xinqu.health import SourceHealth
from xinqu.issue.render import MessageParts, render_notice
from xinqu.mail import tokens
from xinqu.mail.message import identity, make_address, notice_message, recipient
from xinqu.mail.transport import ConnectionLostError, RefusedError, open_transport
from xinqu.store.locks import delete_state, set_state, states_with_prefix
from xinqu.store.subscribers import Subscriber

log = logging.getLogger(__name__)


def _render(app: App, template: str, context: dict[str, Any]) -> MessageParts:
    return render_notice(app.config.settings, template, context)


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
        if exc.maybe_delivered:
            raise DeliveryError(f"mail to {to_email} may not have been sent: {exc}") from None
        raise DeliveryError(f"mail to {to_email} was not sent: {exc}") from None


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
    parts = _render(app, "alert", context)
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
    parts = _render(app, "confirm", context)
    _deliver(app, subscriber.email, subscriber.name, parts)
    return url


def alert_new_flags(app: App, healths: list[SourceHealth]) -> list[str]:
    """Mail the editor about flags raised since the last alert; returns the lines sent.

    Each condition is remembered as ``alert:<source>:<kind>`` in the service state
    and forgotten when it clears, so an editor hears of it once per occurrence.
    """
    current = {
        f"alert:{h.name}:{f.kind}": f"{h.name} ({h.area}): {f.text}"
        for h in healths
        for f in h.flags
    }
    with app.store.session() as session:
        known = states_with_prefix(session, "alert:")
        for key in set(known) - set(current):
            delete_state(session, key)
    fresh = {key: line for key, line in current.items() if key not in known}
    if not fresh:
        return []
    lines = sorted(fresh.values())
    subject = f"xinqu: {len(lines)} source(s) need attention"
    text = "\n".join(
        [
            "These sources were flagged by the scheduler:",
            "",
            *lines,
            "",
            "Run `xinqu status` for the full picture.",
        ]
    )
    send_alert(app, subject, text)
    with app.store.session() as session:
        for key in fresh:
            set_state(session, key, clock.now().isoformat())
    log.warning("alerted the editor: %s", "; ".join(lines))
    return lines
