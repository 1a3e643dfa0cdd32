"""The issue as a Word document: an editable draft of the print edition.

The print edition proper is the PDF (``printed.py``). The DOCX carries the same
anatomy — masthead, 期号 and date, contents, whole articles with sub-headings
and （来源：…）, the 送/发 footer — for an editor who wants to touch up an issue
before printing it. It is built from the same cleaned view as the templates,
and its bytes are stable (fixed document properties and ZIP timestamps).
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from xinqu.config import Settings
from xinqu.issue.render import cn_date, issue_context
from xinqu.store.issues import Issue

RED = RGBColor(0xC0, 0x00, 0x00)
SERIF = "SimSun"
SANS = "SimHei"
BODY_PT = 15


def _run(
    paragraph: Paragraph,
    text: str,
    *,
    size: float = BODY_PT,
    bold: bool = False,
    font: str = SERIF,
    color: RGBColor | None = None,
) -> None:
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = font
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    if color is not None:
        run.font.color.rgb = color


def _border(paragraph: Paragraph, side: str, *, size: int = 12, color: str = "C00000") -> None:
    """A rule above or below the paragraph (size in eighths of a point)."""
    properties = paragraph._p.get_or_add_pPr()
    borders = properties.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        properties.append(borders)
    edge = OxmlElement(f"w:{side}")
    for key, value in (("val", "single"), ("sz", str(size)), ("space", "1"), ("color", color)):
        edge.set(qn(f"w:{key}"), value)
    borders.append(edge)


def _stable_zip(data: bytes, when: datetime) -> bytes:
    """The same ZIP with every member dated ``when``, so equal documents are equal bytes."""
    out = io.BytesIO()
    stamp = (when.year, when.month, when.day, 0, 0, 0)
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


def render_docx(settings: Settings, content: dict[str, Any], *, year_number: int) -> bytes:
    ctx = issue_context(settings, content, year_number=year_number, article_chars=None)
    doc = Document()
    page = doc.sections[0]
    page.page_width, page.page_height = Mm(210), Mm(297)
    page.top_margin, page.bottom_margin = Mm(28), Mm(26)
    page.left_margin, page.right_margin = Mm(28), Mm(26)
    text_width = Mm(210 - 28 - 26)

    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(head, ctx["title_wide"], size=40, bold=True, font=SERIF, color=RED)
    label = doc.add_paragraph()
    label.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(label, ctx["issue_label"], size=14)
    byline = doc.add_paragraph()
    byline.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
    _run(byline, f"{ctx['publisher']}\t{cn_date(ctx['date'])}", size=14)
    _border(byline, "bottom", size=20)

    for section in ctx["sections"]:
        _run(doc.add_paragraph(), section["title"], size=16, bold=True, font=SANS)
        for index, item in enumerate(section["items"], start=1):
            _run(doc.add_paragraph(), f"{index}、{item['headline']}")

    for section in ctx["sections"]:
        if not section["items"]:
            continue
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _run(doc.add_paragraph(), section["title"], size=16, bold=True, font=SANS, color=RED)
        for item in section["items"]:
            headline = doc.add_paragraph()
            headline.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(headline, item["headline"], size=17, bold=True, font=SANS)
            for para in item["paras"]:
                p = doc.add_paragraph()
                if para["sub"]:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    _run(p, para["text"], bold=True, font=SANS)
                else:
                    p.paragraph_format.first_line_indent = Pt(2 * BODY_PT)
                    _run(p, para["text"])
            _run(doc.add_paragraph(), f"（来源：{item['site_name']}）")

    first = True
    for key, lines in ctx["distribution"]:
        for n, line in enumerate(lines):
            p = doc.add_paragraph()
            _run(p, f"{key}：{line}" if n == 0 else f"\u3000\u3000 {line}", size=13)
            if first:
                _border(p, "top", size=8, color="000000")
                first = False
    if not first:
        _border(doc.paragraphs[-1], "bottom", size=8, color="000000")

    day = datetime.fromisoformat(content["date"]).replace(tzinfo=UTC)
    props = doc.core_properties
    props.title = ctx["subject"]
    props.author = props.last_modified_by = ctx["publisher"]
    props.created = props.modified = day
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    return _stable_zip(buffer.getvalue(), day)


def issue_docx(settings: Settings, issue: Issue) -> bytes:
    return render_docx(settings, json.loads(issue.content), year_number=issue.year_number)
