"""云南滇中新区官网 (滇中新区), family trs: its list and two articles, as captured.

Fixture: tests/fixtures/sites/dianzhong/ mirrors www.dzxq.gov.cn.
Markup assumed where unknown (see the source's note in config/sources.yaml).
"""

from __future__ import annotations

import pytest
from sources_support import SourceCase, entries

pytestmark = pytest.mark.usefixtures("frozen_now")

CASE = SourceCase("dianzhong")
SITE = "https://www.dzxq.gov.cn"
LIST_URL = SITE + "/xwzx/dzyw/index.html"

ARTICLES = {
    SITE + "/xwzx/dzyw/202611/t20261123_3345678.html": {
        "title": "滇中新区新能源电池产业链项目集中签约落地",
        "published_at": "2026-11-23T09:40:00+08:00",
        "source_line": "滇中新区管委会",
        "text_start": "11月23日，滇中新区举行新能源电池产业链项目集中签约仪式，",
    },
    SITE + "/xwzx/dzyw/202611/t20261119_3343210.html": {
        "title": "滇中新区推行企业投资项目“容缺受理”改革",
        "published_at": "2026-11-19T17:05:00+08:00",
        "source_line": "云南日报",
        "text_start": "滇中新区推行企业投资项目“容缺受理”改革，对基本条件具备、主",
    },
}


def test_list_request():
    request = CASE.list_request(LIST_URL)
    assert (request.method, request.url) == ("GET", SITE + "/xwzx/dzyw/index.html")


def test_list_entries():
    assert entries(CASE.list_page(LIST_URL)) == [
        (
            SITE + "/xwzx/dzyw/202611/t20261123_3345678.html",
            "滇中新区新能源电池产业链项目集中签约落地",
            "2026-11-23T00:00:00+08:00",
        ),
        (
            SITE + "/xwzx/dzyw/202611/t20261119_3343210.html",
            "滇中新区推行企业投资项目“容缺受理”改革",
            "2026-11-19T00:00:00+08:00",
        ),
        (
            SITE + "/xwzx/dzyw/202609/t20260911_3312345.html",
            "滇中新区召开招商引资工作推进会",
            "2026-09-11T00:00:00+08:00",
        ),
    ]


def test_next_page():
    assert CASE.list_page(LIST_URL).next_urls == [SITE + "/xwzx/dzyw/index_1.html"]


@pytest.mark.parametrize("url", ARTICLES)
@pytest.mark.parametrize("field", ["title", "published_at", "source_line", "text_start"])
def test_article_field(url, field):
    assert CASE.fields(url)[field] == ARTICLES[url][field]
