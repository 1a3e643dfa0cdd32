"""Guangdong's 集约化 platform: news columns and the gkmlpt 信息公开 directory (Nansha).

News columns are static lists (``index.html``, ``index_1.html``, …) of
``…/content/post_<id>.html`` articles. The 政府信息公开 directory is a JavaScript
app at ``/gkmlpt/index#<category>``; its data is JSON from
``/gkmlpt/api/all/<category>?page=N&sid=<site id>`` shaped
``{"total": n, "articles": [{"title", "url", "display_publish_time", …}]}``. A list
URL may name either the app (``…/gkmlpt/index#<category>``, with ``sid`` in
``family_options``) or the API itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

from pydantic import Field
from scrapy import Request
from scrapy.http import Response

from crawler.extract.article import ArticleSelectors
from crawler.extract.dates import parse_datetime
from crawler.extract.listing import ListEntry, json_data
from crawler.families.base import Code, FamilyOptions, ListPage
from crawler.families.common import (
    PatternListFamily,
    clean_title,
    first_key,
    unique,
)
from crawler.families.trs import trs_next_page
from xinqu.config import Source

ARTICLE = re.compile(r"/content/(?:\d+/\d+/)?(?:m?post)_\d+\.html$")
_DATE_KEYS = ("display_publish_time", "first_publish_time", "publish_time", "created_at")


class GkmlptOptions(FamilyOptions):
    """``sid``: the site id the gkmlpt API wants; ``category``: the directory's
    category when the list URL's ``#<category>`` does not name one."""

    sid: Code | None = None
    category: int = Field(0, ge=0)


def api_url(url: str, source: Source) -> str:
    """The gkmlpt API URL for a configured list URL (app page or API)."""
    parts = urlsplit(url)
    if "/gkmlpt/api/all/" in parts.path:
        return url
    if "/gkmlpt/" not in parts.path:
        return url
    root = parts.path.split("/gkmlpt/")[0]
    options = GkmlptOptions.of(source)
    category = parts.fragment or str(options.category)
    query: dict[str, Any] = {"page": 1}
    if options.sid:
        query["sid"] = options.sid
    return urlunsplit(
        (parts.scheme, parts.netloc, f"{root}/gkmlpt/api/all/{category}", urlencode(query), "")
    )


def _date(record: dict[str, Any], tz: tzinfo, now: datetime) -> datetime | None:
    value = first_key(record, *_DATE_KEYS)
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return parse_datetime(value, tz, now)


class GkmlptFamily(PatternListFamily):
    name = "gkmlpt"
    options = GkmlptOptions
    article_url = ARTICLE
    article_selectors = ArticleSelectors(
        body=".article-content, .news_cont_d_wrap, .article_con, #zoom",
    )

    def list_requests(self, source: Source, url: str, **meta: object) -> Iterable[Request]:
        yield Request(api_url(url, source), meta=dict(meta))

    def parse_list(self, response: Response, source: Source, tz: tzinfo, now: datetime) -> ListPage:
        data = json_data(response)
        if isinstance(data, dict) and "articles" in data:
            return self._parse_api(response.url, data, tz, now)
        return super().parse_list(response, source, tz, now)

    def next_page(self, html: str, url: str) -> str | None:
        return trs_next_page(html, url)

    @staticmethod
    def _parse_api(url: str, data: dict[str, Any], tz: tzinfo, now: datetime) -> ListPage:
        records = [r for r in data.get("articles") or [] if isinstance(r, dict)]
        entries = [
            ListEntry(
                url=urljoin(url, str(first_key(r, "url", "post_url"))),
                title=clean_title(str(r.get("title") or "")),
                published_at=_date(r, tz, now),
            )
            for r in records
            if first_key(r, "url", "post_url")
        ]
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        page = int((query.get("page") or ["1"])[0] or 1)
        total = int(data.get("total") or 0)
        next_urls = []
        if records and page * len(records) < total:
            query["page"] = [str(page + 1)]
            next_urls.append(urlunsplit(parts._replace(query=urlencode(query, doseq=True))))
        return ListPage(entries=unique(entries), next_urls=next_urls)
