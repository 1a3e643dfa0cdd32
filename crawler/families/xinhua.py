"""Xinhua's CMS (news.cn; Xiongan runs on it).

New-CMS list pages are shells: ``<ul class="wz-list" data="datasource:<id>">`` is
filled from ``ds_<id>.json`` next to the page, shaped ``{"datasource": [{"title",
"publishUrl", "publishTime", "contentId", …}]}``. With ``family_options.datasource``
the JSON is fetched directly; otherwise the page is fetched and names it (a
``data_urls`` entry). Articles: ``/YYYYMMDD/<32 hex>/c.html`` (old: ``c_<id>.htm``),
time in ``span.time`` (old: ``span.h-time``), body ``#detailContent`` (old:
``#p-detail``), meta ``source`` and ``publishdate``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urljoin

from bs4 import BeautifulSoup
from pydantic import Field
from scrapy import Request
from scrapy.http import Response

from crawler.extract.article import ArticleSelectors, ExtractedArticle
from crawler.extract.dates import parse_datetime
from crawler.extract.listing import ListEntry, json_data
from crawler.extract.urldates import date_in_url
from crawler.families.base import Family, FamilyOptions, ListPage
from crawler.families.common import (
    clean_title,
    entries_by_pattern,
    first_key,
    response_text,
    unique,
)
from xinqu.config import Source

ARTICLE = re.compile(r"(/20\d{6}/[0-9a-f]{32}/c\.html|/c_\d+\.htm)$")
DATASOURCE = re.compile(r"""data=["']datasource:([0-9a-zA-Z_]+)["']""")


class XinhuaOptions(FamilyOptions):
    """``datasource``: the list's ``ds_<id>.json`` id, fetched directly instead of the page."""

    datasource: str | None = Field(None, pattern=r"^[0-9a-zA-Z_]+$")


class XinhuaFamily(Family):
    name = "xinhua"
    options = XinhuaOptions
    article_selectors = ArticleSelectors(
        title="h1#title, .head-line h1 .title, .h-title",
        date=".info .time, span.h-time",
        body="#detailContent, #detail, #p-detail",
    )

    def list_requests(self, source: Source, url: str, **meta: object) -> Iterable[Request]:
        datasource = XinhuaOptions.of(source).datasource
        yield Request(urljoin(url, f"ds_{datasource}.json") if datasource else url, meta=dict(meta))

    def parse_list(self, response: Response, source: Source, tz: tzinfo, now: datetime) -> ListPage:
        data = json_data(response)
        if isinstance(data, dict):
            return ListPage(entries=self._json_entries(response.url, data, tz, now))
        if source.link_selector:
            return super().parse_list(response, source, tz, now)
        html = response_text(response)
        entries = entries_by_pattern(html, response.url, ARTICLE, tz, now)
        data_urls = [urljoin(response.url, f"ds_{m}.json") for m in DATASOURCE.findall(html)]
        return ListPage(entries=entries, data_urls=list(dict.fromkeys(data_urls)))

    def parse_article(
        self, response: Response, source: Source, tz: tzinfo, now: datetime
    ) -> ExtractedArticle:
        """news.cn's 2024 template splits the time: ``.header-time`` holds ``.year``
        (2024), ``.day`` (05/09) and ``.time`` (22:27:02); the meta has the day only."""
        article = super().parse_article(response, source, tz, now)
        if source.date_selector:
            return article
        header = BeautifulSoup(response_text(response), "lxml").select_one(".header-time")
        parts = [header.select_one(f".{k}") for k in ("year", "day", "time")] if header else []
        if parts and all(parts):
            year, day, clock = (p.get_text(strip=True) for p in parts if p is not None)
            published = parse_datetime(f"{year}-{day.replace('/', '-')} {clock}", tz, now)
            if published is not None:
                article = replace(article, published_at=published)
        return article

    @staticmethod
    def _json_entries(url: str, data: dict[str, Any], tz: tzinfo, now: datetime) -> list[ListEntry]:
        entries = []
        for record in data.get("datasource") or []:
            if not isinstance(record, dict) or not first_key(record, "publishUrl", "url"):
                continue
            link = urljoin(url, str(first_key(record, "publishUrl", "url")))
            published = parse_datetime(first_key(record, "publishTime"), tz, now)
            entries.append(
                ListEntry(
                    url=link,
                    title=clean_title(str(record.get("title") or "")),
                    published_at=published or date_in_url(link, tz),
                )
            )
        return unique(entries)
