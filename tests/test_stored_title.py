"""The stored title is the page's whole headline (issue 11, kind 2): a ``<title>`` that
is only the site's (or column's) name and a list title cut short both give way to the
headline element the list title agrees with."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from support import FIXTURES, SITES

from crawler.extract import extract_article
from crawler.extract.stored_title import agrees, stored_title

TZ = ZoneInfo("Asia/Shanghai")
CARD = SITES / "fx_cards/xwzx/qydt/202611/a8f3c2.html"
HEADLINE = "江岸新区召开2026年第四季度重点项目建设推进会部署冬季攻坚行动"


def extracted_title(file) -> str:
    return extract_article(file.read_text("utf-8"), "http://x.gov.cn/a.html", tz=TZ).title


def test_a_site_name_title_and_a_cut_list_title_give_the_page_headline():
    html = CARD.read_text("utf-8")
    assert (
        stored_title("江岸新区管理委员会", "江岸新区召开2026年第四季度重点项目建设推…", html)
        == HEADLINE
    )
    assert stored_title(
        extracted_title(CARD), "江岸新区召开2026年第四季度重点项目建设推…", html
    ) == (HEADLINE)


def test_a_column_name_title_gives_way_to_the_h1_the_list_title_agrees_with():
    page = SITES / "fx_daycards/news/gzdt/show-22318.html"
    title = stored_title(
        extracted_title(page), "金湾新区航空航天产业园三个重大...", page.read_text("utf-8")
    )
    assert title == "金湾新区航空航天产业园三个重大项目集中签约落地"


def test_the_whole_headline_is_kept_when_the_list_title_is_its_prefix():
    assert stored_title(HEADLINE, "江岸新区召开2026年第四季度重点项目", "") == HEADLINE
    assert stored_title(HEADLINE, "江岸新区召开2026年第四季度重点项目建设推进...", "") == HEADLINE


def test_a_good_extracted_title_stands_when_nothing_on_the_page_backs_the_list():
    assert stored_title("新区召开常务会议研究部署冬季安全生产", "一周要闻回顾", "<p>x</p>") == (
        "新区召开常务会议研究部署冬季安全生产"
    )


def test_a_whole_list_title_replaces_a_site_name_when_the_page_has_no_headline():
    html = "<html><head><title>西岭新区管理委员会</title></head><body><p>正文</p></body></html>"
    assert stored_title("西岭新区管理委员会", "西岭新区召开优化营商环境大会", html) == (
        "西岭新区召开优化营商环境大会"
    )


def test_agreement_ignores_spaces_punctuation_and_ellipses():
    assert agrees(
        "江岸新区推行“一业一证”改革 市场主体准营时间压缩八成", "江岸新区推行一业一证改革…"
    )
    assert not agrees("江岸新区管理委员会", "新能源汽车零部件产业园二期开工")


def test_a_headline_in_no_headline_element_is_found_as_a_line_of_its_own():
    page = FIXTURES / "listing" / "headline" / "font_in_table.html"
    html = page.read_text("utf-8")
    assert stored_title("西岭新区管理委员会", "西岭新区召开2026年冬季安全...", html) == (
        "西岭新区召开2026年冬季安全生产工作部署会议"
    )
