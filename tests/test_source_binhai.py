"""滨海新区官网 (滨海新区), family siteserver: its list and two articles, as captured.

Fixture: tests/fixtures/sites/binhai/ mirrors www.tjbh.gov.cn.
"""

from __future__ import annotations

import pytest
from sources_support import SourceCase, entries

pytestmark = pytest.mark.usefixtures("frozen_now")

CASE = SourceCase("binhai")
SITE = "http://www.tjbh.gov.cn"
LIST_URL = SITE + "/channels/6346.html"

ARTICLES = {
    SITE + "/contents/6346/488123.html": {
        "title": "滨海新区生物制造产业创新联合体正式成立",
        "published_at": "2026-11-24T16:05:00+08:00",
        "source_line": "滨海新区发展改革委",
        "text_start": "11月24日，滨海新区生物制造产业创新联合体正式成立，首批成",
    },
    SITE + "/contents/6346/487990.html": {
        "title": "滨海新区推出涉企行政检查“扫码入企”改革",
        "published_at": "2026-11-19T11:30:00+08:00",
        "source_line": "滨海新区司法局",
        "text_start": "滨海新区推出涉企行政检查“扫码入企”改革，执法人员入企检查前",
    },
}


def test_list_request():
    request = CASE.list_request(LIST_URL)
    assert (request.method, request.url) == ("GET", SITE + "/channels/6346.html")


def test_list_entries():
    assert entries(CASE.list_page(LIST_URL)) == [
        (
            SITE + "/contents/6346/488123.html",
            "滨海新区生物制造产业创新联合体正式成立",
            "2026-11-24T00:00:00+08:00",
        ),
        (
            SITE + "/contents/6346/487990.html",
            "滨海新区推出涉企行政检查“扫码入企”改革",
            "2026-11-19T00:00:00+08:00",
        ),
        (
            SITE + "/contents/6346/487001.html",
            "滨海新区召开安全生产工作会议部署冬季安全工作",
            "2026-09-18T00:00:00+08:00",
        ),
    ]


def test_next_page():
    assert CASE.list_page(LIST_URL).next_urls == [SITE + "/channels/6346_2.html"]


@pytest.mark.parametrize("url", ARTICLES)
@pytest.mark.parametrize("field", ["title", "published_at", "source_line", "text_start"])
def test_article_field(url, field):
    assert CASE.fields(url)[field] == ARTICLES[url][field]
