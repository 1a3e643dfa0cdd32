"""List-page discovery and pagination on realistic list markups (no network)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from scrapy.http import HtmlResponse
from support import FIXTURES, SITES

from crawler.extract.listing import (
    anchor_title,
    discover_entries,
    entries_from_html,
    find_next_pages,
    same_site,
)
from xinqu.config import Source

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=TZ)


def source(**overrides: object) -> Source:
    return Source.model_validate(
        {"name": "t", "area": "a", "site_name": "s", "list_urls": ["http://x.gov.cn/"], **overrides}
    )


def page(file: Path, url: str) -> HtmlResponse:
    return HtmlResponse(url, body=file.read_bytes())


def listed(response: HtmlResponse, **overrides: object) -> list[tuple[str, str, str | None]]:
    return [
        (e.url, e.title, e.published_at.date().isoformat() if e.published_at else None)
        for e in discover_entries(response, source(**overrides), TZ, NOW)
    ]


def test_trs_ul_with_span_dates_skips_nav_sidebar_attachment_and_footer():
    response = page(
        SITES / "fx_trs/xwzx/gzdt/index.html", "http://www.fxtrs.gov.cn/xwzx/gzdt/index.html"
    )
    base = "http://www.fxtrs.gov.cn/xwzx/gzdt/202611/"
    assert listed(response) == [
        (
            base + "t20261124_1001.html",
            "贵安新区集成电路产业园首批十二家企业入驻投产",
            "2026-11-24",
        ),
        (base + "t20261123_1002.html", "贵安新区营商环境改革推出二十条便企新举措", "2026-11-23"),
        (
            base + "t20261122_1003.html",
            "贵安新区自贸试验区制度创新成果在全国复制推广",
            "2026-11-22",
        ),
        (base + "t20261121_1004.html", "贵安新区重大项目集中开工总投资三百亿元", "2026-11-21"),
    ]
    assert find_next_pages(response) == ["http://www.fxtrs.gov.cn/xwzx/gzdt/index_1.html"]


def test_create_page_html_stops_on_the_last_page():
    response = page(
        SITES / "fx_trs/xwzx/gzdt/index_3.html", "http://www.fxtrs.gov.cn/xwzx/gzdt/index_3.html"
    )
    assert find_next_pages(response) == []


def test_hanweb_table_rows_with_bracketed_dates_and_query_pager():
    url = "http://www.fxhanweb.gov.cn/col/col1234/index.html"
    response = page(SITES / "fx_hanweb/col/col1234/index.html", url)
    assert [(u.rsplit("/", 1)[1], d) for u, _, d in listed(response)] == [
        ("art_1234_5001.html", "2026-11-23"),
        ("art_1234_5002.html", "2026-11-20"),
        ("art_1234_5003.html", "2026-11-16"),
    ]
    assert find_next_pages(response) == [url + "?uid=5678&pageNum=2"]
    last = page(
        SITES / "fx_hanweb/col/col1234/index.html@uid=5678&pageNum=2", url + "?uid=5678&pageNum=2"
    )
    assert find_next_pages(last) == []


def test_layui_grid_takes_the_full_title_from_the_attribute():
    response = page(
        SITES / "fx_siteserver/channels/12.html", "http://127.0.0.1:8000/channels/12.html"
    )
    assert listed(response) == [
        (
            "http://127.0.0.1:8000/contents/12/3401.html",
            "滨海新区港口航运集装箱吞吐量创历史新高",
            "2026-11-22",
        ),
        (
            "http://127.0.0.1:8000/contents/12/3402.html",
            "滨海新区人才公寓首批三千套房源交付使用",
            "2026-11-21",
        ),
        (
            "http://127.0.0.1:8000/contents/12/3403.html",
            "滨海新区生物医药产业签约落地十个重点项目",
            "2026-11-19",
        ),
    ]
    assert find_next_pages(response) == ["http://127.0.0.1:8000/channels/12_2.html"]
    last = page(
        SITES / "fx_siteserver/channels/12_2.html", "http://127.0.0.1:8000/channels/12_2.html"
    )
    assert find_next_pages(last) == []  # its 下一页 points at itself


def test_gbk_declared_in_meta_only_with_short_dates_and_truncated_titles():
    response = page(SITES / "fx_gbk/news/list.asp", "http://127.0.0.1:8001/news/list.asp")
    assert listed(response) == [
        (
            "http://127.0.0.1:8001/news/show.asp?id=301",
            "兰州新区营商环境改革推出二十条便企新举措",
            "2026-11-24",
        ),
        (
            "http://127.0.0.1:8001/news/show.asp?id=302",
            "兰州新区自贸试验区制度创新成果在全国复制推广",
            "2026-11-10",
        ),
    ]
    assert find_next_pages(response) == ["http://127.0.0.1:8001/news/list.asp?page=2"]


def test_gov_cn_div_list_with_absolute_links_and_numbered_pager():
    url = "http://www.fxgovcn.gov.cn/zhengce/zuixin/home.htm"
    response = page(SITES / "fx_govcn/zhengce/zuixin/home.htm", url)
    assert [u for u, _, _ in listed(response)] == [
        "http://www.fxgovcn.gov.cn/zhengce/content/202611/content_6001.htm",
        "http://www.fxgovcn.gov.cn/zhengce/content/202611/content_6002.htm",
    ]
    assert find_next_pages(response) == ["http://www.fxgovcn.gov.cn/zhengce/zuixin/home_1.htm"]
    second = page(SITES / "fx_govcn/zhengce/zuixin/home_1.htm", url.replace("home", "home_1"))
    assert find_next_pages(second) == []


def test_date_inside_the_anchor_and_a_related_box_after_the_list():
    response = page(FIXTURES / "listing/date_inside_anchor.html", "https://www.ljxq.gov.cn/mtjj/")
    assert listed(response) == [
        (
            "https://www.ljxq.gov.cn/mtjj/2026-11/20/c_1001.htm",
            "人民日报：两江新区打造内陆开放高地",
            "2026-11-20",
        ),
        (
            "https://www.ljxq.gov.cn/mtjj/2026-11/18/c_1002.htm",
            "经济日报：两江新区智能网联汽车产业提速",
            "2026-11-18",
        ),
        (
            "https://www.ljxq.gov.cn/mtjj/2026-11/12/c_1003.htm",
            "新华社：两江新区推进西部陆海新通道建设",
            "2026-11-12",
        ),
    ]
    times = [e.published_at for e in discover_entries(response, source(), TZ, NOW)]
    assert times[0] == datetime(2026, 11, 20, 9, 30, tzinfo=TZ)


def test_a_list_split_over_several_ul_is_read_whole_and_side_ranking_skipped():
    url = "http://www.njjbxq.gov.cn/tzgg/index.html"
    response = page(FIXTURES / "listing/dl_split_lists.html", url)
    assert listed(response) == [
        (
            "http://www.njjbxq.gov.cn/tzgg/202611/t20261124_88.html",
            "关于开展二〇二六年度高新技术企业认定工作的通知",
            "2026-11-24",
        ),
        (
            "http://www.njjbxq.gov.cn/tzgg/202611/t20261120_87.html",
            "关于公布第二批专精特新中小企业名单的公告",
            "2026-11-20",
        ),
        (
            "http://www.njjbxq.gov.cn/tzgg/202611/t20261115_86.html",
            "关于征集二〇二七年重大产业项目的通知",
            "2026-11-15",
        ),
        (
            "http://www.njjbxq.gov.cn/zfxxgk/202611/t20261114_85.html",
            "江北新区关于调整部分政务服务事项的公告",
            "2026-11-14",
        ),
    ]
    assert find_next_pages(response) == ["http://www.njjbxq.gov.cn/tzgg/index_1.html"]


def test_dt_dd_list_and_a_query_pager_keeps_the_other_parameters():
    url = "http://www.lzxq.gov.cn/info/iList.jsp?cat_id=10&cur_page=1"
    response = page(FIXTURES / "listing/query_pager.html", url)
    assert listed(response) == [
        (
            "http://www.lzxq.gov.cn/info/show.jsp?id=20261121001",
            "新区召开重点项目建设推进会部署年末冲刺",
            "2026-11-21",
        ),
        (
            "http://www.lzxq.gov.cn/info/show.jsp?id=20261119002",
            "新区举办二〇二六年秋季人才招聘会",
            "2026-11-19",
        ),
    ]
    assert find_next_pages(response) == [
        "http://www.lzxq.gov.cn/info/iList.jsp?cat_id=10&cur_page=2"
    ]


def test_count_page_script_gives_the_next_page_with_the_same_extension():
    url = "http://www.xaxq.gov.cn/xqyw/index.shtml"
    response = page(FIXTURES / "listing/count_page.html", url)
    assert [d for _, _, d in listed(response)] == ["2026-11-23", "2026-11-22"]  # [11-23]
    assert find_next_pages(response) == ["http://www.xaxq.gov.cn/xqyw/index_1.shtml"]


@pytest.mark.parametrize(
    "selector",
    ["ul.list li a", "ul.list", "//ul[@class='list']//a", "(//ul[@class='list']/li)"],
)
def test_configured_link_selector_css_or_xpath(selector):
    response = page(
        SITES / "fx_trs/xwzx/gzdt/index.html", "http://www.fxtrs.gov.cn/xwzx/gzdt/index.html"
    )
    got = listed(response, link_selector=selector)
    # the .pdf attachment in the same list is dropped even when selected
    assert [d for _, _, d in got] == ["2026-11-24", "2026-11-23", "2026-11-22", "2026-11-21"]
    assert got[0][1] == "贵安新区集成电路产业园首批十二家企业入驻投产"


def test_entries_from_html_matches_the_response_path():
    html = (SITES / "fx_trs/xwzx/gzdt/index.html").read_text("utf-8")
    url = "http://www.fxtrs.gov.cn/xwzx/gzdt/index.html"
    assert entries_from_html(html, url, TZ, NOW) == discover_entries(
        page(SITES / "fx_trs/xwzx/gzdt/index.html", url), source(), TZ, NOW
    )


def test_anchor_title_and_same_site_rules():
    from lxml import html

    def title(fragment: str) -> str:
        return anchor_title(html.fragment_fromstring(fragment))

    assert (
        title('<a title="完整的标题在这里很长很长">完整的标题...</a>') == "完整的标题在这里很长很长"
    )
    assert title('<a title="点击查看">新区召开工作会议</a>') == "新区召开工作会议"
    assert (
        title('<a title="新区召开工作会议部署全年">新区召开工作会议</a>')
        == "新区召开工作会议部署全年"
    )
    assert same_site("http://gaxq.gov.cn/a.html", "https://www.gaxq.gov.cn/xwdt/")
    assert same_site("http://news.gaxq.gov.cn/a.html", "https://www.gaxq.gov.cn/xwdt/")
    assert not same_site("http://www.gov.cn/a.html", "https://www.gaxq.gov.cn/xwdt/")
    assert not same_site("http://127.0.0.1:9/a.html", "http://127.0.0.1:8/")


def test_a_page_without_a_list_yields_nothing():
    response = HtmlResponse(
        "http://x.gov.cn/", body="<html><body><p>维护中</p></body></html>".encode()
    )
    assert listed(response) == []
    assert find_next_pages(response) == []


def test_a_column_named_like_a_sidebar_box_is_still_the_main_list():
    url = "https://xq.example.gov.cn/xwzx/tpxw/index.htm"
    response = page(FIXTURES / "listing/picture_news_column.html", url)
    assert [u.rsplit("/", 1)[1] for u, _, _ in listed(response)] == [
        "t20261122_5398765.htm",
        "t20261118_5396543.htm",
    ]
    assert find_next_pages(response) == ["https://xq.example.gov.cn/xwzx/tpxw/index_1.htm"]
