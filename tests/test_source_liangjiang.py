"""两江新区官网 (两江新区), family chinadaily: its list and two articles, as captured.

Fixture: tests/fixtures/sites/liangjiang/ mirrors www.liangjiang.gov.cn.
Markup assumed where unknown (see the source's note in config/sources.yaml).
"""

from __future__ import annotations

import pytest
from sources_support import SourceCase, entries

pytestmark = pytest.mark.usefixtures("frozen_now")

CASE = SourceCase("liangjiang")
SITE = "https://www.liangjiang.gov.cn"
LIST_URL = SITE + "/mixmedia/ljyw/index.html"

ARTICLES = {
    SITE + "/mixmedia/a/202611/24/WS6743a1b2e4b0c8d1a2f3e4d5.html": {
        "title": "两江新区智能网联新能源汽车产业集群产值突破两千亿元",
        "published_at": "2026-11-24T10:21:00+08:00",
        "source_line": "两江新区融媒体中心",
        "text_start": "今年前十个月，两江新区智能网联新能源汽车产业集群实现产值两千",
    },
    SITE + "/mixmedia/a/202611/20/WS673d5f10e4b0c8d1a2f3e1a9.html": {
        "title": "两江新区开展外资准入负面清单之外领域“一网通办”改革",
        "published_at": "2026-11-20T15:48:00+08:00",
        "source_line": "两江新区商务局",
        "text_start": "两江新区近日开展外资准入负面清单之外领域“一网通办”改革，外",
    },
}


def test_list_request():
    request = CASE.list_request(LIST_URL)
    assert (request.method, request.url) == ("GET", SITE + "/mixmedia/ljyw/index.html")


def test_list_entries():
    assert entries(CASE.list_page(LIST_URL)) == [
        (
            SITE + "/mixmedia/a/202611/24/WS6743a1b2e4b0c8d1a2f3e4d5.html",
            "两江新区智能网联新能源汽车产业集群产值突破两千亿元",
            "2026-11-24T00:00:00+08:00",
        ),
        (
            SITE + "/mixmedia/a/202611/20/WS673d5f10e4b0c8d1a2f3e1a9.html",
            "两江新区开展外资准入负面清单之外领域“一网通办”改革",
            "2026-11-20T00:00:00+08:00",
        ),
        (
            SITE + "/mixmedia/a/202609/14/WS66e4c2d1e4b0c8d1a2f0a1b2.html",
            "两江新区举行三季度重大项目集中签约活动",
            "2026-09-14T00:00:00+08:00",
        ),
    ]


def test_next_page():
    assert CASE.list_page(LIST_URL).next_urls == [SITE + "/mixmedia/ljyw/page_2.html"]


@pytest.mark.parametrize("url", ARTICLES)
@pytest.mark.parametrize("field", ["title", "published_at", "source_line", "text_start"])
def test_article_field(url, field):
    assert CASE.fields(url)[field] == ARTICLES[url][field]
