"""SiteServer CMS (百容千域): Tianjin Binhai, TEDA, 滨海高新区.

Lists are ``/channels/<channelId>.html`` (page N: ``/channels/<channelId>_N.html``),
articles ``/contents/<channelId>/<contentId>.html``. Binhai's templates use a layui
grid: ``li.xxgk-list`` rows with the date in ``div.layui-col-md2 span``; titles in
``a/@title`` and sometimes prefixed with ``•``.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
from scrapy.http import Response

from crawler.extract.article import ArticleSelectors
from crawler.families.base import Family, ListPage
from crawler.families.common import entries_by_pattern, next_link, page_count, response_text
from scheduler.config import Source

ARTICLE = re.compile(r"/contents/\d+/\d+\.html$")
CHANNEL = re.compile(r"/channels/(?P<id>\d+)(?:_(?P<n>\d+))?\.html$")


class SiteServerFamily(Family):
    name = "siteserver"
    article_selectors = ArticleSelectors(body="#zoom, .article-content, .xxgk-content")

    def parse_list(self, response: Response, source: Source, tz: tzinfo, now: datetime) -> ListPage:
        if source.link_selector:
            return super().parse_list(response, source, tz, now)
        html = response_text(response)
        soup = BeautifulSoup(html, "lxml")
        entries = entries_by_pattern(html, response.url, ARTICLE, tz, now)
        following = next_link(soup, response.url) or self._next_channel_page(html, response.url)
        return ListPage(entries=entries, next_urls=[following] if following else [])

    @staticmethod
    def _next_channel_page(html: str, url: str) -> str | None:
        match = CHANNEL.search(urlsplit(url).path)
        total = page_count(html)
        if not match or total is None:
            return None
        current = int(match["n"] or 1)
        return urljoin(url, f"{match['id']}_{current + 1}.html") if current < total else None
