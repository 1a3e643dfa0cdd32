"""长春新区官网 (长春新区), family generic: its list and two articles, as captured.

Fixture: tests/fixtures/sites/changchun/ mirrors www.ccxq.gov.cn.
Markup assumed where unknown (see the source's note in config/sources.yaml).
"""

from __future__ import annotations

import pytest
from sources_support import SourceCase, entries

pytestmark = pytest.mark.usefixtures("frozen_now")

CASE = SourceCase("changchun")
SITE = "https://www.ccxq.gov.cn"
LIST_URL = SITE + "/content/news/list/1/1.html"

ARTICLES = {
    SITE + "/content/news/show/20456.html": {
        "title": "长春新区光电信息产业园新增投产项目九个",
        "published_at": "2026-11-24T15:00:00+08:00",
        "source_line": "长春新区管委会",
        "text_start": "今年以来，长春新区光电信息产业园新增投产项目九个，新增产值二",
    },
    SITE + "/content/news/show/20398.html": {
        "title": "长春新区推行项目审批“多评合一”改革",
        "published_at": "2026-11-19T11:10:00+08:00",
        "source_line": "长春新区行政审批局",
        "text_start": "长春新区推行项目审批“多评合一”改革，将环评、能评和水土保持",
    },
}


def test_list_request():
    request = CASE.list_request(LIST_URL)
    assert (request.method, request.url) == ("GET", SITE + "/content/news/list/1/1.html")


def test_list_entries():
    """Links and titles of the cards; the sidebar (热门资讯, 推荐资讯) is left out.

    The cards' dates sit beside the link (div.time span.time1); reading them is the
    generic list extractor's job (crawler/extract/listing.py), so they are not pinned
    here: the articles' own dates are (below).
    """
    found = [(url, title) for url, title, _ in entries(CASE.list_page(LIST_URL))]
    assert found == [
        (SITE + "/content/news/show/20456.html", "长春新区光电信息产业园新增投产项目九个"),
        (SITE + "/content/news/show/20398.html", "长春新区推行项目审批“多评合一”改革"),
    ]


def test_next_page():
    assert CASE.list_page(LIST_URL).next_urls == [SITE + "/content/news/list/1/2.html"]


@pytest.mark.parametrize("url", ARTICLES)
@pytest.mark.parametrize("field", ["title", "published_at", "source_line", "text_start"])
def test_article_field(url, field):
    assert CASE.fields(url)[field] == ARTICLES[url][field]
