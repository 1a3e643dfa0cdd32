"""SiteServer CMS (百容千域): Tianjin Binhai, TEDA, 滨海高新区.

Lists are ``/channels/<channelId>.html`` (page N: ``/channels/<channelId>_N.html``),
articles ``/contents/<channelId>/<contentId>.html``. Binhai's templates use a layui
grid: ``li.xxgk-list`` rows with the date in ``div.layui-col-md2 span``; titles in
``a/@title`` and sometimes prefixed with ``•``.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.extract.article import ArticleSelectors
from crawler.extract.pagination import numbered_next
from crawler.families.common import (
    PatternListFamily,
    page_count,
)

ARTICLE = re.compile(r"/contents/\d+/\d+\.html$")
CHANNEL = re.compile(r"/channels/(?P<id>\d+)(?:_(?P<n>\d+))?\.html$")


class SiteServerFamily(PatternListFamily):
    name = "siteserver"
    article_url = ARTICLE
    article_selectors = ArticleSelectors(body="#zoom, .article-content, .xxgk-content")

    def next_page(self, html: str, url: str) -> str | None:
        """``/channels/<id>_<n+1>.html`` while the pager says more pages exist."""
        total = page_count(html)
        if not CHANNEL.search(urlsplit(url).path) or total is None:
            return None
        return numbered_next(url, total)
