"""兰州新区官网 (兰州新区), family generic: its list and two articles, as captured.

Fixture: tests/fixtures/sites/lanzhou/ mirrors www.lzxq.gov.cn.
Markup assumed where unknown (see the source's note in config/sources.yaml).
"""

from __future__ import annotations

import pytest
from sources_support import SourceCase, entries

pytestmark = pytest.mark.usefixtures("frozen_now")

CASE = SourceCase("lanzhou")
SITE = "https://www.lzxq.gov.cn"
LIST_URL = SITE + "/xwzx/xqyw/index.shtml"

ARTICLES = {
    SITE + "/system/2026/11/24/031298765.shtml": {
        "title": "兰州新区精细化工园区新增规上企业十五家",
        "published_at": "2026-11-24T11:05:00+08:00",
        "source_line": "兰州新区融媒体中心",
        "text_start": "今年以来，兰州新区精细化工园区新增规模以上工业企业十五家，园",
    },
    SITE + "/system/2026/11/19/031295432.shtml": {
        "title": "兰州新区推行“拿地即拿证”审批改革",
        "published_at": "2026-11-19T09:50:00+08:00",
        "source_line": "兰州新区政务服务中心",
        "text_start": "兰州新区推行“拿地即拿证”审批改革，企业在签订土地出让合同后",
    },
}


def test_list_request():
    request = CASE.list_request(LIST_URL)
    assert (request.method, request.url) == ("GET", SITE + "/xwzx/xqyw/index.shtml")


def test_list_entries():
    assert entries(CASE.list_page(LIST_URL)) == [
        (
            SITE + "/system/2026/11/24/031298765.shtml",
            "兰州新区精细化工园区新增规上企业十五家",
            "2026-11-24T00:00:00+08:00",
        ),
        (
            SITE + "/system/2026/11/19/031295432.shtml",
            "兰州新区推行“拿地即拿证”审批改革",
            "2026-11-19T00:00:00+08:00",
        ),
        (
            SITE + "/system/2026/09/09/031212345.shtml",
            "兰州新区召开三季度项目建设观摩会",
            "2026-09-09T00:00:00+08:00",
        ),
    ]


def test_next_page():
    assert CASE.list_page(LIST_URL).next_urls == [SITE + "/xwzx/xqyw/index_2.shtml"]


@pytest.mark.parametrize("url", ARTICLES)
@pytest.mark.parametrize("field", ["title", "published_at", "source_line", "text_start"])
def test_article_field(url, field):
    assert CASE.fields(url)[field] == ARTICLES[url][field]
