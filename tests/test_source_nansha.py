"""广州市南沙区人民政府门户网站 (南沙新区), family gkmlpt: its list and two articles, as captured.

Fixture: tests/fixtures/sites/nansha/ mirrors www.gzns.gov.cn.
Markup assumed where unknown (see the source's note in config/sources.yaml).
"""

from __future__ import annotations

import pytest
from sources_support import SourceCase, entries

pytestmark = pytest.mark.usefixtures("frozen_now")

CASE = SourceCase("nansha")
SITE = "https://www.gzns.gov.cn"
LIST_URL = SITE + "/zwgk/zwdt/index.html"

ARTICLES = {
    SITE + "/zwgk/zwdt/content/post_11023456.html": {
        "title": "南沙新区国际航运物流枢纽项目建设提速",
        "published_at": "2026-11-24T17:45:00+08:00",
        "source_line": "广州市南沙区人民政府办公室",
        "text_start": "南沙港区四期工程配套物流园项目近日完成主体建设，南沙国际航运",
    },
    SITE + "/zwgk/zwdt/content/post_11019876.html": {
        "title": "南沙推出粤港澳规则衔接“湾区通”改革举措",
        "published_at": "2026-11-19T12:00:00+08:00",
        "source_line": "南沙区发展和改革局",
        "text_start": "南沙近日推出第三批粤港澳规则衔接“湾区通”改革举措，涵盖职业",
    },
    # The gkmlpt API names these with http:// (as captured); the fixture mirrors the path.
    "http://www.gzns.gov.cn/gkmlpt/content/11/11021/post_11021234.html": {
        "title": "广州市南沙区人民政府关于印发南沙区促进低空经济高质量发展若干措施的通知",
        "published_at": "2026-11-24T14:30:00+08:00",
        "source_line": "广州市南沙区人民政府",
        "text_start": "各镇人民政府、街道办事处，区政府各部门、各直属机构：\n现将《",
    },
    "http://www.gzns.gov.cn/gkmlpt/content/11/11018/post_11018765.html": {
        "title": "广州市南沙区发展和改革局关于2026年第四批区级重点建设项目的公示",
        "published_at": "2026-11-19T16:00:00+08:00",
        "source_line": "广州市南沙区发展和改革局",
        "text_start": "根据《南沙区区级重点建设项目管理办法》，经项目单位申报、行业",
    },
}


def test_list_request():
    request = CASE.list_request(LIST_URL)
    assert (request.method, request.url) == ("GET", SITE + "/zwgk/zwdt/index.html")


def test_list_entries():
    assert entries(CASE.list_page(LIST_URL)) == [
        (
            SITE + "/zwgk/zwdt/content/post_11023456.html",
            "南沙新区国际航运物流枢纽项目建设提速",
            "2026-11-24T00:00:00+08:00",
        ),
        (
            SITE + "/zwgk/zwdt/content/post_11019876.html",
            "南沙推出粤港澳规则衔接“湾区通”改革举措",
            "2026-11-19T00:00:00+08:00",
        ),
        (
            SITE + "/zwgk/zwdt/content/post_10912345.html",
            "南沙区召开三季度经济运行分析会",
            "2026-09-17T00:00:00+08:00",
        ),
    ]


def test_next_page():
    assert CASE.list_page(LIST_URL).next_urls == [SITE + "/zwgk/zwdt/index_1.html"]


@pytest.mark.parametrize("url", ARTICLES)
@pytest.mark.parametrize("field", ["title", "published_at", "source_line", "text_start"])
def test_article_field(url, field):
    assert CASE.fields(url)[field] == ARTICLES[url][field]


API_URL = SITE + "/gkmlpt/api/all/0?page=1"


def test_gkmlpt_api_entries():
    assert entries(CASE.list_page(API_URL)) == [
        (
            "http://www.gzns.gov.cn/gkmlpt/content/11/11021/post_11021234.html",
            "广州市南沙区人民政府关于印发南沙区促进低空经济高质量发展若干措施的通知",
            "2026-11-24T14:30:00+08:00",
        ),
        (
            "http://www.gzns.gov.cn/gkmlpt/content/11/11018/post_11018765.html",
            "广州市南沙区发展和改革局关于2026年第四批区级重点建设项目的公示",
            "2026-11-19T16:00:00+08:00",
        ),
    ]


def test_gkmlpt_api_next_page_while_total_not_reached():
    assert CASE.list_page(API_URL).next_urls == [SITE + "/gkmlpt/api/all/0?page=2"]


def test_gkmlpt_app_url_is_fetched_through_the_api():
    source = CASE.source.model_copy(update={"family_options": {"sid": "200011"}})
    (request,) = CASE.family.list_requests(source, SITE + "/gkmlpt/index#2845")
    assert request.url == SITE + "/gkmlpt/api/all/2845?page=1&sid=200011"
