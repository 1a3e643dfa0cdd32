"""青岛西海岸新区官网 (西海岸新区), family trs: its list and two articles, as captured.

Fixture: tests/fixtures/sites/xihaian/ mirrors www.xihaian.gov.cn.
Markup assumed where unknown (see the source's note in config/sources.yaml).
"""

from __future__ import annotations

import pytest
from sources_support import SourceCase, entries

pytestmark = pytest.mark.usefixtures("frozen_now")

CASE = SourceCase("xihaian")
SITE = "https://www.xihaian.gov.cn"
LIST_URL = SITE + "/ywdt/tsxq/index.shtml"

ARTICLES = {
    SITE + "/ywdt/tsxq/202611/t20261123_10701234.shtml": {
        "title": "西海岸新区海洋装备产业园首批项目集中投产",
        "published_at": "2026-11-23T10:02:00+08:00",
        "source_line": "西海岸新闻网",
        "text_start": "11月23日，西海岸新区海洋装备产业园首批七个项目集中投产，",
    },
    SITE + "/ywdt/tsxq/202611/t20261119_10698765.shtml": {
        "title": "西海岸新区启动营商环境改革“一件事”集成服务",
        "published_at": "2026-11-19T16:40:00+08:00",
        "source_line": "西海岸新区行政审批服务局",
        "text_start": "西海岸新区近日启动营商环境改革“一件事”集成服务，首批推出开",
    },
}


def test_list_request():
    request = CASE.list_request(LIST_URL)
    assert (request.method, request.url) == ("GET", SITE + "/ywdt/tsxq/index.shtml")


def test_list_entries():
    assert entries(CASE.list_page(LIST_URL)) == [
        (
            SITE + "/ywdt/tsxq/202611/t20261123_10701234.shtml",
            "西海岸新区海洋装备产业园首批项目集中投产",
            "2026-11-23T00:00:00+08:00",
        ),
        (
            SITE + "/ywdt/tsxq/202611/t20261119_10698765.shtml",
            "西海岸新区启动营商环境改革“一件事”集成服务",
            "2026-11-19T00:00:00+08:00",
        ),
        (
            SITE + "/ywdt/tsxq/202609/t20260912_10612345.shtml",
            "西海岸新区举办第五届海洋经济论坛",
            "2026-09-12T00:00:00+08:00",
        ),
    ]


def test_next_page():
    assert CASE.list_page(LIST_URL).next_urls == [SITE + "/ywdt/tsxq/index_1.shtml"]


@pytest.mark.parametrize("url", ARTICLES)
@pytest.mark.parametrize("field", ["title", "published_at", "source_line", "text_start"])
def test_article_field(url, field):
    assert CASE.fields(url)[field] == ARTICLES[url][field]
