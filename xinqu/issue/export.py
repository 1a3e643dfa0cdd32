"""An issue written out as a file: the formats of `xinqu digest export --format`.

Every format is read from what the issue froze (exporting never builds): ``html``
is the web copy (every 其他动态 entry), ``text`` and ``eml`` the mail of the whole
issue. In a file copy (not addressed to anyone) the unsubscribe placeholder
becomes the general unsubscribe page of the web site.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid, parseaddr

from xinqu.clock import now
from xinqu.config import Settings
from xinqu.errors import XinquError
from xinqu.issue.docx_edition import issue_docx
from xinqu.issue.printed import issue_pdf
from xinqu.store.issues import UNSUBSCRIBE_PLACEHOLDER, Issue

FORMATS = ("html", "text", "json", "eml", "pdf", "docx")


def public_unsubscribe_url(settings: Settings) -> str:
    return f"{str(settings.web.base_url).rstrip('/')}/unsubscribe"


def preview_message(settings: Settings, issue: Issue) -> EmailMessage:
    """The issue as one unaddressed multipart/alternative message (text + HTML)."""
    link = public_unsubscribe_url(settings)
    message = EmailMessage(policy=SMTP)
    message["Subject"] = issue.subject
    message["From"] = settings.mail.from_
    message["Date"] = format_datetime(now())
    domain = parseaddr(settings.mail.from_)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(f"issue-{issue.number}", domain=domain)
    message.set_content(issue.text.replace(UNSUBSCRIBE_PLACEHOLDER, link), cte="base64")
    message.add_alternative(
        issue.html.replace(UNSUBSCRIBE_PLACEHOLDER, link), subtype="html", cte="base64"
    )
    return message


def export(settings: Settings, issue: Issue, fmt: str) -> bytes:
    """The issue in one of ``FORMATS`` as bytes (UTF-8 for the text formats)."""
    link = public_unsubscribe_url(settings)
    if fmt == "json":
        return issue.content.encode("utf-8")
    if fmt == "text":
        return issue.text.replace(UNSUBSCRIBE_PLACEHOLDER, link).encode("utf-8")
    if fmt == "html":
        return issue.web_copy.replace(UNSUBSCRIBE_PLACEHOLDER, link).encode("utf-8")
    if fmt == "eml":
        return preview_message(settings, issue).as_bytes()
    if fmt == "pdf":
        return issue_pdf(settings, issue)
    if fmt == "docx":
        return issue_docx(settings, issue)
    raise XinquError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
