"""A list row's date comes from its most structured evidence, never from its summary
(issue 11, kind 1), on fixture list pages of several styles."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from lxml import html as lxml_html
from support import FIXTURES, SITES

from crawler.extract.listing import entries_from_html, next_pages

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=TZ)
ROWS = FIXTURES / "listing" / "rows"


def rows(file, url: str = "http://x.gov.cn/list/index.html") -> list[tuple[str, str, str]]:
    entries = entries_from_html(file.read_text("utf-8"), url, TZ, NOW)
    return [
        (
            e.url.removeprefix("http://x.gov.cn"),
            f"{e.published_at:%Y-%m-%dT%H:%M}" if e.published_at else "",
            e.date_from or "",
        )
        for e in entries
    ]


def test_time_datetime_beats_the_dates_in_a_card_summary():
    got = rows(SITES / "fx_cards/xwzx/qydt/index.html")
    assert got[3] == ("/xwzx/qydt/202611/d913aa.html", "2026-11-20T11:20", "time")
    assert {evidence for _, _, evidence in got} == {"time"}


def test_the_published_column_beats_the_written_one_in_a_disclosure_table():
    got = rows(SITES / "fx_xxgk/zwgk/zcwj/list.shtml", "http://x.gov.cn/zwgk/zcwj/list.shtml")
    assert ("/zwgk/zcwj/c1051887/content.shtml", "2026-11-03T00:00", "element") in got


def test_a_day_split_from_its_month_is_one_date():
    got = rows(SITES / "fx_daycards/news/gzdt/index.html")
    assert got[0] == ("/news/gzdt/show-22318.html", "2026-11-24T00:00", "element")


def test_the_date_in_the_url_beats_a_summary():
    assert rows(ROWS / "url_over_summary.html") == [
        ("/news/2026-11/17/c_1131.htm", "2026-11-17T00:00", "url"),
        ("/news/2026-11/16/c_1130.htm", "2026-11-16T00:00", "url"),
        ("/news/2026-10/02/c_1120.htm", "2026-10-02T00:00", "url"),
    ]


def test_dl_rows_with_relative_times_and_weekdays():
    assert rows(ROWS / "dl_relative_weekday.html") == [
        ("/kx/80121.html", "2026-11-25T07:00", "element"),
        ("/kx/80119.html", "2026-11-24T18:30", "element"),
        ("/kx/80101.html", "2026-11-17T00:00", "element"),
    ]


def test_unlabelled_date_columns_give_the_later_date():
    got = rows(ROWS / "table_unlabelled.html")
    assert got == [
        ("/wj/4512.html", "2026-11-18T00:00", "element"),
        ("/wj/4511.html", "2026-11-05T00:00", "element"),
        ("/wj/4508.html", "2026-09-03T00:00", "element"),
    ]


def test_a_future_event_date_is_not_the_publication_date():
    assert rows(ROWS / "event_dates.html") == [
        ("/hd/3302.html", "2026-11-20T00:00", "element"),
        ("/hd/3301.html", "2026-11-12T00:00", "element"),
        ("/hd/3299.html", "2026-10-08T00:00", "element"),
    ]


@pytest.mark.parametrize(
    ("site", "page", "evidence"),
    [
        ("fx_ilist", "info/iList.jsp@cat_id=10199", "element"),
        ("fx_jsonlist", "xwdt/index.htm", "json"),
    ],
)
def test_every_row_of_a_fixture_site_is_dated(site, page, evidence):
    got = rows(SITES / site / page, f"http://x.gov.cn/{page.replace('@', '?')}")
    assert len(got) >= 7 and {e for _, _, e in got} == {evidence}


def test_rows_that_open_their_article_by_onclick_and_a_script_written_next_link():
    file = ROWS / "onclick_rows.html"
    entries = entries_from_html(file.read_text("utf-8"), "http://x.gov.cn/tzgg/index.html", TZ, NOW)
    assert [(e.url, e.title, f"{e.published_at:%m-%d}") for e in entries] == [
        (
            "http://x.gov.cn/tzgg/content_30581.html",
            "关于开展新区重点企业用工需求调查的通知",
            "11-21",
        ),
        ("http://x.gov.cn/tzgg/content_30577.html", "新区2026年度优秀企业家评选结果公示", "11-14"),
        ("http://x.gov.cn/tzgg/content_30560.html", "关于做好新区冬季森林防火工作的通告", "10-30"),
    ]
    root = lxml_html.fromstring(file.read_text("utf-8"))
    assert next_pages(root, "http://x.gov.cn/tzgg/index.html", file.read_text("utf-8")) == [
        "http://x.gov.cn/tzgg/index_1.html"
    ]


def test_a_row_with_a_second_link_keeps_its_date_and_the_publisher_links_are_dropped():
    assert rows(ROWS / "publisher_links.html") == [
        ("/bmdt/202611/t20261124_7701.html", "2026-11-24T00:00", "element"),
        ("/bmdt/202611/t20261121_7695.html", "2026-11-21T00:00", "element"),
        ("/bmdt/202611/t20261118_7688.html", "2026-11-18T00:00", "element"),
        ("/bmdt/202611/t20261115_7680.html", "2026-11-15T00:00", "element"),
    ]


def test_a_whole_card_link_gives_its_first_line_as_title_and_its_date_not_the_summarys():
    file = ROWS / "whole_card_links.html"
    entries = entries_from_html(file.read_text("utf-8"), "http://x.gov.cn/news/", TZ, NOW)
    assert [(e.title, f"{e.published_at:%m-%d}", e.date_from) for e in entries] == [
        ("新区新能源汽车出口同比增长逾五成", "11-22", "element"),
        ("新区举办首届低空经济产业博览会", "11-18", "element"),
        ("新区启动秋冬季大气污染防治攻坚行动", "10-09", "element"),
    ]
