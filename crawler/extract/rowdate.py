"""The date of one list row, from the most structured evidence the row offers.

A list row (an ``li``, a ``tr``, a card) may show several dates: the publication
time in a ``<time datetime>``, a date column, the day in the article URL, and
dates inside its summary (``10月26日下午，区人大常委会召开…`` — the event, not the
publication). The evidence is read in this order, and the first that gives a date
wins, whatever the others say:

1. ``time``: a ``<time datetime>`` (or an element with ``itemprop=datePublished``);
2. ``element``: an element of its own holding only a date (``span.date``, a
   ``<td>`` of a date column, ``[2026-11-17]``, ``发布日期：2026-11-17``, or a day
   split in two parts ``<b>17</b><i>2026-11</i>``); in a table with several date
   columns the one headed 发布/公开 beats 成文/印发/实施;
3. ``url``: the day in the article URL (``/20261117/``, ``t20261117_``, ``/2026-11/17/``);
4. ``text``: any other date in the row's short texts.

Prose inside the row — a summary, an abstract — is never a date source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from itertools import islice

from lxml.etree import _Element

from crawler.extract.dates import parse_datetime
from crawler.extract.urldates import date_in_url

#: The evidence names, most structured first (shown by ``xinqu sources check``).
EVIDENCE = ("time", "element", "url", "text", "json")

_LABEL = r"(?:(?:发布|发表|公开|更新|成文|印发)?(?:日期|时间)|发布|日期|时间|date|time)\s*[:：]?\s*"
#: English month names as English pages of Chinese sites print them: ``Nov 17, 2026``,
#: ``17 November 2026``, ``Nov. 17``.
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)[a-z]*\.?"
_ENGLISH = (
    rf"{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+(?:19|20)\d{{2}})?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?:19|20)\d{{2}}"
)
_DATE = (
    rf"(?:{_ENGLISH}|"
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"|\d{2}[-/.]\d{1,2}[-/.]\d{1,2}"
    r"|\d{1,2}\s*[-/月]\s*\d{1,2}\s*日?|\d{2}\.\d{2})"
    r"(?:\s*(?:星期|周)[一二三四五六日天])?"
    r"(?:\s*(?:T|\s)?\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?"
)
#: The whole text of an element that holds only a date (a label and brackets allowed).
DATE_ONLY = re.compile(
    rf"^\s*[\[(（【]?\s*(?:{_LABEL})?[\[(（【]?\s*{_DATE}\s*[\])）】]?\s*$", re.IGNORECASE
)
#: A day split over two elements: ``17 2026-11`` or ``2026-11 17`` (``2026.11 / 17``).
_SPLIT_DAY = re.compile(
    r"^\s*(?:(?P<d1>\d{1,2})\s*[/|]?\s*(?P<y1>20\d{2})\s*[-/.年]\s*(?P<m1>\d{1,2})\s*月?"
    r"|(?P<y2>20\d{2})\s*[-/.年]\s*(?P<m2>\d{1,2})\s*月?\s*[/|]?\s*(?P<d2>\d{1,2})\s*日?)\s*$"
)
#: News portals' relative times: ``3小时前``, ``25分钟前``, ``昨天 18:30``, ``今天 09:12``.
_RELATIVE = re.compile(
    r"^\s*(?:(?P<n>\d{1,2})\s*(?P<unit>分钟|小时|天)前|(?P<day>今天|昨天|前天)"
    r"(?:\s*(?P<H>\d{1,2})[:：](?P<M>\d{2}))?)\s*$"
)
#: How many of a table's first rows may hold its column headers.
_HEADER_ROWS = 4
#: A row date later than now by more than this is an event's date, not a publication's.
_FUTURE = timedelta(days=1)
_SECONDARY = re.compile(r"成文|印发|实施|施行|生效|有效|截止|开始|结束|废止|修订")
_PRIMARY = re.compile(r"发布|公开|发表|更新")
_PROSE_PUNCT = re.compile(r"[，。；！？、,;]")
_SUMMARY_TOKENS = {
    "summary",
    "abstract",
    "desc",
    "description",
    "intro",
    "brief",
    "excerpt",
    "digest",
    "lead",
    "zy",
    "zhaiyao",
    "jj",
    "jianjie",
    "gaiyao",
}


@dataclass(frozen=True)
class RowDate:
    value: datetime
    evidence: str


def _text(node: _Element) -> str:
    return re.sub(r"\s+", " ", node.text_content()).strip()


def _tokens(node: _Element) -> set[str]:
    marker = f"{node.get('class') or ''} {node.get('id') or ''}"
    marker = re.sub(r"([a-z])([A-Z])", r"\1 \2", marker).lower()
    return set(re.split(r"[\s_\-]+", marker)) - {""}


def is_prose(node: _Element) -> bool:
    """A summary or abstract: marked so, or a sentence-long text with punctuation."""
    if _tokens(node) & _SUMMARY_TOKENS:
        return True
    text = _text(node)
    return len(text) >= 60 or (len(text) >= 24 and bool(_PROSE_PUNCT.search(text)))


def _holds(node: _Element, anchor: _Element) -> bool:
    return any(a is node for a in anchor.iterancestors())


def _skippable(node: _Element, anchor: _Element) -> bool:
    """Prose that is neither the link nor holds it."""
    return node is not anchor and not _holds(node, anchor) and is_prose(node)


def _elements(row: _Element, anchor: _Element) -> list[_Element]:
    """The row's elements outside its prose, the anchor's own children included."""
    out = []
    stack = [row]
    while stack:
        node = stack.pop()
        for child in reversed(list(node)):
            if not isinstance(child.tag, str):
                continue
            if _skippable(child, anchor):
                continue
            out.append(child)
            stack.append(child)
    order = {id(n): i for i, n in enumerate(row.iter())}
    return sorted(out, key=lambda n: order.get(id(n), 0))


def _time_evidence(nodes: list[_Element], tz: tzinfo, now: datetime) -> datetime | None:
    for node in nodes:
        if node.tag == "time" or (node.get("itemprop") or "").lower() == "datepublished":
            value = node.get("datetime") or node.get("content") or _text(node)
            found = parse_datetime(value, tz, now)
            if found is not None:
                return found
    return None


def _header(cell: _Element) -> str:
    """The text heading a table cell's column (its ``th``, or the first row's cell)."""
    row = cell.getparent()
    if row is None or row.tag != "tr":
        return ""
    cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]
    index = next((i for i, c in enumerate(cells) if c is cell), None)
    table = next((a for a in row.iterancestors() if a.tag == "table"), None)
    if index is None or table is None:
        return ""
    # A header sits among a table's first rows: looking no further keeps a table of
    # thousands of rows linear.
    for head in islice(table.iter("tr"), _HEADER_ROWS):
        if head is row:
            break
        heads = [c for c in head if isinstance(c.tag, str) and c.tag in ("td", "th")]
        if len(heads) == len(cells) and not any(h.find(".//a") is not None for h in heads):
            return _text(heads[index])
    return ""


def _label(node: _Element) -> str:
    """What names a date element: its own label text, its column header, its class."""
    cell = node if node.tag in ("td", "th") else None
    if cell is None:
        cell = next((a for a in node.iterancestors() if a.tag in ("td", "th")), None)
    header = _header(cell) if cell is not None else ""
    before = node.getprevious()
    previous = _text(before) if before is not None and len(_text(before)) <= 8 else ""
    return f"{_text(node)} {header} {previous} {node.get('class') or ''}"


def _relative(text: str, tz: tzinfo, now: datetime) -> datetime | None:
    match = _RELATIVE.match(text)
    if match is None:
        return None
    local = now.astimezone(tz)
    if match["n"]:
        unit = {"分钟": "minutes", "小时": "hours", "天": "days"}[match["unit"]]
        return local - timedelta(**{unit: int(match["n"])})
    day = local - timedelta(days={"今天": 0, "昨天": 1, "前天": 2}[match["day"]])
    if match["H"]:
        return day.replace(hour=int(match["H"]), minute=int(match["M"]), second=0, microsecond=0)
    return day.replace(hour=0, minute=0, second=0, microsecond=0)


def _element_evidence(
    nodes: list[_Element], anchor: _Element, tz: tzinfo, now: datetime
) -> datetime | None:
    found: list[tuple[int, datetime]] = []
    for node in nodes:
        if node is anchor:
            continue
        text = _text(node)
        value = None
        if DATE_ONLY.match(text):
            value = parse_datetime(text, tz, now)
        elif _RELATIVE.match(text):
            value = _relative(text, tz, now)
        elif (split := _SPLIT_DAY.match(text)) and len(node):
            y = split["y1"] or split["y2"]
            m = split["m1"] or split["m2"]
            d = split["d1"] or split["d2"]
            value = parse_datetime(f"{y}-{int(m):02d}-{int(d):02d}", tz, now)
        if value is None or value > now + _FUTURE:
            continue
        label = _label(node)
        rank = 0 if _PRIMARY.search(label) else 2 if _SECONDARY.search(label) else 1
        found.append((rank, value))
    if not found:
        return None
    # Unlabelled columns (成文, 发布): the later date is the publication.
    best = min(rank for rank, _ in found)
    return max(value for rank, value in found if rank == best)


def _free_text(node: _Element, anchor: _Element, title: str) -> str:
    parts = [node.text or ""]
    for child in node:
        if child is anchor:
            parts.append(_text(child).replace(title, " ", 1) if title else _text(child))
        elif isinstance(child.tag, str) and not _skippable(child, anchor):
            parts.append(_free_text(child, anchor, title))
        parts.append(child.tail or "")
    return " ".join(parts)


def row_date(
    row: _Element, anchor: _Element, title: str, url: str, tz: tzinfo, now: datetime
) -> RowDate | None:
    """The publication date a list row shows for its link, and the evidence it came from."""
    nodes = _elements(row, anchor)
    following = row.getnext()
    if following is not None and following.tag in ("dd", "span", "td", "em", "i"):
        nodes.append(following)
    if (value := _time_evidence(nodes, tz, now)) is not None:
        return RowDate(value, "time")
    if (value := _element_evidence(nodes, anchor, tz, now)) is not None:
        return RowDate(value, "element")
    if (value := date_in_url(url, tz)) is not None:
        return RowDate(value, "url")
    text = _free_text(row, anchor, title)
    if following is not None and following.tag in ("dd", "span", "td", "em", "i"):
        text += " " + _text(following)
    if re.search(r"\d", text) and (value := parse_datetime(text, tz, now)) is not None:
        return RowDate(value, "text")
    return None
