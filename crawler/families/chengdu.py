"""Chengdu's municipal platform (Tianfu): ``column-index-N.shtml`` lists.

List items are ``div.li`` blocks that open their article with
``onclick="window.open('…','_blank')"`` rather than a link, the title in
``span.s2``. Articles (``content_<32 hex>.shtml``) carry ``ArticleTitle``,
``PubDate`` and ``ContentSource`` meta tags; the latter reads "责任单位：…".
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, tzinfo

from bs4 import BeautifulSoup
from scrapy.http import Response

from crawler.extract.article import ArticleSelectors, ExtractedArticle
from crawler.extract.listing import ListEntry
from crawler.extract.pagination import numbered_next
from crawler.families.common import (
    PatternListFamily,
    onclick_entries,
    page_count,
)
from xinqu.config import Source

COLUMN_PAGE = re.compile(r"column-index-(\d+)\.shtml")
_UNIT_PREFIX = re.compile(r"^(?:责任单位|来源|信息来源)\s*[:：]\s*")


class ChengduFamily(PatternListFamily):
    name = "chengdu"
    article_selectors = ArticleSelectors(body="div.content, #NewsContent")

    def list_entries(
        self, html: str, soup: BeautifulSoup, url: str, tz: tzinfo, now: datetime
    ) -> list[ListEntry]:
        """Rows are ``div.li`` opening the article with ``onclick=window.open(…)``."""
        return onclick_entries(soup, "div.li", url, tz, now)

    def next_page(self, html: str, url: str) -> str | None:
        """``column-index-<n+1>.shtml`` while the pager says more pages exist."""
        total = page_count(html)
        if not COLUMN_PAGE.search(url) or total is None:
            return None
        return numbered_next(url, total)

    def parse_article(
        self, response: Response, source: Source, tz: tzinfo, now: datetime
    ) -> ExtractedArticle:
        article = super().parse_article(response, source, tz, now)
        if article.source_line:
            article = replace(article, source_line=_UNIT_PREFIX.sub("", article.source_line))
        return article
