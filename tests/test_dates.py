"""parse_datetime over every date form the sites use (sites.md §C10), with exact values."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from crawler.extract.dates import has_time, parse_datetime
from crawler.extract.urldates import date_in_url

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=TZ)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TZ)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # English pages, Chinese media's among them.
        ("May 13, 2024 1:17 p.m.", at(2024, 5, 13, 13, 17)),
        ("Updated: Sept. 3rd, 2026", at(2026, 9, 3)),
        ("20 May 2024", at(2024, 5, 20)),
        # ASP/.NET pages print month first, with a 12-hour clock.
        ("9/17/2004 5:54:13 AM", at(2004, 9, 17, 5, 54, 13)),
        ("发布日期： 11/3/2026 2:05 PM", at(2026, 11, 3, 14, 5)),
        ("2026-11-15", at(2026, 11, 15)),
        ("2026/11/15 09:30", at(2026, 11, 15, 9, 30)),
        ("2026年11月15日", at(2026, 11, 15)),
        ("2026年11月15日 09:30", at(2026, 11, 15, 9, 30)),
        ("2016年10月21日17:28", at(2016, 10, 21, 17, 28)),
        ("2019年06月15日08:18  来源：人民网", at(2019, 6, 15, 8, 18)),
        ("2026.11.15", at(2026, 11, 15)),
        ("2026-1-5", at(2026, 1, 5)),
        ("2024-05-15 08:58:52", at(2024, 5, 15, 8, 58, 52)),
        ("2007-08-20-23:59:59", at(2007, 8, 20, 23, 59, 59)),
        ("发布时间：2026-11-15 09:30 来源：西咸新区管委会", at(2026, 11, 15, 9, 30)),
        ("发布时间: 2018-05-17 | 浏览次数: 2168", at(2018, 5, 17)),
        ("2026年11月15日 9时30分", at(2026, 11, 15, 9, 30)),
        ("26-11-15", at(2026, 11, 15)),
        ("[11-15]", at(2026, 11, 15)),
        ("11-15", at(2026, 11, 15)),
        ("11月15日", at(2026, 11, 15)),
        ("11-15 08:20", at(2026, 11, 15, 8, 20)),
        # A month-day after "now" is last year's.
        ("[12-31]", at(2025, 12, 31)),
        ("11-26", at(2025, 11, 26)),
        ("11-25", at(2026, 11, 25)),
        # Epoch seconds and milliseconds (Pudong's API).
        ("1763170200000", at(2025, 11, 15, 9, 30)),
        ("1763170200", at(2025, 11, 15, 9, 30)),
        (1763170200000, at(2025, 11, 15, 9, 30)),
        (1763170200.0, at(2025, 11, 15, 9, 30)),
        # ISO 8601 with an offset is converted into the configured zone.
        ("2026-11-15T01:30:00Z", at(2026, 11, 15, 9, 30)),
        ("2026-11-15T09:30:00+08:00", at(2026, 11, 15, 9, 30)),
        ("2026-11-14T20:30:00-05:00", at(2026, 11, 15, 9, 30)),
        ("2026-11-15T09:30:00.123+0800", at(2026, 11, 15, 9, 30)),
        # An impossible time keeps the date; an impossible date is skipped.
        ("2026-11-15 25:61", at(2026, 11, 15)),
        ("2026-02-30 或 2026-03-01", at(2026, 3, 1)),
    ],
)
def test_parse_datetime(value: str | int | float, expected: datetime) -> None:
    parsed = parse_datetime(value, TZ, NOW)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "浏览次数：2168",
        "增长7.5%",
        "1-10月德清县固定资产投资",
        "13-45",
        "2026",
        True,
    ],
)
def test_no_date(value: str | bool | None) -> None:
    assert parse_datetime(value, TZ, NOW) is None  # type: ignore[arg-type]


def test_year_inference_uses_the_product_clock(frozen_now: str) -> None:
    # FROZEN_NOW is 2026-11-25: "12-01" is still last year's.
    assert parse_datetime("[12-01]", TZ) == at(2025, 12, 1)
    assert parse_datetime("[11-20]", TZ) == at(2026, 11, 20)


def test_results_are_in_the_configured_zone() -> None:
    utc = ZoneInfo("UTC")
    assert parse_datetime("2026-11-15 09:30", utc, NOW) == datetime(2026, 11, 15, 9, 30, tzinfo=utc)
    assert parse_datetime("2026-11-15T09:30:00+08:00", utc, NOW) == datetime(
        2026, 11, 15, 1, 30, tzinfo=utc
    )


def test_has_time() -> None:
    assert has_time("2026-11-15 09:30")
    assert has_time("2026年11月15日 9时30分")
    assert not has_time("2026-11-15")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.china.org.cn/opinion/2022-10/21/content_78478030.htm", at(2022, 10, 21)),
        ("https://english.news.cn/20230115/98a3b5c4/c.html", at(2023, 1, 15)),
        ("http://www.xixianxinqu.gov.cn/xwzx/t20261117_123.html", at(2026, 11, 17)),
        ("https://edition.cnn.com/2024/05/09/opinions/space-junk", at(2024, 5, 9)),
        ("https://www.sohu.com/a/780060546_458722", None),
        ("https://a.cn/list?date=20261117", None),  # a query is not the article's path
    ],
)
def test_date_in_url(url: str, expected: datetime | None) -> None:
    assert date_in_url(url, TZ) == expected
