"""浦东新区官网 (浦东新区), family pudong: its list and two articles, as captured.

Fixture: tests/fixtures/sites/pudong/ mirrors www.pudong.gov.cn.
"""

from __future__ import annotations

import json

import pytest
from sources_support import TZ, SourceCase, entries, file_response

pytestmark = pytest.mark.usefixtures("frozen_now")

CASE = SourceCase("pudong")
SITE = "https://www.pudong.gov.cn"
LIST_URL = SITE + "/zwgk/zxxxgk/index.html"

ARTICLES = {
    SITE + "/019020001/20261124/826135.html": {
        "title": "浦东新区发布促进具身智能产业发展行动方案",
        "published_at": "2026-11-24T15:30:00+08:00",
        "source_line": "浦东新区科经委",
        "text_start": "浦东新区近日发布促进具身智能产业发展行动方案，提出到二〇二八",
    },
    SITE + "/019020001/20261120/825987.html": {
        "title": "浦东推进综合改革试点 企业开办“一件事”全程网办",
        "published_at": "2026-11-20T10:45:00+08:00",
        "source_line": "浦东发布",
        "text_start": "浦东新区推进综合改革试点，企业开办涉及的营业执照、公章刻制、",
    },
}


def test_list_request():
    request = CASE.list_request(LIST_URL)
    assert (request.method, request.url) == ("POST", SITE + "/zwgk-search-front/api/data/affair")


def test_list_entries():
    assert entries(CASE.list_page(LIST_URL)) == [
        (
            SITE + "/019020001/20261124/826135.html",
            "浦东新区发布促进具身智能产业发展行动方案",
            "2026-11-24T15:30:00+08:00",
        ),
        (
            SITE + "/019020001/20261120/825987.html",
            "浦东推进综合改革试点 企业开办“一件事”全程网办",
            "2026-11-20T10:45:00+08:00",
        ),
        (
            SITE + "/019020001/20260916/819001.html",
            "浦东新区召开三季度安全生产工作会议",
            "2026-09-16T15:40:00+08:00",
        ),
    ]


def test_no_next_url_since_the_next_page_is_a_post():
    assert CASE.list_page(LIST_URL).next_urls == []


@pytest.mark.parametrize("url", ARTICLES)
@pytest.mark.parametrize("field", ["title", "published_at", "source_line", "text_start"])
def test_article_field(url, field):
    assert CASE.fields(url)[field] == ARTICLES[url][field]


def test_list_request_posts_the_channel_query_with_the_column_as_referer():
    request = CASE.list_request(LIST_URL)
    assert json.loads(request.body) == {"channelList": ["5144"], "pageNo": 1, "pageSize": 20}
    assert request.headers["Content-Type"] == b"application/json"
    assert request.headers["Referer"] == LIST_URL.encode()
    assert request.headers["Origin"] == b"https://www.pudong.gov.cn"


def test_next_page_posts_page_two_of_the_same_query():
    request = CASE.list_request(LIST_URL)
    response = file_response(CASE.root, request.url, request)
    page = CASE.family.parse_list(response, CASE.source, TZ, CASE.now)
    (following,) = CASE.family.next_requests(response, page, CASE.source)
    assert (following.method, following.url) == ("POST", request.url)
    assert json.loads(following.body) == {"channelList": ["5144"], "pageNo": 2, "pageSize": 20}


def test_no_next_page_after_the_last():
    request = CASE.list_request(LIST_URL).replace(
        body=json.dumps({"channelList": ["5144"], "pageNo": 3, "pageSize": 20})
    )
    response = file_response(CASE.root, request.url, request)
    page = CASE.family.parse_list(response, CASE.source, TZ, CASE.now)
    assert CASE.family.next_requests(response, page, CASE.source) == []
