"""Pudong's portal: column pages filled from the ``zwgk-search-front`` JSON API.

``POST /zwgk-search-front/api/data/<endpoint>`` (``search`` or ``affair``) with
``{"pageNo": N, "pageSize": 20, "channelList": ["<channel>"]}`` answers
``{"code": 0, "data": {"list": [{"title", "url", "display_date"}], "totalPage": M}}``;
``display_date`` may be epoch milliseconds. The configured list URL is the column
page (sent as Referer, as the browser does); ``family_options`` name the channel
(``channels``) and the endpoint. Articles: ``/<column code>/<YYYYMMDD>/<id>.html``,
body ``#ivs_content``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from pydantic import Field
from scrapy import Request
from scrapy.http import JsonRequest, Response

from crawler.extract.article import ArticleSelectors
from crawler.extract.dates import parse_datetime
from crawler.extract.listing import ListEntry, json_data
from crawler.extract.urldates import date_in_url
from crawler.families.base import Code, Family, FamilyOptions, ListPage
from crawler.families.common import clean_title, first_key, unique
from xinqu.config import Source

API_PATH = "/zwgk-search-front/api/data/"


class PudongOptions(FamilyOptions):
    """``endpoint``: the API's ``search`` or ``affair``; ``channels``: the column's
    channel ids; ``page_size``: records asked per page."""

    endpoint: Literal["search", "affair"] = "search"
    channels: list[Code] = Field(default_factory=list)
    page_size: int = Field(20, ge=1, le=100)


def _api_request(source: Source, list_url: str, page: int) -> JsonRequest:
    parts = urlsplit(list_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    options = PudongOptions.of(source)
    payload = {
        "pageNo": page,
        "pageSize": options.page_size,
        "channelList": list(options.channels),
    }
    return JsonRequest(
        origin + API_PATH + options.endpoint,
        data=payload,
        headers={"Referer": list_url, "Origin": origin},
        meta={"pudong_list_url": list_url, "pudong_page": page},
    )


class PudongFamily(Family):
    name = "pudong"
    options = PudongOptions
    article_selectors = ArticleSelectors(body="#ivs_content")

    def list_requests(self, source: Source, url: str, **meta: object) -> Iterable[Request]:
        request = _api_request(source, url, 1)
        yield request.replace(meta={**request.meta, **meta})

    def parse_list(self, response: Response, source: Source, tz: tzinfo, now: datetime) -> ListPage:
        data = json_data(response)
        if not isinstance(data, dict):
            return super().parse_list(response, source, tz, now)
        body = data.get("data") or {}
        records = [r for r in body.get("list") or [] if isinstance(r, dict)]
        entries = [self._entry(r, response.url, tz, now) for r in records if r.get("url")]
        return ListPage(entries=unique(entries))

    @staticmethod
    def _entry(record: dict[str, Any], base: str, tz: tzinfo, now: datetime) -> ListEntry:
        url = urljoin(base, str(record["url"]))
        value = first_key(record, "display_date", "issue_date", "publish_date")
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        return ListEntry(
            url=url,
            title=clean_title(str(record.get("title") or "")),
            published_at=parse_datetime(value, tz, now) or date_in_url(url, tz),
        )

    @staticmethod
    def _page_number(response: Response) -> int:
        request = getattr(response, "request", None)
        if request is None or not request.body:
            return 1
        try:
            return int(json.loads(request.body).get("pageNo", 1))
        except (ValueError, AttributeError):
            return 1

    def next_requests(self, response: Response, page: ListPage, source: Source) -> list[Request]:
        """The same query's next page, while ``totalPage`` says there is one.

        Not a ``next_urls`` entry: a GET of the API URL is not the next page.
        """
        data = json_data(response)
        body = (data.get("data") or {}) if isinstance(data, dict) else {}
        number = self._page_number(response)
        if not page.entries or number >= int(body.get("totalPage") or 0):
            return []
        request = response.request
        list_url = (request.meta.get("pudong_list_url") if request else None) or response.url
        return [_api_request(source, str(list_url), number + 1)]
