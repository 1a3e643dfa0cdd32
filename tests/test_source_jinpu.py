"""大连金普新区官网 (金普新区), family generic: its list and two articles, as captured.

Fixture: tests/fixtures/sites/jinpu/ mirrors dljp.gov.cn.
Markup assumed where unknown (see the source's note in config/sources.yaml).
"""

from __future__ import annotations

import pytest
from sources_support import SourceCase, entries

pytestmark = pytest.mark.usefixtures("frozen_now")

CASE = SourceCase("jinpu")
SITE = "https://dljp.gov.cn"
LIST_URL = SITE + "/dt/001003/moreinfo.html"

ARTICLES = {
    SITE + "/dt/001003/20261123/6f1e2d3c-4b5a-4c6d-8e7f-9a0b1c2d3e4f.html": {
        "title": "金普新区集成电路产业基地二期项目竣工投产",
        "published_at": "2026-11-23T14:20:00+08:00",
        "source_line": "金普新区经济发展局",
        "text_start": "11月23日，金普新区集成电路产业基地二期项目竣工投产，新增",
    },
    SITE + "/dt/001003/20261118/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d.html": {
        "title": "金普新区开展工业用地“弹性出让”改革试点",
        "published_at": "2026-11-18T16:00:00+08:00",
        "source_line": "金普新区自然资源局",
        "text_start": "金普新区开展工业用地“弹性出让”改革试点，企业可根据产业生命",
    },
}


def test_list_request():
    request = CASE.list_request(LIST_URL)
    assert (request.method, request.url) == ("GET", SITE + "/dt/001003/moreinfo.html")


def test_list_entries():
    assert entries(CASE.list_page(LIST_URL)) == [
        (
            SITE + "/dt/001003/20261123/6f1e2d3c-4b5a-4c6d-8e7f-9a0b1c2d3e4f.html",
            "金普新区集成电路产业基地二期项目竣工投产",
            "2026-11-23T00:00:00+08:00",
        ),
        (
            SITE + "/dt/001003/20261118/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d.html",
            "金普新区开展工业用地“弹性出让”改革试点",
            "2026-11-18T00:00:00+08:00",
        ),
        (
            SITE + "/dt/001003/20260910/9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a.html",
            "金普新区召开三季度安全生产工作会议",
            "2026-09-10T00:00:00+08:00",
        ),
    ]


def test_next_page():
    assert CASE.list_page(LIST_URL).next_urls == []


@pytest.mark.parametrize("url", ARTICLES)
@pytest.mark.parametrize("field", ["title", "published_at", "source_line", "text_start"])
def test_article_field(url, field):
    assert CASE.fields(url)[field] == ARTICLES[url][field]
