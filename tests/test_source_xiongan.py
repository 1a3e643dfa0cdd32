"""中国雄安官网 (雄安新区), family xinhua: its list and two articles, as captured.

Fixture: tests/fixtures/sites/xiongan/ mirrors www.xiongan.gov.cn.
Markup assumed where unknown (see the source's note in config/sources.yaml).
"""

from __future__ import annotations

import pytest
from sources_support import SourceCase, entries

pytestmark = pytest.mark.usefixtures("frozen_now")

CASE = SourceCase("xiongan")
SITE = "https://www.xiongan.gov.cn"
LIST_URL = SITE + "/xiongan-today/"

ARTICLES = {
    SITE + "/20261124/8e2f4a6c1b3d4e5f9a7b6c5d4e3f2a1b/c.html": {
        "title": "雄安新区空天信息产业园首批企业入驻",
        "published_at": "2026-11-24T09:12:36+08:00",
        "source_line": "雄安发布",
        "text_start": "11月24日，雄安新区空天信息产业园迎来首批十二家入驻企业，",
    },
    SITE + "/20261121/3c5e7a9b1d2f4a6c8e0b2d4f6a8c0e2b/c.html": {
        "title": "雄安新区出台疏解企业落户“一企一策”服务机制",
        "published_at": "2026-11-21T16:05:00+08:00",
        "source_line": "河北日报",
        "text_start": "雄安新区近日出台疏解企业落户“一企一策”服务机制，为每家疏解",
    },
}


def test_list_request():
    request = CASE.list_request(LIST_URL)
    assert (request.method, request.url) == ("GET", SITE + "/xiongan-today/")


def test_list_page_names_its_data_source():
    assert CASE.list_page().data_urls == [
        SITE + "/xiongan-today/ds_4d1fb7a0c3e24f6b9a8e2c5d7f1b3a6e.json"
    ]


def test_data_source_entries():
    page = CASE.parse_list_url(CASE.list_page().data_urls[0])
    assert entries(page) == [
        (
            SITE + "/20261124/8e2f4a6c1b3d4e5f9a7b6c5d4e3f2a1b/c.html",
            "雄安新区空天信息产业园首批企业入驻",
            "2026-11-24T09:12:36+08:00",
        ),
        (
            SITE + "/20261121/3c5e7a9b1d2f4a6c8e0b2d4f6a8c0e2b/c.html",
            "雄安新区出台疏解企业落户“一企一策”服务机制",
            "2026-11-21T16:05:00+08:00",
        ),
        (
            SITE + "/20260912/5a6b7c8d9e0f4a1b2c3d4e5f6a7b8c9d/c.html",
            "雄安新区召开三季度重点工作推进会",
            "2026-09-12T10:00:00+08:00",
        ),
    ]


@pytest.mark.parametrize("url", ARTICLES)
@pytest.mark.parametrize("field", ["title", "published_at", "source_line", "text_start"])
def test_article_field(url, field):
    assert CASE.fields(url)[field] == ARTICLES[url][field]


def test_a_configured_datasource_is_fetched_directly():
    source = CASE.source.model_copy(
        update={"family_options": {"datasource": "4d1fb7a0c3e24f6b9a8e2c5d7f1b3a6e"}}
    )
    (request,) = CASE.family.list_requests(source, LIST_URL)
    assert request.url == LIST_URL + "ds_4d1fb7a0c3e24f6b9a8e2c5d7f1b3a6e.json"
