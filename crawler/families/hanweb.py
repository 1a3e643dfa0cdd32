"""大汉 Hanweb jcms: Zhoushan and the Zhejiang, Jiangsu, Shandong, Jiangxi platforms.

A column page (``/col/col<id>/index.html?uid=<unit>&pageNum=N``) carries its first
records in ``<script type="text/xml"><datastore>``: ``<record><![CDATA[<li>…]]>``
elements that JavaScript renders, and a ``<nextgroup>`` link to the jpage data
proxy naming ``webid``, ``columnid`` and ``unitid``. Further records come from
``POST /module/web/jpage/dataproxy.jsp?startrecord=A&endrecord=B&perpage=P`` with
those as form fields; the answer is the same ``<datastore>`` XML with
``<totalrecord>``. Articles: ``/art/YYYY/M/D/art_<col>_<id>.html``, body ``div#zoom``.
"""

from __future__ import annotations

import html as htmllib
import re
from datetime import datetime, tzinfo
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from bs4 import BeautifulSoup
from pydantic import Field
from scrapy import FormRequest, Request
from scrapy.http import Response

from crawler.extract.article import ArticleSelectors
from crawler.extract.listing import ListEntry
from crawler.extract.soup import attr
from crawler.families.base import Family, FamilyOptions, ListPage
from crawler.families.common import anchor_title, response_text, row_date, unique
from xinqu.config import Source

_DATASTORE = re.compile(r"<datastore>(.*?)</datastore>", re.S | re.I)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S | re.I)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_HREF = re.compile(r"""href=["']([^"']+)["']""")
_PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
#: Form fields the data proxy expects besides those the nextgroup link names.
_FORM_DEFAULTS = {"col": "1", "appid": "1", "path": "/", "sourceContentType": "1"}
_FORM_KEYS = ("webid", "columnid", "unitid", "webname", "permissiontype", "path")


class HanwebOptions(FamilyOptions):
    """``perpage`` and ``group``: the data proxy's page size and records per request
    (default: the list page's own ``perpage``, and as many records as it embeds)."""

    perpage: int | None = Field(None, ge=1)
    group: int | None = Field(None, ge=1)


class HanwebFamily(Family):
    name = "hanweb"
    options = HanwebOptions
    article_selectors = ArticleSelectors(body="#zoom, .main-txt, #barrierfree_container .con")

    def parse_list(self, response: Response, source: Source, tz: tzinfo, now: datetime) -> ListPage:
        text = response_text(response)
        store = _DATASTORE.search(text)
        if store is None:
            return super().parse_list(response, source, tz, now)
        records = _RECORD.findall(store.group(1))
        entries = unique(
            entry for record in records if (entry := self._entry(record, response.url, tz, now))
        )
        following = self._next_proxy_url(store.group(1), response, len(records), source)
        return ListPage(entries=entries, next_urls=[following] if following else [])

    @staticmethod
    def _entry(record: str, base: str, tz: tzinfo, now: datetime) -> ListEntry | None:
        soup = BeautifulSoup(record, "lxml")
        anchor = soup.find("a", href=True)
        if anchor is None:
            return None
        url = urljoin(base, attr(anchor, "href").strip())
        row = soup.body or soup
        found = row_date(row, anchor, url, tz, now)
        if found is None:
            return ListEntry(url=url, title=anchor_title(anchor))
        return ListEntry(url, anchor_title(anchor), found.value, found.evidence)

    @staticmethod
    def _next_proxy_url(store: str, response: Response, count: int, source: Source) -> str | None:
        """The data proxy URL for the records after these, all form fields in its query.

        The proxy is a JSP that reads query and form fields alike, so the URL works as
        a GET too; :meth:`next_requests` sends it as the POST browsers send.
        """
        nextgroup = _NEXTGROUP.search(store)
        href = _HREF.search(nextgroup.group(1)) if nextgroup else None
        if href is None or count == 0:
            return None
        link = urljoin(response.url, htmllib.unescape(href.group(1)))
        params = dict(parse_qsl(urlsplit(link).query))
        current = dict(parse_qsl(urlsplit(response.url).query))
        start = int(current.get("startrecord", 1))
        end = start + count - 1
        total = _TOTAL.search(store)
        if total is not None and end >= int(total.group(1)):
            return None
        options = HanwebOptions.of(source)
        perpage = str(options.perpage or current.get("perpage", 15))
        group = options.group or count
        form = {**_FORM_DEFAULTS, **{k: params[k] for k in _FORM_KEYS if k in params}}
        query = {
            "startrecord": end + 1,
            "endrecord": end + group,
            "perpage": perpage,
            **form,
        }
        path = urlsplit(link).path if "dataproxy" in link else _PROXY_PATH
        return urljoin(response.url, f"{path}?{urlencode(query)}")

    def next_requests(self, response: Response, page: ListPage, source: Source) -> list[Request]:
        requests: list[Request] = []
        for url in page.next_urls:
            parts = urlsplit(url)
            query = dict(parse_qsl(parts.query))
            paging: dict[str, str] = {
                k: query.pop(k) for k in ("startrecord", "endrecord", "perpage") if k in query
            }
            target = parts._replace(query=urlencode(paging)).geturl()
            requests.append(FormRequest(target, formdata=query, headers={"Referer": response.url}))
        return requests
