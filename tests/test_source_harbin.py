"""哈尔滨新区官网 (哈尔滨新区), family generic: its list and two articles, as captured.

Fixture: tests/fixtures/sites/harbin/ mirrors www.hrbxq.gov.cn.
Markup assumed where unknown (see the source's note in config/sources.yaml).
"""

from __future__ import annotations

import pytest
from sources_support import SourceCase, entries

pytestmark = pytest.mark.usefixtures("frozen_now")

CASE = SourceCase("harbin")
SITE = "https://www.hrbxq.gov.cn"
LIST_URL = SITE + "/xwzx/xqyw/index.html"

ARTICLES = {
    SITE + "/xwzx/xqyw/202611/20261124_1234567.html": {
        "title": "哈尔滨新区冰雪装备产业园首批项目签约",
        "published_at": "2026-11-24T10:40:00+08:00",
        "source_line": "哈尔滨新区管委会",
        "text_start": "11月24日，哈尔滨新区冰雪装备产业园首批八个项目集中签约，",
    },
    SITE + "/xwzx/xqyw/202611/20261120_1234321.html": {
        "title": "哈尔滨新区推出对俄经贸合作便利化改革措施",
        "published_at": "2026-11-20T09:20:00+08:00",
        "source_line": "黑龙江日报",
        "text_start": "哈尔滨新区近日推出对俄经贸合作便利化改革措施十二条，涵盖通关",
    },
}


def test_list_request():
    request = CASE.list_request(LIST_URL)
    assert (request.method, request.url) == ("GET", SITE + "/xwzx/xqyw/index.html")


def test_list_entries():
    assert entries(CASE.list_page(LIST_URL)) == [
        (
            SITE + "/xwzx/xqyw/202611/20261124_1234567.html",
            "哈尔滨新区冰雪装备产业园首批项目签约",
            "2026-11-24T00:00:00+08:00",
        ),
        (
            SITE + "/xwzx/xqyw/202611/20261120_1234321.html",
            "哈尔滨新区推出对俄经贸合作便利化改革措施",
            "2026-11-20T00:00:00+08:00",
        ),
        (
            SITE + "/xwzx/xqyw/202609/20260908_1201234.html",
            "哈尔滨新区召开三季度经济工作会议",
            "2026-09-08T00:00:00+08:00",
        ),
    ]


def test_next_page():
    assert CASE.list_page(LIST_URL).next_urls == []


@pytest.mark.parametrize("url", ARTICLES)
@pytest.mark.parametrize("field", ["title", "published_at", "source_line", "text_start"])
def test_article_field(url, field):
    assert CASE.fields(url)[field] == ARTICLES[url][field]
