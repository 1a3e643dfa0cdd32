"""南京江北新区官网 (江北新区), family trs: its list and two articles, as captured.

Fixture: tests/fixtures/sites/jiangbei/ mirrors njna.nanjing.gov.cn.
Markup assumed where unknown (see the source's note in config/sources.yaml).
"""

from __future__ import annotations

import pytest
from sources_support import SourceCase, entries

pytestmark = pytest.mark.usefixtures("frozen_now")

CASE = SourceCase("jiangbei")
SITE = "https://njna.nanjing.gov.cn"
LIST_URL = SITE + "/xwzx/xqyw/index.html"

ARTICLES = {
    SITE + "/xwzx/xqyw/202611/t20261124_5901234.html": {
        "title": "江北新区集成电路产业规模今年有望突破八百亿元",
        "published_at": "2026-11-24T08:30:00+08:00",
        "source_line": "南京江北新区管委会",
        "text_start": "记者从江北新区获悉，今年前十个月新区集成电路产业实现营收六百",
    },
    SITE + "/xwzx/xqyw/202611/t20261121_5898765.html": {
        "title": "江北新区获批开展数据资产登记制度改革试点",
        "published_at": "2026-11-21T15:12:00+08:00",
        "source_line": "新华日报",
        "text_start": "江北新区近日获批开展数据资产登记制度改革试点，将探索数据资产",
    },
}


def test_list_request():
    request = CASE.list_request(LIST_URL)
    assert (request.method, request.url) == ("GET", SITE + "/xwzx/xqyw/index.html")


def test_list_entries():
    assert entries(CASE.list_page(LIST_URL)) == [
        (
            SITE + "/xwzx/xqyw/202611/t20261124_5901234.html",
            "江北新区集成电路产业规模今年有望突破八百亿元",
            "2026-11-24T00:00:00+08:00",
        ),
        (
            SITE + "/xwzx/xqyw/202611/t20261121_5898765.html",
            "江北新区获批开展数据资产登记制度改革试点",
            "2026-11-21T00:00:00+08:00",
        ),
        (
            SITE + "/xwzx/xqyw/202609/t20260910_5812345.html",
            "江北新区召开三季度重点项目推进会",
            "2026-09-10T00:00:00+08:00",
        ),
    ]


def test_next_page():
    assert CASE.list_page(LIST_URL).next_urls == [SITE + "/xwzx/xqyw/index_1.html"]


@pytest.mark.parametrize("url", ARTICLES)
@pytest.mark.parametrize("field", ["title", "published_at", "source_line", "text_start"])
def test_article_field(url, field):
    assert CASE.fields(url)[field] == ARTICLES[url][field]
