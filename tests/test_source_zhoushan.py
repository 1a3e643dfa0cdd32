"""舟山市人民政府门户网站 (舟山群岛新区), family hanweb: its list and two articles, as captured.

Fixture: tests/fixtures/sites/zhoushan/ mirrors www.zhoushan.gov.cn.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from sources_support import TZ, SourceCase, entries, file_response

pytestmark = pytest.mark.usefixtures("frozen_now")

CASE = SourceCase("zhoushan")
SITE = "https://www.zhoushan.gov.cn"
LIST_URL = SITE + "/col/col1276171/index.html?uid=7284066&pageNum=1"

ARTICLES = {
    SITE + "/art/2026/11/24/art_1276171_59012345.html": {
        "title": "舟山群岛新区绿色石化基地新一批项目开工建设",
        "published_at": "2026-11-24T16:21:00+08:00",
        "source_line": "舟山日报",
        "text_start": "11月24日，舟山绿色石化基地新一批六个项目集中开工，总投资",
    },
    SITE + "/art/2026/11/20/art_1276171_59009876.html": {
        "title": "舟山推进油气全产业链投资便利化改革",
        "published_at": "2026-11-20T10:08:00+08:00",
        "source_line": "市发改委",
        "text_start": "舟山近日出台推进油气全产业链投资便利化改革实施方案，在保税燃",
    },
}


def test_list_request():
    request = CASE.list_request(LIST_URL)
    assert (request.method, request.url) == (
        "GET",
        SITE + "/col/col1276171/index.html?uid=7284066&pageNum=1",
    )


def test_list_entries():
    assert entries(CASE.list_page(LIST_URL)) == [
        (
            SITE + "/art/2026/11/24/art_1276171_59012345.html",
            "舟山群岛新区绿色石化基地新一批项目开工建设",
            "2026-11-24T00:00:00+08:00",
        ),
        (
            SITE + "/art/2026/11/20/art_1276171_59009876.html",
            "舟山推进油气全产业链投资便利化改革",
            "2026-11-20T00:00:00+08:00",
        ),
        (
            SITE + "/art/2026/9/16/art_1276171_58901234.html",
            "舟山群岛新区召开三季度经济形势分析会",
            "2026-09-16T00:00:00+08:00",
        ),
    ]


@pytest.mark.parametrize("url", ARTICLES)
@pytest.mark.parametrize("field", ["title", "published_at", "source_line", "text_start"])
def test_article_field(url, field):
    assert CASE.fields(url)[field] == ARTICLES[url][field]


PROXY = SITE + "/module/web/jpage/dataproxy.jsp"
FORM = {
    "col": "1",
    "appid": "1",
    "path": SITE + "/",
    "sourceContentType": "1",
    "webid": "3",
    "columnid": "1276171",
    "unitid": "7284066",
    "webname": "舟山市人民政府",
    "permissiontype": "0",
}


def test_next_page_is_the_data_proxy_after_the_embedded_records():
    (url,) = CASE.list_page(LIST_URL).next_urls
    assert url.split("?")[0] == PROXY
    paging = {"startrecord": "4", "endrecord": "6", "perpage": "15"}
    assert dict(parse_qsl(urlsplit(url).query)) == {**paging, **FORM}


def test_next_page_is_posted_as_the_browser_posts_it():
    request = CASE.list_request(LIST_URL)
    response = file_response(CASE.root, request.url, request)
    page = CASE.family.parse_list(response, CASE.source, TZ, CASE.now)
    (following,) = CASE.family.next_requests(response, page, CASE.source)
    assert following.method == "POST"
    assert following.url == PROXY + "?startrecord=4&endrecord=6&perpage=15"
    assert dict(parse_qsl(following.body.decode())) == FORM


def test_data_proxy_answer_is_read_as_the_same_list_and_ends_at_totalrecord():
    page = CASE.parse_list_url(PROXY + "?startrecord=4&endrecord=6&perpage=15")
    assert entries(page) == [
        (
            SITE + "/art/2026/9/10/art_1276171_58899876.html",
            "舟山市政府常务会议研究部署港口经济发展工作",
            "2026-09-10T00:00:00+08:00",
        ),
        (
            SITE + "/art/2026/9/5/art_1276171_58897654.html",
            "舟山江海联运服务中心建设取得新进展",
            "2026-09-05T00:00:00+08:00",
        ),
    ]
    assert page.next_urls == []
