"""Helpers the platform families share: article links by URL pattern, dates in list
rows (by the one row-date rule of ``crawler/extract/rowdate.py``), JSON bodies and
the usual ways a list names its next page (by ``crawler/extract/pagination.py``)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag
from lxml import html as lxml_html
from lxml.etree import ParserError
from scrapy.http import Response

from crawler.extract.encoding import decode_html
from crawler.extract.listing import ListEntry
from crawler.extract.pagination import COUNT_PAGE, PAGE_TOTAL, labelled_next
from crawler.extract.rowdate import RowDate
from crawler.extract.rowdate import row_date as rowdate_of
from crawler.extract.soup import attr
from crawler.families.base import Family, ListPage
from xinqu.config import Source

_JS_URL = re.compile(r"""window\.open\(\s*['"]([^'"]+)['"]""")
_NOISE = re.compile(r"hot|rank|recommend|tuijian|paihang|side|nav|footer|friend", re.I)


def clean_title(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" •·\u3000")


def anchor_title(anchor: Tag) -> str:
    """The longer of the link text and its ``title`` (lists truncate long headlines)."""
    text = clean_title(anchor.get_text(" ", strip=True))
    title = clean_title(attr(anchor, "title"))
    shortened = text.rstrip("….")
    return title if title and (len(title) > len(text) or title.startswith(shortened)) else text


def _row(anchor: Tag) -> Tag:
    """The list row holding a link: its li/tr/dd, else the widest block with only it."""
    row = None
    for parent in anchor.parents:
        if parent.name in ("li", "tr", "dd"):
            return parent
        if parent.name in ("ul", "ol", "table", "tbody", "dl", "body"):
            break
        if parent.name == "div" and len(parent.find_all("a", href=True)) == 1:
            row = parent
    return row or anchor.parent or anchor


_MARK = "data-xinqu-anchor"


def row_date(row: Tag, anchor: Tag | None, url: str, tz: tzinfo, now: datetime) -> RowDate | None:
    """The date a list row shows for its link, from the most structured evidence
    (``<time datetime>``, a date element of its own, the URL, then free text; never a
    summary): the rule of :func:`crawler.extract.rowdate.row_date`, on the row's markup."""
    if anchor is not None:
        anchor[_MARK] = "1"
    markup = str(row)
    if anchor is not None:
        del anchor[_MARK]
    try:
        tree = lxml_html.fragment_fromstring(markup, create_parent="div")
    except (ParserError, ValueError):
        return None
    marked = tree.xpath(f"//*[@{_MARK}]")
    lxml_row = tree[0] if len(tree) == 1 else tree
    lxml_anchor = marked[0] if marked else lxml_row
    title = anchor.get_text(" ", strip=True) if anchor is not None else ""
    return rowdate_of(lxml_row, lxml_anchor, title, url, tz, now)


def _dated(url: str, title: str, found: RowDate | None) -> ListEntry:
    if found is None:
        return ListEntry(url=url, title=title)
    return ListEntry(url=url, title=title, published_at=found.value, date_from=found.evidence)


def _in_noise(anchor: Tag) -> bool:
    for parent in anchor.parents:
        if parent.name == "body":
            return False
        if parent.name in ("nav", "header", "footer"):
            return True
        marker = " ".join([attr(parent, "class"), attr(parent, "id")]).strip()
        if marker and _NOISE.search(marker):
            return True
    return False


def entries_by_pattern(
    html: str, base_url: str, pattern: re.Pattern[str], tz: tzinfo, now: datetime
) -> list[ListEntry]:
    """Links whose URL matches the platform's article pattern, from the list holding most.

    Grouping by the enclosing list keeps sidebars (热点, 推荐) out even when their
    links have the same shape; dates come from the row, else from the URL.
    """
    soup = BeautifulSoup(html, "lxml")
    groups: dict[int, list[ListEntry]] = defaultdict(list)
    for anchor in soup.find_all("a", href=True):
        url = urljoin(base_url, attr(anchor, "href").strip())
        if not pattern.search(url) or _in_noise(anchor):
            continue
        container = next(
            (p for p in anchor.parents if p.name in ("ul", "ol", "table", "tbody", "dl")),
            anchor.parent,
        )
        row = _row(anchor)
        groups[id(container)].append(
            _dated(url, anchor_title(anchor), row_date(row, anchor, url, tz, now))
        )
    if not groups:
        return []
    largest = max(groups, key=lambda key: len(groups[key]))
    return unique(groups[largest])


def onclick_entries(
    soup: BeautifulSoup, selector: str, base_url: str, tz: tzinfo, now: datetime
) -> list[ListEntry]:
    """List items that open their article by ``onclick="window.open('…')"``."""
    entries = []
    for item in soup.select(selector):
        match = _JS_URL.search(attr(item, "onclick"))
        anchor = item.find("a", href=True)
        href = match.group(1) if match else (anchor["href"] if anchor else None)
        if not href:
            continue
        url = urljoin(base_url, href)
        title_node = item.select_one(".s2, .title") or anchor or item
        title = clean_title(attr(title_node, "title") or title_node.get_text(" ", strip=True))
        entries.append(_dated(url, title, row_date(item, title_node, url, tz, now)))
    return unique(entries)


def unique(entries: Iterable[ListEntry]) -> list[ListEntry]:
    seen: set[str] = set()
    out = []
    for entry in entries:
        if entry.url not in seen and entry.title:
            seen.add(entry.url)
            out.append(entry)
    return out


def next_link(soup: BeautifulSoup, base_url: str) -> str | None:
    """The href of a 下一页 link (the pagination module's rule), when it is a real URL."""
    links = (
        (a.get_text(" ", strip=True), attr(a, "title"), attr(a, "href"))
        for a in soup.find_all("a", href=True)
    )
    return labelled_next(links, base_url)


def page_count(html: str) -> int | None:
    """A total page count from an inline pager script (``countPage = 12`` and the like)."""
    match = COUNT_PAGE.search(html) or PAGE_TOTAL.search(html)
    return int(match.group(1)) if match else None


def first_key(record: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        value = record.get(key)
        if value not in (None, ""):
            return value
    return None


def response_text(response: Response) -> str:
    """The body as text, also for responses Scrapy did not recognise as text."""
    text = getattr(response, "text", None)
    if isinstance(text, str):
        return text

    charset = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    match = re.search(r"charset=([\w-]+)", charset)
    return decode_html(response.body, match.group(1) if match else None)


class PatternListFamily(Family):
    """A platform whose list pages are plain HTML.

    Its article links are recognised by URL pattern (``article_url``), and its next
    page is a 下一页 link or, failing that, the platform's own pager
    (:meth:`next_page`). A source's ``link_selector`` overrides the pattern.
    """

    article_url: re.Pattern[str]

    def parse_list(self, response: Response, source: Source, tz: tzinfo, now: datetime) -> ListPage:
        if source.link_selector:
            return super().parse_list(response, source, tz, now)
        html = response_text(response)
        soup = BeautifulSoup(html, "lxml")
        entries = self.list_entries(html, soup, response.url, tz, now)
        following = next_link(soup, response.url) or self.next_page(html, response.url)
        return ListPage(entries=entries, next_urls=[following] if following else [])

    def list_entries(
        self, html: str, soup: BeautifulSoup, url: str, tz: tzinfo, now: datetime
    ) -> list[ListEntry]:
        return entries_by_pattern(html, url, self.article_url, tz, now)

    def next_page(self, html: str, url: str) -> str | None:
        """The platform's own pager, when the page has no 下一页 link."""
        return None
