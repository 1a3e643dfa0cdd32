"""TRS WCM (拓尔思): Gui'an, West Coast, Jiangbei, Fuzhou and most provincial sites.

Lists are static pages ``index.html``, ``index_1.html``, … (the second page is
``_1``; the extension follows the site: .html, .shtml or .htm), with the page count
in an inline ``createPageHTML(total, current, "index", "html")`` call or a
``countPage`` variable. Articles live at ``…/YYYYMM/tYYYYMMDD_<id>.html`` with the
body in ``div.TRS_Editor`` (newer templates: ``TRS_UEDITOR``, ``trs_editor_view``).
"""

from __future__ import annotations

import re

from crawler.extract.article import ArticleSelectors
from crawler.extract.pagination import script_pager_next
from crawler.families.common import PatternListFamily

ARTICLE = re.compile(r"/t20\d{6}_\d+\.s?html?$")


def trs_next_page(html: str, url: str) -> str | None:
    """``index_{n+1}.<ext>`` while the inline pager says more pages exist."""
    return script_pager_next(html, url)[1]


class TrsFamily(PatternListFamily):
    name = "trs"
    article_url = ARTICLE
    article_selectors = ArticleSelectors(
        body=".TRS_Editor, .TRS_UEDITOR, .trs_editor_view, #UCAP-CONTENT",
    )

    def next_page(self, html: str, url: str) -> str | None:
        return trs_next_page(html, url)
