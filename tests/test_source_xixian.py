"""西咸新区官网 (西咸新区), family generic: its list and two articles, as captured.

Fixture: tests/fixtures/sites/xixian/ mirrors www.xixianxinqu.gov.cn.
Markup assumed where unknown (see the source's note in config/sources.yaml).
"""

from __future__ import annotations

import pytest
from sources_support import SourceCase, entries

pytestmark = pytest.mark.usefixtures("frozen_now")

CASE = SourceCase("xixian")
SITE = "http://www.xixianxinqu.gov.cn"
LIST_URL = SITE + "/xwzx/xcdt/"

ARTICLES = {
    SITE + "/xwzx/xcdt/1993456789012345678.html": {
        "title": "西咸新区秦创原总窗口新增科技型企业一百二十家",
        "published_at": "2026-11-24T15:07:00+08:00",
        "source_line": "西咸新区融媒体中心",
        "text_start": "今年以来，西咸新区秦创原总窗口新增科技型中小企业一百二十家，",
    },
    SITE + "/xwzx/xcdt/1992876543210987654.html": {
        "title": "西咸新区出台促进数字经济高质量发展若干措施",
        "published_at": "2026-11-18T10:30:00+08:00",
        "source_line": "西咸新区发改局",
        "text_start": "西咸新区近日出台促进数字经济高质量发展若干措施，从算力设施、",
    },
}


def test_list_request():
    request = CASE.list_request(LIST_URL)
    assert (request.method, request.url) == ("GET", SITE + "/xwzx/xcdt/")


def test_list_entries():
    assert entries(CASE.list_page(LIST_URL)) == [
        (
            SITE + "/xwzx/xcdt/1993456789012345678.html",
            "西咸新区秦创原总窗口新增科技型企业一百二十家",
            "2026-11-24T00:00:00+08:00",
        ),
        (
            SITE + "/xwzx/xcdt/1992876543210987654.html",
            "西咸新区出台促进数字经济高质量发展若干措施",
            "2026-11-18T00:00:00+08:00",
        ),
        (
            SITE + "/xwzx/xcdt/1971234567890123456.html",
            "西咸新区召开三季度经济运行调度会",
            "2026-09-19T00:00:00+08:00",
        ),
    ]


def test_next_page():
    assert CASE.list_page(LIST_URL).next_urls == []


@pytest.mark.parametrize("url", ARTICLES)
@pytest.mark.parametrize("field", ["title", "published_at", "source_line", "text_start"])
def test_article_field(url, field):
    assert CASE.fields(url)[field] == ARTICLES[url][field]
