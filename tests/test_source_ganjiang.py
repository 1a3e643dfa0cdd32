"""江西赣江新区官网 (赣江新区), family generic: its list and two articles, as captured.

Fixture: tests/fixtures/sites/ganjiang/ mirrors www.gjxq.gov.cn.
Markup assumed where unknown (see the source's note in config/sources.yaml).
"""

from __future__ import annotations

import pytest
from sources_support import SourceCase, entries

pytestmark = pytest.mark.usefixtures("frozen_now")

CASE = SourceCase("ganjiang")
SITE = "http://www.gjxq.gov.cn"
LIST_URL = SITE + "/html/news/"

ARTICLES = {
    SITE + "/html/news/2026/1124/3456.html": {
        "title": "赣江新区有机硅产业集群主营业务收入突破五百亿元",
        "published_at": "2026-11-24T16:30:00+08:00",
        "source_line": "赣江新区管委会",
        "text_start": "今年前十个月，赣江新区有机硅新材料产业集群实现主营业务收入五",
    },
    SITE + "/html/news/2026/1120/3421.html": {
        "title": "赣江新区推进“区内事区内办”赋权改革",
        "published_at": "2026-11-20T10:15:00+08:00",
        "source_line": "江西日报",
        "text_start": "赣江新区推进“区内事区内办”赋权改革，省市两级下放新区的经济",
    },
}


def test_list_request():
    request = CASE.list_request(LIST_URL)
    assert (request.method, request.url) == ("GET", SITE + "/html/news/")


def test_list_entries():
    assert entries(CASE.list_page(LIST_URL)) == [
        (
            SITE + "/html/news/2026/1124/3456.html",
            "赣江新区有机硅产业集群主营业务收入突破五百亿元",
            "2026-11-24T00:00:00+08:00",
        ),
        (
            SITE + "/html/news/2026/1120/3421.html",
            "赣江新区推进“区内事区内办”赋权改革",
            "2026-11-20T00:00:00+08:00",
        ),
        (
            SITE + "/html/news/2026/0915/3201.html",
            "赣江新区召开三季度重点项目推进会",
            "2026-09-15T00:00:00+08:00",
        ),
    ]


def test_next_page():
    assert CASE.list_page(LIST_URL).next_urls == []


@pytest.mark.parametrize("url", ARTICLES)
@pytest.mark.parametrize("field", ["title", "published_at", "source_line", "text_start"])
def test_article_field(url, field):
    assert CASE.fields(url)[field] == ARTICLES[url][field]
