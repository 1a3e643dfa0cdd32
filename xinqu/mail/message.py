"""Building the messages: headers that cannot be injected, MIME that clients expect.

Every header value passes through :func:`one_line`, so a crawled title with CR/LF
(or any other control or line-separator character) becomes one line of text and
can never start a new header. Non-ASCII display names, subjects and the List-Id
phrase are left to the ``email`` package's SMTP policy, which writes them as
RFC 2047 encoded words; bodies are UTF-8 in base64.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from urllib.parse import quote

from xinqu.app import App
from xinqu.clock import now
from xinqu.errors import ConfigError
from xinqu.issue.render import MessageParts
from xinqu.store.issues import UNSUBSCRIBE_PLACEHOLDER, Issue

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

#: The SMTP policy (CRLF, RFC 2047 for non-ASCII), except that a header we set raw
#: (List-Unsubscribe) is written as given: refolding would turn its URLs into
#: encoded words, which no client decodes there (RFC 2369 wants them verbatim).
POLICY = SMTP.clone(refold_source="none")


def one_line(value: str) -> str:
    """Collapse every run of white space (CR and LF included) into one space."""
    return _CONTROL.sub("", " ".join(value.split()))


def make_address(value: str, *, where: str = "address") -> Address:
    """``"西咸研究院 <bulletin@example.org>"`` or a bare address, as an Address."""
    name, addr = parseaddr(one_line(value))
    if "@" not in addr:
        raise ConfigError(f"settings.yaml: {where}: expected an e-mail address, got {value!r}")
    local, _, domain = addr.rpartition("@")
    try:
        return Address(display_name=name, username=local, domain=domain)
    except (ValueError, IndexError) as exc:
        raise ConfigError(f"settings.yaml: {where}: {exc}") from None


@dataclass(frozen=True)
class Identity:
    """Who the mail is from, as configured (``mail.*``)."""

    sender: Address
    reply_to: Address | None
    list_id: str
    unsubscribe_mailto: str
    title: str

    @property
    def domain(self) -> str:
        return self.sender.domain


def identity(app: App) -> Identity:
    mail = app.config.settings.mail
    sender = make_address(mail.from_, where="mail.from")
    reply_to = make_address(mail.reply_to, where="mail.reply_to") if mail.reply_to else None
    label = one_line(mail.list_id or f"{sender.username}.{sender.domain}")
    mailto = make_address(
        mail.unsubscribe_mailto or sender.addr_spec, where="mail.unsubscribe_mailto"
    )
    return Identity(
        sender=sender,
        reply_to=reply_to,
        list_id=label,
        unsubscribe_mailto=mailto.addr_spec,
        title=one_line(app.config.settings.bulletin.title),
    )


def message_id_for(key: bytes, ident: Identity, issue: Issue, subscriber_id: int) -> str:
    """Stable per issue and recipient (recorded in the delivery record when planned)."""
    tag = hmac.new(key, f"message\0{issue.id}\0{subscriber_id}".encode(), hashlib.sha256)
    return f"<xinqu.{issue.number}.{subscriber_id}.{tag.hexdigest()[:16]}@{ident.domain}>"


def _base(ident: Identity, to: Address, subject: str, message_id: str) -> EmailMessage:
    msg = EmailMessage(policy=POLICY)
    msg["From"] = ident.sender
    msg["To"] = to
    msg["Subject"] = one_line(subject)
    msg["Date"] = format_datetime(now())
    msg["Message-ID"] = one_line(message_id)
    if ident.reply_to is not None:
        msg["Reply-To"] = ident.reply_to
    return msg


def recipient(email: str, name: str | None) -> Address:
    local, _, domain = email.rpartition("@")
    return Address(display_name=one_line(name or ""), username=local, domain=domain)


def issue_message(
    ident: Identity,
    issue: Issue,
    *,
    to: Address,
    message_id: str,
    unsubscribe_url: str,
    unsubscribe_token: str,
    edition: MessageParts | None = None,
) -> EmailMessage:
    """The frozen issue for one reader: only the unsubscribe link is personal.

    ``edition``: the reader's edition (xinqu.mail.editions) when it is not the whole issue.
    """
    bodies = edition or MessageParts(subject=issue.subject, text=issue.text, html=issue.html)
    msg = _base(ident, to, bodies.subject, message_id)
    msg["List-Id"] = f"{ident.title} <{ident.list_id}>"
    mailto = (
        f"mailto:{ident.unsubscribe_mailto}?subject={quote('unsubscribe ' + unsubscribe_token)}"
    )
    msg.set_raw("List-Unsubscribe", f"<{one_line(unsubscribe_url)}>,\n <{one_line(mailto)}>")
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    text = bodies.text.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url)
    body = bodies.html.replace(UNSUBSCRIBE_PLACEHOLDER, html.escape(unsubscribe_url, quote=True))
    msg.set_content(text, subtype="plain", charset="utf-8", cte="base64")
    msg.add_alternative(body, subtype="html", charset="utf-8", cte="base64")
    return msg


#: What stands for the unsubscribe link in the editor copy (the editor is no subscriber).
EDITOR_NO_UNSUBSCRIBE = "（编辑副本，无退订链接）"
EDITOR_SUBJECT_PREFIX = "【编辑副本】"
#: The readers' unsubscribe link in the frozen HTML, whatever css-inline added to it.
_UNSUBSCRIBE_LINK = re.compile(
    rf'<a\b[^>]*href="{re.escape(UNSUBSCRIBE_PLACEHOLDER)}"[^>]*>.*?</a>', re.DOTALL
)


def editor_message(
    ident: Identity,
    issue: Issue,
    *,
    to: Address,
    message_id: str,
    footer_text: str,
    footer_html: str,
) -> EmailMessage:
    """The frozen issue as the editor gets it: the readers' bodies plus the health footer.

    The frozen text and HTML are used as they are (no list headers, no personal
    link); the footer is appended to the text and put before the HTML's ``</body>``.
    """
    msg = _base(ident, to, EDITOR_SUBJECT_PREFIX + issue.subject, message_id)
    text = issue.text.replace(UNSUBSCRIBE_PLACEHOLDER, EDITOR_NO_UNSUBSCRIBE)
    text = text.rstrip("\n") + "\n\n" + footer_text
    body = _UNSUBSCRIBE_LINK.sub(html.escape(EDITOR_NO_UNSUBSCRIBE), issue.html)
    body = body.replace(UNSUBSCRIBE_PLACEHOLDER, "")
    head, found, tail = body.rpartition("</body>")
    body = f"{head}{footer_html}</body>{tail}" if found else body + footer_html
    msg.set_content(text, subtype="plain", charset="utf-8", cte="base64")
    msg.add_alternative(body, subtype="html", charset="utf-8", cte="base64")
    return msg


def notice_message(
    ident: Identity,
    *,
    to: Address,
    subject: str,
    text: str,
    html_body: str | None,
    message_id: str,
) -> EmailMessage:
    """A one-off mail (alert, confirmation): text, plus HTML when there is one."""
    msg = _base(ident, to, subject, message_id)
    msg.set_content(text, subtype="plain", charset="utf-8", cte="base64")
    if html_body:
        msg.add_alternative(html_body, subtype="html", charset="utf-8", cte="base64")
    return msg


def as_bytes(msg: EmailMessage) -> bytes:
    """The message as it goes on the wire: CRLF line ends, ASCII headers."""
    return msg.as_bytes(policy=POLICY)
