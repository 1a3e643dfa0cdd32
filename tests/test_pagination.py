"""The pagination rules (crawler/extract/pagination.py) on the pager markups of real
CMSs: what is a list's next page, an article's continuation, a POST API's next form,
and which links are never pagination."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from lxml import html as lxml_html
from scrapy.http import HtmlResponse, TextResponse

from crawler.extract.jsonlist import DataPost, data_posts
from crawler.extract.listing import entries_from_html, find_data_posts, find_data_urls
from crawler.extract.pagination import (
    follow_list,
    json_next_page,
    never_next,
    next_article_page,
    next_form,
    next_list_page,
    numbered_next,
)
from crawler.families import get_family
from crawler.families.base import POST_META
from crawler.families.common import entries_by_pattern
from crawler.families.hanweb import HanwebFamily
from xinqu.config import Source

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 10, tzinfo=TZ)


def next_of(body: str, url: str) -> str | None:
    row = "<li><a href='/a/1.html'>新区召开重点项目推进会议</a></li>"
    html = f"<html><body><ul>{row}</ul>{body}</body></html>"
    return next_list_page(lxml_html.fromstring(html), url, html)


@pytest.mark.parametrize(
    "label",
    [
        "上一篇",
        "下一篇：新区召开会议",
        "上一条",
        "下一条",
        "首页",
        "尾页",
        "末页",
        "上一页",
        "« prev",
    ],
)
def test_neighbouring_articles_and_other_pages_are_never_the_next_page(label):
    assert never_next(label)
    assert next_of(f'<a href="/a/2.html">{label}</a>', "http://x.gov.cn/a/index.html") is None


def test_a_next_link_and_a_link_to_the_same_page_are_told_apart():
    url = "http://x.gov.cn/xwzx/index.html"
    assert next_of('<a href="index_1.html">下一页</a>', url) == "http://x.gov.cn/xwzx/index_1.html"
    assert next_of('<a href="index.html">下一页</a>', url) is None
    assert next_of('<a href="index_1.html" title="下一页">&gt;</a>', url).endswith("index_1.html")


def test_laypage_row_total_page_size_and_the_scripts_page_parameter():
    script = (
        "<script>laypage.render({elem: 'pager', count: %d, limit: 8, curr: %d, jump: "
        "function (obj, first) { if (!first) { location.href = '?page=' + obj.curr; } }});</script>"
    )
    url = "http://x.gov.cn/xwdt/list.html"
    assert next_of(script % (13, 1), url) == url + "?page=2"
    assert next_of(script % (13, 2), url + "?page=2") is None
    assert next_of(script % (8, 1), url) is None


def test_hanweb_jpage_total_record_pages_by_the_urls_own_parameter():
    script = (
        "<script>$('#4818').jpage({dataStore: dataStore, perPage: 15, totalRecord: 40});</script>"
    )
    url = "http://x.gov.cn/col/col4818/index.html?uid=21&pageNum=2"
    assert next_of(script, url) == "http://x.gov.cn/col/col4818/index.html?uid=21&pageNum=3"
    assert next_of(script, url.replace("pageNum=2", "pageNum=3")) is None


def test_page_count_scripts_with_a_file_template_or_a_page_parameter():
    count = (
        "<script>var _pageCount = 3; var _pageIndex = %d; html += 'index_' + i + '.html';</script>"
    )
    url = "http://x.gov.cn/en/news/index.html"
    assert next_of(count % 1, url) == "http://x.gov.cn/en/news/index_2.html"
    assert next_of(count % 3, "http://x.gov.cn/en/news/index_3.html") is None
    jsp = (
        "<script>var totalPage = 4, pageNo = 2;"
        ' location.href = "list.jsp?cat=9&pageNo=" + n;</script>'
    )
    assert next_of(jsp, "http://x.gov.cn/list.jsp?cat=9&pageNo=2").endswith("cat=9&pageNo=3")


def test_a_next_link_calling_a_page_function_is_resolved_through_its_url():
    head = (
        "<script>function goSplit(vcp) {"
        ' window.location = "/info/list.jsp?catId=12&cp=" + vcp; }</script>'
    )
    url = "http://x.gov.cn/info/list.jsp?catId=12"
    links = '<a href="javascript:goSplit(1)">首页</a><a href="javascript:goSplit(2)">下一页</a>'
    assert next_of(head + links, url) == "http://x.gov.cn/info/list.jsp?catId=12&cp=2"
    assert next_of(head + '<a href="javascript:goSplit(1)">上一页</a>', url) is None
    onclick = '<a href="javascript:;" onclick="goSplit(3)">下一页</a>'
    assert next_of(head + onclick, url).endswith("cp=3")


def test_a_next_button_that_goes_by_onclick():
    url = "http://x.gov.cn/news/index.html"
    button = """<input type="button" value="下一页" onclick="location.href='?page=2'">"""
    assert next_of(button, url) == url + "?page=2"
    link = (
        """<a href="javascript:void(0)" onclick="window.location.href='index_1.html'">下一页</a>"""
    )
    assert next_of(link, url) == "http://x.gov.cn/news/index_1.html"
    previous = """<a href="javascript:;" onclick="location.href='index.html'">上一页</a>"""
    assert next_of(previous, "http://x.gov.cn/news/index_1.html") is None


def test_trs_create_page_html_says_first_and_last_page():
    script = '<script>createPageHTML(%d, %d, "index", "shtml");</script>'
    url = "http://x.gov.cn/xqyw/index.shtml"
    assert next_of(script % (3, 0), url) == "http://x.gov.cn/xqyw/index_1.shtml"
    assert next_of(script % (3, 2), "http://x.gov.cn/xqyw/index_2.shtml") is None


def test_dede_list_pages_follow_an_index_page():
    pager = (
        '<ul class="pagelist"><li class="thisclass">1</li>'
        '<li><a href="list_3_2.html">2</a></li></ul>'
    )
    assert next_of(pager, "http://x.cn/xwzx/index.html") == "http://x.cn/xwzx/list_3_2.html"


def test_an_articles_continuation_never_follows_the_next_article():
    first = "http://x.gov.cn/art/202611/t20261120_55.html"
    page = (
        '<html><body><div>正文</div><a href="t20261120_55_1.html">2</a>'
        '<a href="t20261121_56.html">下一篇：新区召开会议</a></body></html>'
    )
    assert next_article_page(page, first, first) == "http://x.gov.cn/art/202611/t20261120_55_1.html"
    only_next_article = '<html><body><a href="t20261121_56.html">下一页</a></body></html>'
    assert next_article_page(only_next_article, first, first) is None


def test_json_and_post_apis_page_while_their_answer_says_so():
    assert json_next_page({"total": 11, "pageSize": 6}, "http://x.cn/api?pageNo=1").endswith(
        "pageNo=2"
    )
    assert json_next_page({"total": 11, "pageSize": 6}, "http://x.cn/api?pageNo=2") is None
    form = {"columnId": "2031", "pageIndex": "1", "pageSize": "6"}
    assert next_form(form, None, 6) == {**form, "pageIndex": "2"}
    assert next_form(form, None, 4) is None  # a short page is the last
    assert next_form(form, None, 0) is None
    assert next_form({**form, "pageIndex": "2"}, {"data": {"total": 12}}, 6) is None


def test_follow_a_list_while_it_gives_new_links_up_to_max_pages():
    assert follow_list(3, 1, 3) and not follow_list(0, 1, 3) and not follow_list(3, 3, 3)


SHELL = """<html><body><div id="box"></div><script>
var colId = "2031";
function getList(pageIndex) {
  $.ajax({ url: "/front/content/list.do", type: "POST",
           data: { columnId: colId, pageIndex: pageIndex, pageSize: 6 }, dataType: "html",
           success: function (html) { $("#box").html(html); } });
}
getList(1);
$.post("/api/news/page", {catid: 12, page: 1, rows: 6}, function (res) {}, "json");
$.ajax({ url: "/api/cms/list", type: "post", contentType: "application/json",
         data: JSON.stringify({ channelId: "88", pageNum: 1, pageSize: 6 }) });
$.ajax({ url: "/api/other", type: "POST", data: { id: unknownVariable } });
</script></body></html>"""


def test_a_shell_pages_post_apis_are_found_with_their_forms():
    scripts = SHELL.split("<script>", 1)[1].split("</script>", 1)[0].split("getList(1);")
    site = "http://x.gov.cn/xxgk/index.html"
    assert data_posts([scripts[0]], site, lambda u, b: True) == [
        DataPost(
            "http://x.gov.cn/front/content/list.do",
            {"columnId": "2031", "pageIndex": "1", "pageSize": "6"},
        )
    ]
    assert data_posts([scripts[1]], site, lambda u, b: True) == [
        DataPost("http://x.gov.cn/api/news/page", {"catid": "12", "page": "1", "rows": "6"}),
        DataPost(
            "http://x.gov.cn/api/cms/list",
            {"channelId": "88", "pageNum": "1", "pageSize": "6"},
            as_json=True,
        ),
    ]  # the call whose form names an unknown variable is left out
    response = HtmlResponse(site, body=SHELL.encode())
    assert find_data_urls(response, []) == []  # a POST API is not fetched by GET
    assert [p.url for p in find_data_posts(response, [])] == [
        "http://x.gov.cn/api/news/page",
        "http://x.gov.cn/front/content/list.do",
    ]


def test_the_generic_family_posts_for_the_rows_and_posts_again_for_the_next_page():
    family = get_family(None)
    source = Source.model_validate(
        {"name": "t", "area": "a", "site_name": "s", "list_urls": ["http://x.gov.cn/"]}
    )
    shell = HtmlResponse("http://x.gov.cn/xxgk/index.html", body=SHELL.encode())
    page = family.parse_list(shell, source, TZ, NOW)
    requests = family.data_requests(page)
    assert [r.method for r in requests] == ["POST", "POST"]
    post = requests[1].meta[POST_META]
    rows = "".join(
        f'<li><a href="/c/{k}.html">新区召开第{k}次重点项目推进会议</a>'
        f"<span>2026-11-2{k}</span></li>"
        for k in range(6)
    )
    answer = HtmlResponse(
        post.url, body=f"<ul>{rows}</ul>".encode(), request=requests[1], encoding="utf-8"
    )
    listed = family.parse_list(answer, source, TZ, NOW)
    assert len(listed.entries) == 6 and not listed.next_urls
    (following,) = family.next_requests(answer, listed, source)
    assert following.method == "POST" and b"pageIndex=2" in following.body


def test_an_english_list_row_is_dated_by_its_date_element_not_its_summary():
    html = (
        "<html><body><ul>"
        '<li><h4><a href="/en/content_1.html">'
        "Yunling signs twelve manufacturing projects worth billions</a></h4>"
        '<p class="summary">On November 12, officials met investors from five countries.</p>'
        '<span class="date">Nov 20, 2026</span></li>'
        '<li><h4><a href="/en/content_2.html">'
        "New energy vehicle parts park opens its second phase</a></h4>"
        '<span class="date">17 November 2026</span></li>'
        '<li><h4><a href="/en/content_3.html">'
        "Cross-border exports rise 36 percent in ten months</a></h4>"
        '<span class="date">Oct 3, 2026</span></li>'
        "</ul></body></html>"
    )
    entries = entries_from_html(html, "http://x.gov.cn/en/news/index.html", TZ, NOW)
    assert [(e.published_at.date().isoformat(), e.date_from) for e in entries] == [
        ("2026-11-20", "element"),
        ("2026-11-17", "element"),
        ("2026-10-03", "element"),
    ]


def test_families_date_rows_by_structured_evidence_before_a_summary():
    html = (
        "<html><body><ul>"
        '<li><a href="/gzdt/202611/t20261117_1.html">新区召开重点项目建设推进会议</a>'
        "<p>10月26日下午，区人大常委会召开会议，听取了有关情况的汇报。</p>"
        '<time datetime="2026-11-17T17:02:00+08:00">11月17日</time></li>'
        '<li><a href="/gzdt/202611/t20261116_2.html">新区出台支持先进制造业十条措施</a>'
        "<p>9月30日签约的项目已全部开工建设，带动投资五十亿元。</p></li>"
        "</ul></body></html>"
    )
    entries = entries_by_pattern(
        html, "http://x.gov.cn/gzdt/", re.compile(r"/t\d{8}_\d+\.html$"), TZ, NOW
    )
    assert [(e.published_at.date().isoformat(), e.date_from) for e in entries] == [
        ("2026-11-17", "time"),
        ("2026-11-16", "url"),
    ]


def test_hanweb_records_keep_the_date_evidence():
    soup_row = (
        '<li><a href="/art/2026/11/20/art_1_2.html">新区召开重点项目建设推进会议</a>'
        "<span>2026-11-20</span></li>"
    )
    entry = HanwebFamily._entry(soup_row, "http://x.gov.cn/col/col1/index.html", TZ, NOW)
    assert entry is not None and entry.date_from == "element"
    assert BeautifulSoup(soup_row, "lxml").find("a").get("data-xinqu-anchor") is None


def test_a_text_response_that_is_not_html_pages_nowhere():
    response = TextResponse("http://x.cn/a.txt", body=b"plain text", encoding="utf-8")
    assert find_data_posts(response, []) == []


def test_a_list_numbered_in_its_url_pages_while_below_its_total():
    assert numbered_next("http://x.cn/channels/12.html", 3) == "http://x.cn/channels/12_2.html"
    assert numbered_next("http://x.cn/channels/12_2.html", 3) == "http://x.cn/channels/12_3.html"
    assert numbered_next("http://x.cn/channels/12_3.html", 3) is None
    chengdu = "http://x.cn/xwzx/column-index-1.shtml"
    assert numbered_next(chengdu, 2) == "http://x.cn/xwzx/column-index-2.shtml"
    assert numbered_next("http://x.cn/news/list.asp?page=1", 2).endswith("list.asp?page=2")
