"""Finding the article links of a news list page, and its further pages.

With a configured ``link_selector`` (CSS, or XPath when it starts with ``/`` or
``(``) the links are taken as given. Otherwise the main list is found
automatically:

1. every link that could be an article: same site, not an attachment, not
   ``javascript:``, a text that reads as a headline (or a ``title`` attribute
   when the text is truncated with ``...``), outside navigation, breadcrumbs,
   headers, footers and boxes headed 热点/排行/推荐/相关;
2. each link's *row*: the largest ancestor holding no other candidate link (an
   ``li``, a ``tr``, a ``div.item``); the row's text besides the title gives the
   date (``2026-11-15``, ``[11-15]``, ``2026年11月15日`` ...);
3. rows are grouped by their parent; the group with the most dated, article-like
   links wins, joined by sibling groups of the same shape (a list split in
   several ``ul``).

The next list page is :mod:`crawler.extract.pagination`'s to decide.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html
from lxml.etree import _Element
from scrapy.http import Response, TextResponse

from crawler.extract.entries import ListEntry
from crawler.extract.jsonlist import DataPost, data_posts, data_urls, json_entries, posted_urls
from crawler.extract.pagination import json_next_page, next_list_page
from crawler.extract.rowdate import is_prose, row_date
from xinqu.config import Source

__all__ = [
    "ListEntry",
    "discover_entries",
    "entries_from_html",
    "find_data_posts",
    "find_data_urls",
    "find_next_pages",
    "next_pages",
]


CJK = re.compile(r"[\u4e00-\u9fff]")
WORD = re.compile(r"[A-Za-z]{2,}")
ATTACHMENT = re.compile(
    r"\.(pdf|docx?|xlsx?|pptx?|zip|rar|7z|jpe?g|png|gif|bmp|mp[34]|avi|wps|et|ofd|txt|apk)$",
    re.I,
)


NOISE_TAGS = {"nav", "header", "footer", "aside"}
#: Tokens of class/id values that mark page furniture rather than the main list.
NOISE_TOKENS = {
    "nav",
    "navbar",
    "navigation",
    "menu",
    "submenu",
    "header",
    "head",
    "footer",
    "foot",
    "bottom",
    "copyright",
    "breadcrumb",
    "breadcrumbs",
    "crumb",
    "crumbs",
    "position",
    "location",
    "dqwz",
    "sidebar",
    "aside",
    "side",
    "hot",
    "hotnews",
    "redian",
    "rank",
    "ranking",
    "paihang",
    "recommend",
    "tuijian",
    "related",
    "xgxw",
    "links",
    "friendlink",
    "yqlj",
    "share",
    "banner",
    "pager",
    "pagination",
    "fenye",
    "prevnext",
}
#: Headings of boxes that are not the main list.
NOISE_HEADING = re.compile(r"热点|热门|排行|推荐|相关|专题|友情链接|图片新闻")
NOISE_TEXT = re.compile(
    r"^(上一篇|下一篇|上一条|下一条|上一页|下一页|首页|尾页|末页|更多|查看更多|more|返回|打印|关闭|"
    r"当前位置|网站地图|联系我们|English)",
    re.I,
)
TRUNCATED = re.compile(r"(\.\.\.|…+|\.{2,}|。。。)\s*$")
ARTICLE_PATH = re.compile(
    r"(t\d{8}_\d+|art_\d+_\d+|content_|/content/|post_|/\d{6}/|/\d{4}[-/]\d{1,2}[-/]?\d{0,2}/|"
    r"\d{5,}\.(s?html?|jsp|aspx?|php))",
    re.I,
)
DATE_IN_TEXT = re.compile(
    r"[\[(（【]?\s*(?:(?:19|20)?\d{2}\s*[-/.年]\s*)?\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*[\])）】]?"
)
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
#: A row that opens its article by script: ``window.open('…')``, ``location.href='…'``.
ONCLICK_URL = re.compile(
    r"(?:window\.open\(|location(?:\.href)?\s*=|location\.assign\()\s*['\"]([^'\"]+)"
)
CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
MIN_CJK = 5
#: A list item holding more candidate links than this is a box, not one row.
MAX_ROW_LINKS = 3
#: A link repeated in this many rows with one text is the rows' column or publisher.
MIN_REPEATS = 3
#: A list where this share of links look like article URLs holds only those.
ARTICLE_SHARE = 0.75
#: A page listing fewer article links than this may be a shell that loads its list.
MIN_LIST = 3
MIN_WORDS = 4


@dataclass
class _Candidate:
    anchor: _Element
    url: str
    title: str
    row: _Element | None = None
    published_at: datetime | None = None
    date_from: str | None = None

    @property
    def entry(self) -> ListEntry:
        return ListEntry(self.url, self.title, self.published_at, self.date_from)

    @property
    def article_like(self) -> bool:
        parts = urlsplit(self.url)
        return bool(ARTICLE_PATH.search(parts.path + "?" + parts.query))

    @property
    def in_heading(self) -> bool:
        """The link is, holds or sits in a headline element (not a summary or an image)."""
        if _headline_inside(self.anchor) is not None:
            return True
        for depth, node in enumerate([self.anchor, *self.anchor.iterancestors()]):
            if depth > 3 or node.tag in ("li", "tr", "dd", "body"):
                break
            if node.tag in HEADINGS or "tit" in _tokens_str(node):
                return True
        return False


def _text(node: _Element) -> str:
    return re.sub(r"\s+", " ", node.text_content()).strip()


def _tokens_str(node: _Element) -> str:
    return f"{node.get('class') or ''} {node.get('id') or ''}".lower()


def _host(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    return f"{host}:{parts.port}" if parts.port else host


def same_site(url: str, base: str) -> bool:
    """Same host (``www.`` aside, port included) or a sub-domain of the list's host."""
    host, base_host = _host(url), _host(base)
    if host == base_host or host.endswith("." + base_host):
        return True
    return host.count(".") >= 2 and base_host.endswith("." + host)


def _tokens(node: _Element) -> set[str]:
    marker = f"{node.get('class') or ''} {node.get('id') or ''}"
    marker = re.sub(r"([a-z])([A-Z])", r"\1 \2", marker).lower()
    return set(re.split(r"[\s_\-]+", marker)) - {""}


class _Noise:
    """Decides (with a cache per element) whether an element is page furniture."""

    def __init__(self, column: str = "") -> None:
        self.cache: dict[_Element, bool] = {}
        self.headed: dict[_Element, dict[_Element, bool]] = {}
        #: The page's own column name (<title>, meta ColumnName): a box headed by it is
        #: the main list even when the name reads like a sidebar's (图片新闻).
        self.column = column

    def __call__(self, anchor: _Element) -> bool:
        path = []
        verdict = False
        for node in anchor.iterancestors():
            if node in self.cache:
                verdict = self.cache[node]
                break
            path.append(node)
            if node.tag == "body":
                break
            if self._marks(node):
                verdict = True
                break
        for node in path:
            self.cache[node] = verdict
        return verdict

    def _marks(self, node: _Element) -> bool:
        inside = _in_section(node)
        tokens = _tokens(node) - ROW_PART_TOKENS if inside else _tokens(node)
        if tokens & NOISE_TOKENS:
            return True
        if node.tag in NOISE_TAGS and not (inside and node.tag in ("header", "footer")):
            return True
        parent = node.getparent()
        if parent is None:
            return False
        if parent not in self.headed:
            self.headed[parent] = self._headed_children(parent)
        return self.headed[parent].get(node, False)

    def _headed_children(self, parent: _Element) -> dict[_Element, bool]:
        """Of each child, whether the nearest heading before it (with no list between)
        names a box that is not the main list: one pass over the children, so a list
        of thousands of rows costs no more per row than one of ten."""
        verdicts: dict[_Element, bool] = {}
        state = False
        for child in parent:
            if not isinstance(child.tag, str):
                continue
            verdicts[child] = state
            if child.tag in ("ul", "ol", "table", "dl") or child.find(".//li") is not None:
                state = False
            elif child.tag in ("h1", "h2", "h3", "h4", "h5", "dt") or any(
                "tit" in t or t in ("hd", "head", "bt") for t in _tokens(child)
            ):
                heading = _text(child)
                if heading and heading in self.column:
                    state = False
                else:
                    state = len(heading) <= 16 and bool(NOISE_HEADING.search(heading))
        return verdicts


#: HTML5 sectioning elements: a ``<header>``/``<footer>`` inside one heads that section
#: (a list card's headline and date: ``<article><header><h3><a>``, WordPress's
#: ``header.entry-header``), not the page.
_SECTIONING = frozenset({"article", "section"})
#: Class/id tokens that mean "page furniture" only outside a sectioning element.
ROW_PART_TOKENS = frozenset({"header", "head", "footer", "foot"})


def _in_section(node: _Element) -> bool:
    """Whether ``node`` lies inside an ``<article>`` or ``<section>`` (below ``body``)."""
    for ancestor in node.iterancestors():
        if ancestor.tag in _SECTIONING:
            return True
        if ancestor.tag == "body":
            return False
    return False


def _headline_inside(anchor: _Element) -> _Element | None:
    """A card that is one big link (headline, summary, date): its headline element."""
    for node in anchor.iterdescendants():
        heading = node.tag in HEADINGS or "tit" in _tokens_str(node)
        if isinstance(node.tag, str) and heading and _text(node):
            return node
    return None


def _first_line_inside(anchor: _Element) -> _Element | None:
    """A whole-card link without a marked headline: its first child block that is
    neither a date nor prose (the summary)."""
    for node in anchor.iterdescendants():
        if not isinstance(node.tag, str) or node.tag in ("img", "br"):
            continue
        text = _text(node)
        if len(text) >= MIN_CJK and not DATE_IN_TEXT.fullmatch(text) and not is_prose(node):
            return node
    return None


def _anchor_text(anchor: _Element) -> str:
    """A link's visible text without a date shown inside it (``<span>2026-11-20</span>``);
    of a link holding a whole card, its headline element's text."""
    inner = _headline_inside(anchor)
    if inner is None and is_prose(anchor):
        inner = _first_line_inside(anchor)
    if inner is not None and len(_text(inner)) < len(_text(anchor)):
        anchor = inner
    text = _text(anchor)
    for child in anchor.iterdescendants():
        if isinstance(child.tag, str) and DATE_IN_TEXT.fullmatch(part := _text(child)):
            text = text.replace(part, " ", 1)
    text = re.sub(r"\s+" + DATE_IN_TEXT.pattern + r"$", "", text)
    return re.sub(r"\s+", " ", text).strip(" •·■□▪►>》")


def anchor_title(anchor: _Element) -> str:
    """The headline of a link: its text, or its ``title`` when the text is cut short."""
    text = _anchor_text(anchor)
    title = re.sub(r"\s+", " ", anchor.get("title") or "").strip()
    if title and (not text or TRUNCATED.search(text) or title.startswith(text.rstrip(". …"))):
        return title
    return text


def _headline(title: str) -> bool:
    if NOISE_TEXT.match(title):
        return False
    return len(CJK.findall(title)) >= MIN_CJK or len(WORD.findall(title)) >= MIN_WORDS


def _href(anchor: _Element, base_url: str) -> str | None:
    href = (anchor.get("href") or "").strip()
    if not href or href.startswith(("javascript:", "mailto:", "tel:", "#")):
        match = ONCLICK_URL.search(anchor.get("onclick") or "")
        if not match:
            return None
        href = match.group(1)
    url: str = urljoin(base_url, href).split("#", 1)[0]
    if not url.startswith(("http://", "https://")) or ATTACHMENT.search(urlsplit(url).path):
        return None
    return url


def _rows(candidates: list[_Candidate]) -> None:
    """Give each candidate its row: the largest ancestor holding no other candidate."""
    owners: dict[_Element, set[str]] = {}
    for cand in candidates:
        for depth, node in enumerate(cand.anchor.iterancestors()):
            if node.tag == "body" or depth > 5:
                break
            owners.setdefault(node, set()).add(cand.url)
    for cand in candidates:
        row = cand.anchor
        for depth, node in enumerate(cand.anchor.iterancestors()):
            if node.tag == "body" or depth > 5:
                break
            if len(owners.get(node, ())) > 1:
                # A list item with a second link (its department, a 解读) is still the row.
                if node.tag in ("li", "tr", "dd") and len(owners[node]) <= MAX_ROW_LINKS:
                    row = node
                break
            row = node
            if node.tag in ("li", "tr", "dd"):
                break
        cand.row = row


def _drop_furniture(group: list[_Candidate]) -> list[_Candidate]:
    """Without the links rows carry besides their article (its column, its
    department): a link every row repeats, and — when nearly all the list's links
    look like articles (``t20261117_1.html``, ``content_1.htm``) — the ones that do not."""
    seen = Counter((c.url, c.title) for c in group)
    repeated = {key for key, count in seen.items() if count >= MIN_REPEATS}
    kept = [c for c in group if (c.url, c.title) not in repeated] or group
    articles = [c for c in kept if c.article_like]
    if len(articles) >= ARTICLE_SHARE * len(kept):
        kept = articles
    return kept


def _shape(node: _Element | None) -> tuple[str, str]:
    if node is None:
        return ("", "")
    return (node.tag, node.get("class") or "")


def _score(group: list[_Candidate]) -> tuple[int, int]:
    dated = sum(c.published_at is not None for c in group)
    article_like = sum(c.article_like for c in group)
    return (2 * dated + article_like + len(group), len(group))


def _unique(candidates: Iterable[_Candidate]) -> list[ListEntry]:
    """One entry per URL, in list order; of several links to one article (image,
    headline, summary) the headline's title and the row's date."""
    chosen: dict[str, _Candidate] = {}
    for cand in candidates:
        held = chosen.get(cand.url)
        if held is None:
            chosen[cand.url] = cand
        elif _preference(cand) > _preference(held):
            cand.published_at = cand.published_at or held.published_at
            cand.date_from = cand.date_from if cand.published_at else held.date_from
            chosen[cand.url] = cand
    return [c.entry for c in chosen.values()]


def _preference(cand: _Candidate) -> tuple[bool, bool]:
    return (cand.in_heading, not is_prose(cand.anchor))


def _date(cand: _Candidate, tz: tzinfo, now: datetime) -> None:
    assert cand.row is not None
    found = row_date(cand.row, cand.anchor, cand.title, cand.url, tz, now)
    if found is not None:
        cand.published_at, cand.date_from = found.value, found.evidence


def _root(response: Response) -> _Element | None:
    if not isinstance(response, TextResponse) or not response.body.strip():
        return None
    try:
        root = response.selector.root
    except (ValueError, AttributeError):
        return None
    return root if isinstance(root, _Element) else None


def _select(root: _Element, selector: str) -> list[_Element]:
    if selector.lstrip().startswith(("/", "(", "./")):
        found = root.xpath(selector)
    else:
        found = root.cssselect(selector)
    return [node for node in found if isinstance(node, _Element)]


def selected_entries(
    root: _Element, base_url: str, selector: str, tz: tzinfo, now: datetime
) -> list[ListEntry]:
    """Entries from a configured selector: the anchors it selects, or those inside."""
    nodes = _select(root, selector)
    anchors = [n for n in nodes if n.tag == "a"] or [
        a for n in nodes for a in n.iter("a") if a.get("href") or a.get("onclick")
    ]
    candidates = []
    for anchor in anchors:
        url = _href(anchor, base_url)
        if url is not None:
            candidates.append(_Candidate(anchor, url, anchor_title(anchor)))
    _rows(candidates)
    for cand in candidates:
        _date(cand, tz, now)
    return _unique(candidates)


def _links(root: _Element) -> Iterable[_Element]:
    """The page's anchors, and rows that open their article by ``onclick`` without one."""
    for node in root.iter():
        if not isinstance(node.tag, str):
            continue
        if node.tag == "a" or (
            node.get("onclick")
            and ONCLICK_URL.search(node.get("onclick") or "")
            and node.find(".//a[@href]") is None
            and not any(a.tag == "a" for a in node.iterancestors())
        ):
            yield node


def _column_name(root: _Element) -> str:
    names = root.xpath("//title/text() | //meta[@name='ColumnName']/@content")
    return " ".join(str(n).strip() for n in names)


def auto_entries(root: _Element, base_url: str, tz: tzinfo, now: datetime) -> list[ListEntry]:
    """The main list's entries, found without configuration (see the module docstring)."""
    noise = _Noise(_column_name(root))
    candidates = []
    page_url = base_url.split("#", 1)[0]
    for anchor in _links(root):
        url = _href(anchor, base_url)
        if url is None or url == page_url or not same_site(url, base_url):
            continue
        title = anchor_title(anchor)
        if not _headline(title) or noise(anchor):
            continue
        candidates.append(_Candidate(anchor, url, title))
    if not candidates:
        return []
    _rows(candidates)
    groups: dict[_Element | None, list[_Candidate]] = {}
    for cand in candidates:
        assert cand.row is not None
        _date(cand, tz, now)
        groups.setdefault(cand.row.getparent(), []).append(cand)
    best_parent, best = max(groups.items(), key=lambda item: _score(item[1]))
    if best_parent is not None:
        grand = best_parent.getparent()
        chosen = []
        for parent, group in groups.items():
            if parent is best_parent or (
                parent is not None
                and parent.getparent() is grand
                and _shape(parent) == _shape(best_parent)
            ):
                chosen.extend(group)
        order = {id(c): i for i, c in enumerate(candidates)}
        best = sorted(chosen, key=lambda c: order[id(c)])
    return _unique(_drop_furniture(best))


def json_data(response: Response) -> Any | None:
    """The body parsed as JSON (JSONP unwrapped), or None when it is not JSON."""
    body = response.body.strip().removeprefix(b"\xef\xbb\xbf")
    jsonp = re.match(rb"^[\w.$]+\s*\((.*)\)\s*;?\s*$", body, re.S)
    if jsonp:
        body = jsonp.group(1).strip()
    if not body.startswith((b"{", b"[")):
        return None
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _scripts(root: _Element, *, with_urls: bool = False) -> list[str]:
    """Inline scripts that may hold data (``{``), or name a data URL."""
    mark = "/" if with_urls else "{"
    return [s.text for s in root.iter("script") if s.text and mark in s.text and not s.get("src")]


def _with_embedded(
    entries: list[ListEntry], root: _Element, url: str, tz: tzinfo, now: datetime
) -> list[ListEntry]:
    """The HTML list, or the records embedded in the page's scripts (JSON, JS
    objects, an XML datastore of HTML rows) when they hold more."""
    embedded = json_entries(None, _scripts(root), url, same_site, tz, now)
    if len(embedded) > len(entries):
        entries = embedded
    records = _record_html(root)
    if records is not None:
        held = auto_entries(records, url, tz, now)
        if len(held) > len(entries):
            entries = held
    return entries


def _record_html(root: _Element) -> _Element | None:
    """The rows an XML datastore in a script holds (``<record><![CDATA[<li>…</li>]]>``,
    rendered by the page's JS), parsed as one list; None when there is none."""
    rows = [
        row
        for script in root.iter("script")
        if script.text and "<record" in script.text
        for row in CDATA.findall(script.text)
    ]
    if not rows:
        return None
    return lxml_html.fromstring("<html><body><ul>" + "".join(rows) + "</ul></body></html>")


def discover_entries(
    response: Response, source: Source, tz: tzinfo, now: datetime
) -> list[ListEntry]:
    """The article links of a list page (configured ``link_selector`` or automatic)."""
    data = json_data(response)
    if data is not None:
        return json_entries(data, [], response.url, same_site, tz, now)
    root = _root(response)
    if root is None:
        return []
    if source.link_selector:
        return selected_entries(root, response.url, source.link_selector, tz, now)
    return _with_embedded(auto_entries(root, response.url, tz, now), root, response.url, tz, now)


def entries_from_html(
    html: str, url: str, tz: tzinfo, now: datetime, link_selector: str | None = None
) -> list[ListEntry]:
    """The same as :func:`discover_entries` for a page already in hand (families, tools)."""
    root = lxml_html.fromstring(html or "<html></html>", base_url=url)
    if link_selector:
        return selected_entries(root, url, link_selector, tz, now)
    return _with_embedded(auto_entries(root, url, tz, now), root, url, tz, now)


def find_data_urls(response: Response, entries: list[ListEntry]) -> list[str]:
    """Where a shell list page (fewer than ``MIN_LIST`` links) loads its list from by GET."""
    root = None if len(entries) >= MIN_LIST else _root(response)
    if root is None or json_data(response) is not None:
        return []
    scripts = _scripts(root, with_urls=True)
    posted = posted_urls(scripts, response.url)
    return [u for u in data_urls(scripts, response.url, same_site) if u not in posted]


def find_data_posts(response: Response, entries: list[ListEntry]) -> list[DataPost]:
    """The list APIs a shell list page POSTs to for its rows (JSON or an HTML fragment)."""
    root = None if len(entries) >= MIN_LIST else _root(response)
    if root is None or json_data(response) is not None:
        return []
    return data_posts(_scripts(root, with_urls=True), response.url, same_site)


def find_next_pages(response: Response, source: Source | None = None) -> list[str]:
    """The next list page, if this page shows one (see the module docstring)."""
    data = json_data(response)
    if data is not None:
        following = json_next_page(data, response.url)
        return [following] if following else []
    root = _root(response)
    if root is None:
        return []
    return next_pages(root, response.url, response.text)


def next_pages(root: _Element, url: str, text: str) -> list[str]:
    """The next list page of a page already parsed (:func:`next_list_page`), as a list."""
    following = next_list_page(root, url, text)
    return [following] if following else []
