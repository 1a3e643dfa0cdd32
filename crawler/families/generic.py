"""The family of a source that names none: automatic discovery (``Family``), and the
one platform whose lists cannot be read without its own paging recognised on sight.

A Hanweb jcms column (``<script type="text/xml"><datastore>`` with a ``<nextgroup>``
link and a jpage pager) shows only its first records in the page; the rest come from
POSTs to its data proxy. A user who adds such a list by its URL alone, without
``family: hanweb``, gets the whole list: the generic family reads it as the Hanweb
family does.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from scrapy import Request
from scrapy.http import Response

from crawler.families.base import Family, ListPage
from crawler.families.common import response_text
from crawler.families.hanweb import HanwebFamily
from xinqu.config import Source

_JPAGE = re.compile(r"<datastore>.*?<nextgroup>", re.S | re.I)


class GenericFamily(Family):
    name = "generic"

    def parse_list(self, response: Response, source: Source, tz: tzinfo, now: datetime) -> ListPage:
        if not source.link_selector and _JPAGE.search(response_text(response)):
            return HanwebFamily().parse_list(response, source, tz, now)
        return super().parse_list(response, source, tz, now)

    def next_requests(self, response: Response, page: ListPage, source: Source) -> list[Request]:
        if any("dataproxy" in url for url in page.next_urls):
            return HanwebFamily().next_requests(response, page, source)
        return super().next_requests(response, page, source)
