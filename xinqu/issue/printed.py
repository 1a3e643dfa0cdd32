"""The print edition: the issue as an A4 PDF laid out like the printed bulletin.

Why the print edition is a PDF through WeasyPrint rather than a DOCX through
python-docx: it comes from the same Jinja2 templates and autoescaping as the
mail editions (`print.html` beside the others), it looks the same on every
machine (fonts embedded, nothing re-flowed by a word processor), and it can be
checked by eye and by test (pdftoppm). Its cost is Pango and a CJK font on the
machine (Debian: fonts-noto-cjk), which scripts/test installs. A DOCX draft
(``docx_edition.py``) exists only for an editor who wants to edit before printing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from xinqu.config import Settings
from xinqu.errors import XinquError
from xinqu.issue.render import environment, issue_context
from xinqu.store.issues import Issue


class PrintEditionError(XinquError):
    """The PDF cannot be made here (WeasyPrint or its system libraries are missing)."""


def print_html(settings: Settings, content: dict[str, Any], *, year_number: int) -> str:
    context = issue_context(settings, content, year_number=year_number, article_chars=None)
    return environment().get_template("print.html").render(context)


def print_document(settings: Settings, content: dict[str, Any], *, year_number: int) -> Any:
    """The laid-out WeasyPrint document (pages with their sizes) of the print edition."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise PrintEditionError(
            f"cannot make the PDF edition: WeasyPrint is not usable here ({exc})"
        ) from None
    html = print_html(settings, content, year_number=year_number)
    return weasyprint.HTML(string=html).render()


def render_pdf(settings: Settings, content: dict[str, Any], *, year_number: int) -> bytes:
    """The issue as PDF bytes; the same content gives the same bytes."""
    document = print_document(settings, content, year_number=year_number)
    day = datetime.fromisoformat(content["date"]).replace(tzinfo=UTC)
    document.metadata.title = f"{settings.bulletin.title} {content['date']}"
    document.metadata.authors = [settings.bulletin.publisher]
    document.metadata.created = day.isoformat()
    document.metadata.modified = day.isoformat()
    pdf = document.write_pdf()
    if pdf is None:
        raise PrintEditionError("WeasyPrint produced no PDF")
    return bytes(pdf)


def issue_pdf(settings: Settings, issue: Issue) -> bytes:
    return render_pdf(settings, json.loads(issue.content), year_number=issue.year_number)
