"""湖南湘江新区官网 (湘江新区), family trs: its list and two articles, as captured.

Fixture: tests/fixtures/sites/xiangjiang/ mirrors www.hnxjxq.gov.cn.
Markup assumed where unknown (see the source's note in config/sources.yaml).
"""

from __future__ import annotations

import pytest
from sources_support import SourceCase, entries

pytestmark = pytest.mark.usefixtures("frozen_now")

CASE = SourceCase("xiangjiang")
SITE = "https://www.hnxjxq.gov.cn"
LIST_URL = SITE + "/xwzx/xjyw/index.html"

ARTICLES = {
    SITE + "/xwzx/xjyw/202611/t20261124_12034567.html": {
        "title": "湘江新区智能网联汽车测试道路里程突破五百公里",
        "published_at": "2026-11-24T14:45:00+08:00",
        "source_line": "湘江新区管委会",
        "text_start": "湘江新区近日新开放一批智能网联汽车测试道路，测试道路总里程突",
    },
    SITE + "/xwzx/xjyw/202611/t20261120_12031234.html": {
        "title": "湘江新区出台支持科技成果转化十条措施",
        "published_at": "2026-11-20T10:00:00+08:00",
        "source_line": "长沙晚报",
        "text_start": "湘江新区近日出台支持科技成果转化十条措施，对高校院所成果在新",
    },
}


def test_list_request():
    request = CASE.list_request(LIST_URL)
    assert (request.method, request.url) == ("GET", SITE + "/xwzx/xjyw/index.html")


def test_list_entries():
    assert entries(CASE.list_page(LIST_URL)) == [
        (
            SITE + "/xwzx/xjyw/202611/t20261124_12034567.html",
            "湘江新区智能网联汽车测试道路里程突破五百公里",
            "2026-11-24T00:00:00+08:00",
        ),
        (
            SITE + "/xwzx/xjyw/202611/t20261120_12031234.html",
            "湘江新区出台支持科技成果转化十条措施",
            "2026-11-20T00:00:00+08:00",
        ),
        (
            SITE + "/xwzx/xjyw/202609/t20260905_11901234.html",
            "湘江新区举行第三季度项目集中开工活动",
            "2026-09-05T00:00:00+08:00",
        ),
    ]


def test_next_page():
    assert CASE.list_page(LIST_URL).next_urls == [SITE + "/xwzx/xjyw/index_1.html"]


@pytest.mark.parametrize("url", ARTICLES)
@pytest.mark.parametrize("field", ["title", "published_at", "source_line", "text_start"])
def test_article_field(url, field):
    assert CASE.fields(url)[field] == ARTICLES[url][field]
