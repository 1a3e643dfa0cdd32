"""贵安新区官网 (贵安新区), family trs: its list and two articles, as captured.

Fixture: tests/fixtures/sites/guian/ mirrors www.gaxq.gov.cn.
Markup assumed where unknown (see the source's note in config/sources.yaml).
"""

from __future__ import annotations

import pytest
from sources_support import SourceCase, entries

pytestmark = pytest.mark.usefixtures("frozen_now")

CASE = SourceCase("guian")
SITE = "https://www.gaxq.gov.cn"
LIST_URL = SITE + "/xwdt/gayw/index.html"

ARTICLES = {
    SITE + "/xwdt/gayw/202611/t20261124_90231456.html": {
        "title": "贵安新区数据中心集群新增算力规模突破十万标准机架",
        "published_at": "2026-11-24T17:28:00+08:00",
        "source_line": "贵安新区报",
        "text_start": "11月24日，记者从贵安新区大数据发展管理局获悉，今年以来贵",
    },
    SITE + "/xwdt/gayw/202611/t20261120_90229871.html": {
        "title": "贵安新区推行“标准地+承诺制”改革 企业拿地即开工",
        "published_at": "2026-11-20T09:15:00+08:00",
        "source_line": "贵安新区自然资源局",
        "text_start": "贵安新区全面推行工业项目“标准地+承诺制”改革，将亩均投资、",
    },
}


def test_list_request():
    request = CASE.list_request(LIST_URL)
    assert (request.method, request.url) == ("GET", SITE + "/xwdt/gayw/index.html")


def test_list_entries():
    assert entries(CASE.list_page(LIST_URL)) == [
        (
            SITE + "/xwdt/gayw/202611/t20261124_90231456.html",
            "贵安新区数据中心集群新增算力规模突破十万标准机架",
            "2026-11-24T00:00:00+08:00",
        ),
        (
            SITE + "/xwdt/gayw/202611/t20261120_90229871.html",
            "贵安新区推行“标准地+承诺制”改革 企业拿地即开工",
            "2026-11-20T00:00:00+08:00",
        ),
        (
            SITE + "/xwdt/gayw/202609/t20260915_90198765.html",
            "贵安新区召开第三季度经济运行分析会",
            "2026-09-15T00:00:00+08:00",
        ),
    ]


def test_next_page():
    assert CASE.list_page(LIST_URL).next_urls == [SITE + "/xwdt/gayw/index_1.html"]


@pytest.mark.parametrize("url", ARTICLES)
@pytest.mark.parametrize("field", ["title", "published_at", "source_line", "text_start"])
def test_article_field(url, field):
    assert CASE.fields(url)[field] == ARTICLES[url][field]
