"""What a family does beyond a source's expectation file: pages past the last, and
list requests shaped by ``family_options``, on the sources' fixture sites."""

from __future__ import annotations

import json

import pytest
from sources_support import TZ, SourceCase, file_response

pytestmark = pytest.mark.usefixtures("frozen_now")

PUDONG = SourceCase("pudong")
NANSHA = SourceCase("nansha")
XIONGAN = SourceCase("xiongan")


def test_pudong_no_next_page_after_the_last():
    request = PUDONG.list_request().replace(
        body=json.dumps({"channelList": ["5144"], "pageNo": 3, "pageSize": 20})
    )
    response = file_response(PUDONG.root, request.url, request)
    page = PUDONG.family.parse_list(response, PUDONG.source, TZ, PUDONG.now)
    assert PUDONG.family.next_requests(response, page, PUDONG.source) == []


def test_gkmlpt_app_url_is_fetched_through_the_api():
    site = "https://www.gzns.gov.cn"
    source = NANSHA.source.model_copy(update={"family_options": {"sid": "200011"}})
    (request,) = NANSHA.family.list_requests(source, site + "/gkmlpt/index#2845")
    assert request.url == site + "/gkmlpt/api/all/2845?page=1&sid=200011"


def test_xinhua_configured_datasource_is_fetched_directly():
    list_url = "https://www.xiongan.gov.cn/xiongan-today/"
    source = XIONGAN.source.model_copy(
        update={"family_options": {"datasource": "4d1fb7a0c3e24f6b9a8e2c5d7f1b3a6e"}}
    )
    (request,) = XIONGAN.family.list_requests(source, list_url)
    assert request.url == list_url + "ds_4d1fb7a0c3e24f6b9a8e2c5d7f1b3a6e.json"
