"""Sites in list styles no family knows, each crawled as a new user adds it — a config
of name, area, site_name and list_urls only — through ``bench.sites`` (a real server on
127.0.0.1, routing POSTed forms to files by ``routes.json``, and a real ``xinqu crawl``).

Every in-window article must be stored with its exact headline and day, and nothing
older than the window fetched. The styles (see each fixture's README for the real markup
it follows): a layui portal paged only by ``laypage.render({count, limit, curr})``; the
English pages of a portal, dates in English month names and a ``_pageCount`` pager
script; a shell page POSTing a form for an HTML fragment of rows; a JSP list paged by
``javascript:goSplit(N)``; a shell page POSTing a JSON body to a JSON list API.
"""

from __future__ import annotations

import pytest
from support import SITES, run_xinqu

from bench.sites import crawl_site, load_site, serve

STYLES = ["fx_laypage", "fx_english", "fx_postfrag", "fx_gopage", "fx_postjson", "fx_html5cards"]


@pytest.mark.parametrize("name", STYLES)
def test_every_fresh_article_is_stored_with_its_headline_and_day(name):
    site = load_site(SITES / name)
    assert site is not None
    fresh = [a for a in site.articles if a.in_window]
    assert len(fresh) >= 7 and len(site.articles) - len(fresh) >= 2

    result = crawl_site(site)

    assert not result.error and not result.misses, result.misses or result.error
    assert (result.collected, result.headlines, result.dates) == (len(fresh),) * 3
    assert result.old_fetched == 0


def test_sources_check_shows_the_posted_list_and_its_next_page(make_config, frozen_now, tmp_path):
    with serve(SITES / "fx_postfrag") as server:
        url = server.url("xxgk/tzgg/index.html")
        result = run_xinqu(make_config([]), tmp_path / "data", "sources", "check", url)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout.splitlines()
    api = server.url("front/content/list.do")
    assert f"           list loaded from POST {api} columnId=2031&pageIndex=1&pageSize=6" in out
    assert (
        f"           HTTP 200, 6 links, 6 dated, next page: POST {api} "
        "columnId=2031&pageIndex=2&pageSize=6"
    ) in out
    assert f"  list     POST {api} columnId=2031&pageIndex=2&pageSize=6  (page 2)" in out
    assert out[-1] == "  problems: none"
