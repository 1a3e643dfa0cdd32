"""四川天府新区官网 (天府新区), family chengdu: its list and two articles, as captured.

Fixture: tests/fixtures/sites/tianfu/ mirrors www.cdtf.gov.cn.
Markup assumed where unknown (see the source's note in config/sources.yaml).
"""

from __future__ import annotations

import pytest
from sources_support import SourceCase, entries

pytestmark = pytest.mark.usefixtures("frozen_now")

CASE = SourceCase("tianfu")
SITE = "https://www.cdtf.gov.cn"
LIST_URL = SITE + "/cdtfxq/yaowen/column-index-1.shtml"

ARTICLES = {
    SITE + "/cdtfxq/yaowen/2026-11/24/content_4f1d2c3b5a6e4d7f8a9b0c1d2e3f4a5b.shtml": {
        "title": "天府新区人工智能产业园新增入驻企业三十家",
        "published_at": "2026-11-24T18:02:00+08:00",
        "source_line": "天府新区党群工作部",
        "text_start": "近日，天府新区人工智能产业园新增入驻企业三十家，园区入驻企业",
    },
    SITE + "/cdtfxq/yaowen/2026-11/21/content_9a8b7c6d5e4f4a3b2c1d0e9f8a7b6c5d.shtml": {
        "title": "天府新区深化“天府中央法务区”涉外法律服务改革",
        "published_at": "2026-11-21T09:30:00+08:00",
        "source_line": "天府中央法务区管理办公室",
        "text_start": "天府新区近日出台深化天府中央法务区涉外法律服务改革方案，推出",
    },
}


def test_list_request():
    request = CASE.list_request(LIST_URL)
    assert (request.method, request.url) == ("GET", SITE + "/cdtfxq/yaowen/column-index-1.shtml")


def test_list_entries():
    assert entries(CASE.list_page(LIST_URL)) == [
        (
            SITE + "/cdtfxq/yaowen/2026-11/24/content_4f1d2c3b5a6e4d7f8a9b0c1d2e3f4a5b.shtml",
            "天府新区人工智能产业园新增入驻企业三十家",
            "2026-11-24T00:00:00+08:00",
        ),
        (
            SITE + "/cdtfxq/yaowen/2026-11/21/content_9a8b7c6d5e4f4a3b2c1d0e9f8a7b6c5d.shtml",
            "天府新区深化“天府中央法务区”涉外法律服务改革",
            "2026-11-21T00:00:00+08:00",
        ),
        (
            SITE + "/cdtfxq/yaowen/2026-09/10/content_1a2b3c4d5e6f4a7b8c9d0e1f2a3b4c5d.shtml",
            "天府新区召开三季度经济运行调度会",
            "2026-09-10T00:00:00+08:00",
        ),
    ]


def test_next_page():
    assert CASE.list_page(LIST_URL).next_urls == [SITE + "/cdtfxq/yaowen/column-index-2.shtml"]


@pytest.mark.parametrize("url", ARTICLES)
@pytest.mark.parametrize("field", ["title", "published_at", "source_line", "text_start"])
def test_article_field(url, field):
    assert CASE.fields(url)[field] == ARTICLES[url][field]
