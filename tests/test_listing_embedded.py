"""Lists a page's script renders in the browser are read from the script: JS object
literals, and an XML datastore of HTML rows (the generic family, no configuration)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from support import FIXTURES, SITES

from crawler.extract.listing import entries_from_html

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=TZ)


def listed(file, url: str) -> list[tuple[str, str, str, str | None]]:
    entries = entries_from_html(file.read_text("utf-8"), url, TZ, NOW)
    return [(e.url, e.title, f"{e.published_at:%Y-%m-%d}", e.date_from) for e in entries]


def test_js_object_literals_with_single_quotes_are_a_list():
    assert listed(FIXTURES / "listing/rows/js_literals.html", "http://x.gov.cn/tpxw/") == [
        (
            "http://x.gov.cn/tpxw/202611/t20261123_8812.html",
            "新区港口集装箱吞吐量再创新高",
            "2026-11-23",
            "json",
        ),
        (
            "http://x.gov.cn/tpxw/202611/t20261119_8790.html",
            "新区国际航线新开通两条",
            "2026-11-19",
            "json",
        ),
        (
            "http://x.gov.cn/tpxw/202610/t20261012_8650.html",
            "新区秋季植树活动吸引千余名志愿者",
            "2026-10-12",
            "json",
        ),
    ]


def test_an_xml_datastore_of_html_rows_is_read_without_the_hanweb_family():
    url = "http://www.zhoushan.gov.cn/col/col1276171/index.html"
    got = listed(SITES / "zhoushan/col/col1276171/index.html", url)
    assert [(date, evidence) for _, _, date, evidence in got] == [
        ("2026-11-24", "element"),
        ("2026-11-20", "element"),
        ("2026-09-16", "element"),
    ]
    assert got[0][1] == "舟山群岛新区绿色石化基地新一批项目开工建设"
