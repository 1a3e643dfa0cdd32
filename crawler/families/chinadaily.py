"""China Daily's media CMS (Liangjiang's portal runs on it).

Articles are ``/a/YYYYMM/DD/WS<24 hex>.html`` (Liangjiang: under ``/mixmedia/``);
details carry meta ``contentid``, ``publishdate``, ``source`` and the body in
``div#Content``; list pages page with ``page_N.html`` behind a 下一页 link.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from bs4 import BeautifulSoup
from scrapy.http import Response

from crawler.extract.article import ArticleSelectors
from crawler.families.base import Family, ListPage
from crawler.families.common import entries_by_pattern, next_link, response_text
from scheduler.config import Source

ARTICLE = re.compile(r"/a/20\d{4}/\d{2}/WS[0-9a-f]{24}\.html$")


class ChinaDailyFamily(Family):
    name = "chinadaily"
    article_selectors = ArticleSelectors(date=".info_l, .info .time", body="#Content")

    def parse_list(self, response: Response, source: Source, tz: tzinfo, now: datetime) -> ListPage:
        if source.link_selector:
            return super().parse_list(response, source, tz, now)
        html = response_text(response)
        entries = entries_by_pattern(html, response.url, ARTICLE, tz, now)
        following = next_link(BeautifulSoup(html, "lxml"), response.url)
        return ListPage(entries=entries, next_urls=[following] if following else [])
