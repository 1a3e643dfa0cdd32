"""TRS WCM (拓尔思): Gui'an, West Coast, Jiangbei, Fuzhou and most provincial sites.

Lists are static pages ``index.html``, ``index_1.html``, … (the second page is
``_1``; the extension follows the site: .html, .shtml or .htm), with the page count
in an inline ``createPageHTML(total, current, "index", "html")`` call or a
``countPage`` variable. Articles live at ``…/YYYYMM/tYYYYMMDD_<id>.html`` with the
body in ``div.TRS_Editor`` (newer templates: ``TRS_UEDITOR``, ``trs_editor_view``).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from crawler.extract.article import ArticleSelectors
from crawler.families.common import (
    PatternListFamily,
    page_count,
)

ARTICLE = re.compile(r"/t20\d{6}_\d+\.s?html?$")
CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?"
    r"(?:\s*,\s*['\"]([^'\"]*)['\"]\s*,\s*['\"]([^'\"]*)['\"])?"
)
_PAGE_FILE = re.compile(r"(?P<stem>[^/]*?)(?:_(?P<n>\d+))?\.(?P<ext>s?html?)$")


def trs_next_page(html: str, url: str) -> str | None:
    """``index_{n+1}.<ext>`` while the inline pager says more pages exist."""
    match = CREATE_PAGE.search(html)
    if match:
        total, current = int(match.group(1)), int(match.group(2))
        stem, ext = match.group(3) or "index", match.group(4) or _extension(url)
        return urljoin(url, f"{stem}_{current + 1}.{ext}") if current + 1 < total else None
    pages = page_count(html)
    if pages is None:
        return None
    total = pages
    path = urlsplit(url).path
    name = path.rsplit("/", 1)[-1]
    found = _PAGE_FILE.match(name)
    current = int(found["n"]) if found and found["n"] else 0
    stem = found["stem"] if found else "index"
    return urljoin(url, f"{stem}_{current + 1}.{_extension(url)}") if current + 1 < total else None


def _extension(url: str) -> str:
    found = _PAGE_FILE.search(urlsplit(url).path)
    return found["ext"] if found else "html"


class TrsFamily(PatternListFamily):
    name = "trs"
    article_url = ARTICLE
    article_selectors = ArticleSelectors(
        body=".TRS_Editor, .TRS_UEDITOR, .trs_editor_view, #UCAP-CONTENT",
    )

    def next_page(self, html: str, url: str) -> str | None:
        return trs_next_page(html, url)
