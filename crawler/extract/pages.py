"""An article's continuation pages: the next page of one article split over several.

Only URLs shaped as a continuation of the article's *first* page count, so links
to other articles (上一篇/下一篇, related news, a list's pager) are never taken
for the article's own pager:

- ``name_N.ext`` beside the first page ``name.ext`` (TRS: ``t20261120_123_1.html``
  is page 2; other platforms start at ``_2``);
- the first page's URL with a page parameter (``?page=N``, ``&pn=N`` …).

Evidence, most trusted first: TRS's inline ``createPageHTML(total, current,
"name", "ext")`` (or its ``countPage``/``currentPage`` variables), which also says
when there is no next page; a 下一页/下页 link; numbered pager links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qsl, urljoin, urlsplit

from lxml import html as lxml_html
from lxml.etree import ParserError, _Element

from crawler.extract.article import ExtractedArticle
from crawler.extract.listing import COUNT_PAGE, CREATE_PAGE, CURRENT_PAGE, PAGE_PARAMS

NEXT_LABEL = re.compile(r"^\s*(?:下一页|下页|后一页)\s*[>›»]*\s*$")
_NAME = re.compile(r"^(?P<stem>.+?)(?P<ext>\.[A-Za-z]{2,5})?$")
_PAGE_PARAM = re.compile(rf"[?&;](?:{'|'.join(PAGE_PARAMS)})=\d", re.I)
#: More digits than this is an id (``t20261120_123``), not a page number.
_MAX_PAGE_DIGITS = 3


def _strip(url: str) -> str:
    return url.split("#", 1)[0]


def _split_name(path: str) -> tuple[str, str, str]:
    """(folder, stem, extension) of a URL path: ``/a/``, ``t2026_1``, ``.html``."""
    folder, _, name = path.rpartition("/")
    match = _NAME.match(name)
    if not match:
        return folder, name, ""
    return folder, match["stem"], match["ext"] or ""


def _query_without_page(query: str) -> tuple[list[tuple[str, str]], int | None]:
    pairs = parse_qsl(query, keep_blank_values=True)
    page = None
    rest = []
    for key, value in pairs:
        if key.lower() in PAGE_PARAMS and value.isdigit() and page is None:
            page = int(value)
        else:
            rest.append((key, value))
    return sorted(rest), page


def continuation_number(url: str, first_url: str) -> int | None:
    """The page number ``url`` has as a continuation of ``first_url``, else None.

    ``t2026_1.html`` of ``t2026.html`` is 1 (TRS numbers its second page ``_1``);
    ``a.php?id=5&page=2`` of ``a.php?id=5`` is 2.
    """
    target, first = urlsplit(_strip(url)), urlsplit(_strip(first_url))
    if target.netloc.lower() != first.netloc.lower():
        return None
    if target.path == first.path:
        rest, page = _query_without_page(target.query)
        first_rest, _ = _query_without_page(first.query)
        return page if page is not None and rest == first_rest else None
    folder, stem, ext = _split_name(first.path)
    if not stem:
        return None
    found = re.fullmatch(
        rf"{re.escape(folder)}/{re.escape(stem)}_(\d{{1,{_MAX_PAGE_DIGITS}}}){re.escape(ext)}",
        target.path,
    )
    return int(found.group(1)) if found else None


def _inline_pager(text: str, url: str, first_url: str) -> tuple[bool, str | None]:
    """(found, next URL) from TRS's inline pager script, when it is this article's."""
    folder, stem, ext = _split_name(urlsplit(_strip(first_url)).path)
    match = CREATE_PAGE.search(text)
    if match:
        total, current = int(match.group(1)), int(match.group(2))
        name = match.group(3) or stem
        extension = f".{match.group(4)}" if match.group(4) else ext
        if name != stem:
            return False, None  # some other pager (a comment list): not the article's
    else:
        count = COUNT_PAGE.search(text)
        current_match = CURRENT_PAGE.search(text)
        if not count or not current_match:
            return False, None
        total, current = int(count.group(1)), int(current_match.group(1))
        extension = ext
    if current + 1 >= total:
        return True, None
    following = urljoin(url, f"{folder}/{stem}_{current + 1}{extension}")
    if continuation_number(following, first_url) is None:
        return False, None
    return True, following


def _label(anchor: _Element) -> str:
    return re.sub(r"\s+", " ", anchor.text_content()).strip()


def next_article_page(html: str, url: str, first_url: str) -> str | None:
    """The URL of the article's next page after ``url`` (its first page ``first_url``)."""
    found, following = _inline_pager(html, url, first_url)
    if found:
        return following
    # Every continuation link names the first page's file with ``_N`` or a page
    # parameter: without either in the page, there is nothing to parse for.
    stem = _split_name(urlsplit(_strip(first_url)).path)[1]
    if not (stem and f"{stem}_" in html) and not _PAGE_PARAM.search(html):
        return None
    try:
        root = lxml_html.fromstring(html or "<html></html>", base_url=url)
    except (ParserError, ValueError):
        return None
    here = _strip(url)
    current = continuation_number(here, first_url)
    numbered: dict[int, str] = {}
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        target = _strip(urljoin(url, href))
        number = continuation_number(target, first_url)
        if number is None or target == here:
            continue
        if NEXT_LABEL.match(_label(anchor)) or (anchor.get("title") or "").strip() == "下一页":
            return target
        numbered.setdefault(number, target)
    if current is None:
        # On the first page a link numbered 1 is page 2 by file name (TRS ``_1``) but
        # the first page itself by parameter (``?page=1``).
        first_path = urlsplit(first_url).path
        by_query = any(urlsplit(t).path == first_path for t in numbered.values())
        current = 1 if by_query else 0
    later = sorted(n for n in numbered if n > current)
    return numbered[later[0]] if later else None


@dataclass
class ArticlePages:
    """One article collected over its pages: the first page's fields, every page's text.

    The crawl, ``xinqu sources check`` and ``xinqu extract`` all collect through
    this, so they agree on what the whole article is.
    """

    first_url: str
    first: ExtractedArticle
    max_pages: int
    urls: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    #: Why the text is not the whole article (a page failed, the cap), else None.
    incomplete: str | None = None

    def __post_init__(self) -> None:
        self.urls.append(_strip(self.first_url))
        self.texts.append(self.first.text)
        self.htmls.append(self.first.html)

    def add(self, url: str, page: ExtractedArticle) -> bool:
        """Add a continuation page; False when its text repeats a page already added
        (a server that ignores ``?page=``): then the article ends there."""
        self.urls.append(_strip(url))
        text = page.text.strip()
        if text and text in (t.strip() for t in self.texts):
            return False
        if text:
            self.texts.append(page.text)
            self.htmls.append(page.html)
        return True

    def next_url(self, html: str, url: str) -> str | None:
        """The page to fetch after ``url``, or None when the article ends here.

        A page already fetched ends it (a pager that loops); so does the cap,
        which marks the text incomplete.
        """
        following = next_article_page(html, url, self.first_url)
        if following is None or _strip(following) in self.urls:
            return None
        if len(self.urls) >= self.max_pages:
            self.incomplete = (
                f"stopped after {len(self.urls)} pages (crawl.max_article_pages); "
                f"next page {following} not fetched"
            )
            return None
        return following

    def failed(self, url: str, reason: str) -> str:
        """Mark the text incomplete because page ``url`` failed; returns the note."""
        number = len(self.urls) + 1
        self.incomplete = (
            f"page {number} {url} failed ({reason}); text of pages 1-{number - 1} only"
        )
        return self.incomplete

    @property
    def pages(self) -> int:
        return len(self.texts)

    def article(self) -> ExtractedArticle:
        """The whole article: the first page's title, date and 来源, every page's text."""
        return replace(
            self.first,
            text="\n".join(t for t in self.texts if t.strip()),
            html="\n".join(h for h in self.htmls if h.strip()),
        )
