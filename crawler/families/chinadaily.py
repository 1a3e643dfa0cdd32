"""China Daily's media CMS (Liangjiang's portal runs on it).

Articles are ``/a/YYYYMM/DD/WS<24 hex>.html`` (Liangjiang: under ``/mixmedia/``);
details carry meta ``contentid``, ``publishdate``, ``source`` and the body in
``div#Content``; list pages page with ``page_N.html`` behind a 下一页 link.
"""

from __future__ import annotations

import re

from crawler.extract.article import ArticleSelectors
from crawler.families.common import PatternListFamily

ARTICLE = re.compile(r"/a/20\d{4}/\d{2}/WS[0-9a-f]{24}\.html$")


class ChinaDailyFamily(PatternListFamily):
    name = "chinadaily"
    article_url = ARTICLE
    article_selectors = ArticleSelectors(date=".info_l, .info .time", body="#Content")
