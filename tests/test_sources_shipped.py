"""Invariants of the shipped sources: all 19 areas, each with a fixture site and an expectation."""

from __future__ import annotations

import pytest
from source_expectations import FILE, TODO, case_of, folders, load
from sources_support import SITES, fixture_file

from crawler.extract.urldates import date_in_url
from crawler.families import FAMILIES, get_family
from crawler.families.trs import trs_next_page
from crawler.genspider import AREAS
from xinqu.config import load_config

SOURCES = load_config().sources
NAMES = [
    "pudong",
    "binhai",
    "liangjiang",
    "zhoushan",
    "lanzhou",
    "nansha",
    "xixian",
    "guian",
    "xihaian",
    "jinpu",
    "tianfu",
    "xiangjiang",
    "jiangbei",
    "fuzhou",
    "dianzhong",
    "harbin",
    "changchun",
    "ganjiang",
    "xiongan",
]


def test_every_area_is_shipped_under_its_slug():
    assert [s.name for s in SOURCES] == NAMES
    assert [s.area for s in SOURCES] == list(AREAS)


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_source_has_family_fixture_expectation_and_a_note_when_assumed(source):
    assert (source.family or "generic") in FAMILIES
    (first,) = get_family(source.family).list_requests(source, source.urls[0])
    assert fixture_file(SITES / source.name, first.url).is_file()
    assert source.verified or source.note
    assert (SITES / source.name / FILE).is_file()
    expectation = load(SITES / source.name)
    assert expectation.lists and expectation.lists[0].url in source.urls
    assert len(expectation.articles) >= 2
    assert TODO not in (SITES / source.name / FILE).read_text("utf-8")


@pytest.mark.parametrize("folder", folders(), ids=lambda f: f.name)
def test_every_expectation_is_of_a_configured_source(folder):
    case = case_of(folder, load(folder))
    assert case.source.name == folder.name


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("https://x.gov.cn/xwdt/gayw/202611/t20261124_90231456.html", "2026-11-24"),
        ("https://x.gov.cn/art/2026/9/5/art_1276171_58897654.html", "2026-09-05"),
        ("https://x.gov.cn/2024-09/26/c_1212400232.htm", "2024-09-26"),
        ("https://x.gov.cn/mixmedia/a/202510/23/WS68f99863e4b0840ed5677139.html", "2025-10-23"),
        ("https://x.gov.cn/system/2025/03/06/031148351.shtml", "2025-03-06"),
        ("https://x.gov.cn/20250429/7cbd00ffe7bd45668510b7f9fecbdd5d/c.html", "2025-04-29"),
        ("https://x.gov.cn/019020001/20250408/804729.html", "2025-04-08"),
        ("https://x.gov.cn/zwgk/zwdt/content/post_10970782.html", None),
    ],
)  # fmt: skip
def test_date_in_url(url, day):
    from zoneinfo import ZoneInfo

    found = date_in_url(url, ZoneInfo("Asia/Shanghai"))
    assert (found.date().isoformat() if found else None) == day


@pytest.mark.parametrize(
    ("html", "url", "following"),
    [
        ('createPageHTML(5, 0, "index", "shtml");', "https://a.gov.cn/x/index.shtml",
         "https://a.gov.cn/x/index_1.shtml"),
        ('createPageHTML(5, 3, "index", "html");', "https://a.gov.cn/x/index_3.html",
         "https://a.gov.cn/x/index_4.html"),
        ('createPageHTML(5, 4, "index", "html");', "https://a.gov.cn/x/index_4.html", None),
        ("var countPage = 3;", "https://a.gov.cn/x/index_1.htm", "https://a.gov.cn/x/index_2.htm"),
        ("var countPage = 2;", "https://a.gov.cn/x/index_1.htm", None),
        ("<p>no pager</p>", "https://a.gov.cn/x/index.html", None),
    ],
)  # fmt: skip
def test_trs_next_page(html, url, following):
    assert trs_next_page(html, url) == following
