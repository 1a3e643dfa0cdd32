"""``bench.sites``: the site folders it reads (held-out and fixture formats) and the
server it crawls them on (files, ``<path>@<query>``, ``routes.json`` GETs and POSTs)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from support import SITES

from bench.sites import load_site, serve

HELD_OUT = Path(__file__).resolve().parents[1] / "bench" / "data" / "heldout11" / "sites"


def test_both_expectation_formats_are_read():
    dede = load_site(HELD_OUT / "dede")
    assert dede is not None and dede.list_urls == ["/xwzx/index.html"]
    assert (len(dede.articles), sum(a.in_window for a in dede.articles)) == (11, 7)
    assert dede.window_days == 14
    epoint = load_site(HELD_OUT / "epoint")
    assert epoint is not None and epoint.list_urls[0].startswith("/info/iList.jsp?")
    gopage = load_site(SITES / "fx_gopage")
    assert gopage is not None and gopage.list_urls == ["/info/list.jsp?catId=12"]
    assert gopage.articles[0].path == "/info/content.jsp?id=5531"
    assert load_site(SITES / "fx_cards") is None  # names no list URL


def _get(url: str, data: bytes | None = None) -> bytes:
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as answer:
        body: bytes = answer.read()
        return body


def test_the_server_answers_files_queries_routes_and_posted_forms():
    with serve(HELD_OUT / "mztoday") as site:
        routed = _get(site.url("list/42.html?page=2"))
        assert routed == (HELD_OUT / "mztoday" / "list/42_page_2.html").read_bytes()
    with serve(SITES / "fx_postfrag") as site:
        api = site.url("front/content/list.do")
        second = _get(api, b"pageSize=6&pageIndex=2&columnId=2031")
        assert second == (SITES / "fx_postfrag/front/content/list_page2.html").read_bytes()
        assert _get(api, b"pageIndex=3&pageSize=6&columnId=2031").count(b"<li>") == 0
    with serve(SITES / "fx_postjson") as site:
        body = json.dumps({"pageNum": "1", "channelId": "88", "pageSize": "6"}).encode()
        answer = json.loads(_get(site.url("api/cms/article/list"), body))
        assert len(answer["data"]["list"]) == 6
    with serve(SITES / "fx_gopage") as site:
        assert b"goSplit" in _get(site.url("info/list.jsp?catId=12&cp=2"))
        assert site.requests[-1] == "GET /info/list.jsp?catId=12&cp=2"
