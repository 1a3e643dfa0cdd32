"""福州新区官网 (福州新区), family trs: its list and two articles, as captured.

Fixture: tests/fixtures/sites/fuzhou/ mirrors fzxq.fuzhou.gov.cn.
Markup assumed where unknown (see the source's note in config/sources.yaml).
"""

from __future__ import annotations

import pytest
from sources_support import SourceCase, entries

pytestmark = pytest.mark.usefixtures("frozen_now")

CASE = SourceCase("fuzhou")
SITE = "https://fzxq.fuzhou.gov.cn"
LIST_URL = SITE + "/xxgk/xqyw/tpxw/index.htm"

ARTICLES = {
    SITE + "/xxgk/xqyw/tpxw/202611/t20261122_5398765.htm": {
        "title": "福州新区滨海新城数字经济产业园新签约项目二十个",
        "published_at": "2026-11-22T11:20:00+08:00",
        "source_line": "福州新区管委会",
        "text_start": "11月22日，福州新区滨海新城数字经济产业园举行项目集中签约",
    },
    SITE + "/xxgk/xqyw/tpxw/202611/t20261118_5396543.htm": {
        "title": "福州新区深化“一枚印章管审批”改革",
        "published_at": "2026-11-18T09:05:00+08:00",
        "source_line": "福州日报",
        "text_start": "福州新区深化“一枚印章管审批”改革，将十二个部门的一百八十项",
    },
}


def test_list_request():
    request = CASE.list_request(LIST_URL)
    assert (request.method, request.url) == ("GET", SITE + "/xxgk/xqyw/tpxw/index.htm")


def test_list_entries():
    assert entries(CASE.list_page(LIST_URL)) == [
        (
            SITE + "/xxgk/xqyw/tpxw/202611/t20261122_5398765.htm",
            "福州新区滨海新城数字经济产业园新签约项目二十个",
            "2026-11-22T00:00:00+08:00",
        ),
        (
            SITE + "/xxgk/xqyw/tpxw/202611/t20261118_5396543.htm",
            "福州新区深化“一枚印章管审批”改革",
            "2026-11-18T00:00:00+08:00",
        ),
        (
            SITE + "/xxgk/xqyw/tpxw/202609/t20260908_5312345.htm",
            "福州新区召开重点项目建设现场推进会",
            "2026-09-08T00:00:00+08:00",
        ),
    ]


def test_next_page():
    assert CASE.list_page(LIST_URL).next_urls == [SITE + "/xxgk/xqyw/tpxw/index_1.htm"]


@pytest.mark.parametrize("url", ARTICLES)
@pytest.mark.parametrize("field", ["title", "published_at", "source_line", "text_start"])
def test_article_field(url, field):
    assert CASE.fields(url)[field] == ARTICLES[url][field]
