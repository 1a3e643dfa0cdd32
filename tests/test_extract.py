"""Article extraction: the seed bulletin's first article on a TRS page, titles, 来源 lines,
paragraphs and boilerplate, configured selectors, hostile markup, and `xinqu extract`."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from support import SHARED

from crawler.extract.article import ArticleSelectors, ExtractedArticle, extract_article
from scheduler.cli import main
from xinqu.process.normalize import strip_boilerplate
from xinqu.text import clean_line, squeeze_spaces

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
TZ = ZoneInfo("Asia/Shanghai")
TRS_URL = "http://www.pudong.gov.cn/xwzx/pdyw/202001/t20200106_1.html"
SEED = SHARED / "seed" / "000_7f99393f2c3dace5.txt"


def extract(html: str, url: str = "http://www.xixianxinqu.gov.cn/a.html", **kw) -> ExtractedArticle:
    return extract_article(html, url, tz=TZ, **kw)


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


PARAGRAPHS = "".join(
    f"<p>\u3000\u3000第{n}段：西咸新区推进秦创原创新驱动平台建设，产业集群规模持续扩大。</p>"
    for n in range(1, 4)
)

# -- the seed bulletin's first article ------------------------------------------------------


def test_seed_article_on_a_trs_page() -> None:
    article = extract((FIXTURES / "trs-pudong.html").read_text(encoding="utf-8"), TRS_URL)
    expected = (FIXTURES / "trs-pudong.expected.txt").read_text(encoding="utf-8").splitlines()
    assert article.text.splitlines() == expected
    assert len(expected) == 4
    assert expected[0].startswith("2020 年，浦东新区将迎来开发开放 30 周年纪念")
    assert expected[-1].endswith(
        "提升前滩、张江、金桥、沪东等沿中环地区的产城融合水平。（来源：浦东新区官网）"
    )
    assert article.title == "浦东打造五大千亿级硬核产业"
    assert article.published_at == datetime(2020, 1, 6, 9, 12, tzinfo=TZ)
    assert article.source_line == "浦东新区官网"
    assert article.body_from == ".TRS_Editor"
    for noise in ("草稿", "脚本", "责任编辑", "打印", "分享", "上一篇", "font-size"):
        assert noise not in article.text
    assert "<script" not in article.html and "style=" not in article.html
    assert '<img alt="" src="http://www.pudong.gov.cn/xwzx/pdyw/202001/W020200106345678.jpg">' in (
        article.html
    )
    assert article.html.count("<p>") == 5  # four paragraphs and the image


@pytest.mark.skipif(not SEED.is_file(), reason=f"seed bulletin not found at {SEED}")
def test_trs_fixture_carries_the_seed_paragraphs() -> None:
    spec = importlib.util.spec_from_file_location("generate", FIXTURES / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    paragraphs = generate.seed_paragraphs(SEED.read_text(encoding="utf-8"))
    expected = (FIXTURES / "trs-pudong.expected.txt").read_text(encoding="utf-8").splitlines()
    assert paragraphs == expected


# -- body text --------------------------------------------------------------------------------


def test_paragraphs_and_subheadings_are_lines() -> None:
    html = page(
        "<div id='zoom'>"
        "<p style='text-indent:2em'>\u3000\u3000"
        "西咸新区召开会议，研究部署下一阶段的产业发展重点工作。</p>"
        "<h3>一、聚焦先进制造业</h3>"
        "<p>&nbsp;&nbsp;会议要求，加快<b>秦创原</b>建设，<br>推动科技成果转化。</p>"
        "<p><strong>二、优化营商环境</strong></p>"
        "<table><tr><td>项目</td><td>投资额</td></tr><tr><td>A</td><td>12亿元</td></tr></table>"
        "<p>　　</p>"
        "<p>（责任编辑：李四）</p><p>【打印本页】 【关闭窗口】</p><p>分享到：</p>"
        "</div>"
    )
    article = extract(html)
    assert article.text.splitlines() == [
        "西咸新区召开会议，研究部署下一阶段的产业发展重点工作。",
        "一、聚焦先进制造业",
        "会议要求，加快秦创原建设，",
        "推动科技成果转化。",
        "二、优化营商环境",
        "项目 投资额",
        "A 12亿元",
    ]
    assert article.body_from == "#zoom"
    assert "<h3>一、聚焦先进制造业</h3>" in article.html
    assert "<b>秦创原</b>" in article.html
    assert "责任编辑" not in article.html and "打印本页" not in article.html


def test_trailing_credits() -> None:
    html = page(
        f"<div id='p-detail'>{PARAGRAPHS}<p>（资料来源：参考消息、海外网等）</p>"
        "<span>+1</span><span>【纠错】</span><span>责任编辑：<div>王五</div></span>"
        "<p>|&lt;&lt; 1 2 3 下一页 &gt;&gt;|</p></div>"
    )
    lines = extract(html).text.splitlines()
    assert len(lines) == 4
    assert lines[-1] == "（资料来源：参考消息、海外网等）"


def test_title_and_info_lines_are_dropped_from_the_body() -> None:
    html = page(
        "<div class='TRS_UEDITOR'><p>西咸新区召开产业大会</p>"
        "<p>发布时间：2026-11-15 来源：新区管委会</p>" + PARAGRAPHS + "</div>",
        head="<title>西咸新区召开产业大会_西咸新区</title>",
    )
    article = extract(html)
    assert article.text.splitlines()[0].startswith("第1段")
    assert len(article.text.splitlines()) == 3


def test_trafilatura_is_the_fallback() -> None:
    html = page(
        "<div class='nav'><a href='/'>首页</a> <a href='/x'>新闻</a></div>"
        "<div class='wrap'><h1>滇中新区签约重大项目</h1>"
        "<p>滇中新区举行重大项目集中签约活动，共签约项目二十个，总投资超过三百亿元，涵盖新能源、"
        "高端装备制造和现代物流等领域。</p>"
        "<p>新区负责人表示，将持续优化营商环境，为项目落地提供全流程服务保障。</p></div>"
        "<script>var leak='脚本内容';</script>"
    )
    article = extract(html)
    assert article.body_from == "trafilatura"
    assert article.text.splitlines() == [
        "滇中新区举行重大项目集中签约活动，共签约项目二十个，总投资超过三百亿元，涵盖新能源、高端装备制造和现代物流等领域。",
        "新区负责人表示，将持续优化营商环境，为项目落地提供全流程服务保障。",
    ]
    assert article.title == "滇中新区签约重大项目"


def test_generic_container_descends_to_the_paragraphs() -> None:
    comments = "".join(f"<div class='c'><p>网友{n}：评论内容评论内容</p></div>" for n in range(12))
    related = "".join(
        f"<li><a href='/n{n}.html'>相关新闻标题第{n}条很长很长</a></li>" for n in range(15)
    )
    html = page(
        f"<div class='article-content'><div id='article'>{PARAGRAPHS}</div>"
        f"<div class='comment'>{comments}</div><ul>{related}</ul></div>"
    )
    article = extract(html)
    assert article.text.splitlines()[0].startswith("第1段")
    assert len(article.text.splitlines()) == 3


# -- title ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "body", "title"),
    [
        ("<title>西咸新区召开产业大会_西咸新区</title>", "", "西咸新区召开产业大会"),
        ("<title>西咸新区召开产业大会 - 新华网</title>", "", "西咸新区召开产业大会"),
        ("<title>西咸新区召开产业大会-中国科普网</title>", "", "西咸新区召开产业大会"),
        ("<title>西咸新区召开产业大会 | 陕西省人民政府</title>", "", "西咸新区召开产业大会"),
        (
            '<meta name="ArticleTitle" content="元数据里的标题"><title>别的_西咸新区</title>',
            "<h1>页面上的标题</h1>",
            "元数据里的标题",
        ),
        (
            "<title>新区要闻_西咸新区</title>",
            "<h1>西咸新区召开产业大会</h1>",
            "西咸新区召开产业大会",
        ),
        (
            "<title>西咸新区召开产业大会_新区要闻_西咸新区</title>",
            "<div class='logo'><h1>西咸新区</h1></div><h2>西咸新区召开产业大会</h2>",
            "西咸新区召开产业大会",
        ),
        (
            "<title><script>alert(1)</script>真正的标题_西咸新区</title>"
            "<script>document.title='假标题'</script>",
            "<h1><script>document.write('注入')</script>真正的标题</h1>",
            "真正的标题",
        ),
        ('<meta property="og:title" content="分享标题 - 新华网">', "", "分享标题"),
    ],
)
def test_title(head: str, body: str, title: str) -> None:
    assert extract(page(body, head)).title == title


# -- publish time and source ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "info", "published"),
    [
        ('<meta name="PubDate" content="2026-11-15 09:30">', "", datetime(2026, 11, 15, 9, 30)),
        ('<meta name="publishdate" content="2026-11-15">', "", datetime(2026, 11, 15)),
        (
            '<meta name="publishdate" content="2026-11-15">',
            "<div>2026年11月15日08:18 来源：人民网</div>",
            datetime(2026, 11, 15, 8, 18),
        ),
        ("", "<div>发布时间：2026年11月15日 09:30</div>", datetime(2026, 11, 15, 9, 30)),
        ("", "<div>发布日期：2026/11/15</div>", datetime(2026, 11, 15)),
        ("", "<div>时间：<span>2026-11-15 09:30</span></div>", datetime(2026, 11, 15, 9, 30)),
        ("", "<span class='time'>2026-11-15 08:58:52</span>", datetime(2026, 11, 15, 8, 58, 52)),
        (
            "",
            "<div>信息来源：贵安新区报 | 发布时间：2016年10月21日17:28</div>",
            datetime(2016, 10, 21, 17, 28),
        ),
        (
            '<meta name="firstpublishedtime" content="2007-08-20-23:59:59">',
            "",
            datetime(2007, 8, 20, 23, 59, 59),
        ),
    ],
)
def test_published_at(head: str, info: str, published: datetime) -> None:
    html = page(f"<h1>标题</h1>{info}<div class='TRS_Editor'>{PARAGRAPHS}</div>", head)
    assert extract(html).published_at == published.replace(tzinfo=TZ)


def test_no_date_is_none() -> None:
    assert extract(page(f"<div id='zoom'>{PARAGRAPHS}</div>")).published_at is None


@pytest.mark.parametrize(
    ("head", "info", "source"),
    [
        ('<meta name="ContentSource" content="西咸新区管委会">', "", "西咸新区管委会"),
        ('<meta name="contentSource" content="来源：省发改委">', "", "省发改委"),
        (
            "",
            "<div>来源：西咸新区管委会 作者：张三 浏览次数：12 【字号：大 中 小】</div>",
            "西咸新区管委会",
        ),
        ("", "<div>信息来源：贵安新区报 | 发布时间：2016年10月21日17:28</div>", "贵安新区报"),
        ("", "<div>稿件来源：陕西日报 编辑：李四</div>", "陕西日报"),
        ("", "<div><span>来源：</span><em id='source'>新华网</em></div>", "新华网"),
        ("", "<div>发布时间：2026-11-15 来源: | 浏览次数：3</div>", None),
        ("", "<div>发布时间：2026-11-15</div>", None),
    ],
)
def test_source_line(head: str, info: str, source: str | None) -> None:
    html = page(f"<h1>标题</h1>{info}<div class='TRS_Editor'>{PARAGRAPHS}</div>", head)
    assert extract(html).source_line == source


def test_picture_credits_in_the_body_are_not_the_source() -> None:
    html = page(
        "<div class='TRS_Editor'>" + PARAGRAPHS + "<p>图片来源：新华社</p></div>"
        "<div>来源：西咸新区管委会</div>"
    )
    assert extract(html).source_line == "西咸新区管委会"


# -- configured selectors ---------------------------------------------------------------------


def test_configured_selectors_win() -> None:
    html = page(
        "<h1>自动标题</h1><div class='t'>配置的标题</div><i class='d'>2026-11-20</i>"
        f"<div class='TRS_Editor'>{PARAGRAPHS}</div>"
        "<div class='mine'><p>只要这一段，它足够长。</p></div>"
    )
    css = extract(html, selectors=ArticleSelectors(title=".t", date="i.d", body="div.mine"))
    assert (css.title, css.text, css.body_from) == (
        "配置的标题",
        "只要这一段，它足够长。",
        "selector",
    )
    assert css.published_at == datetime(2026, 11, 20, tzinfo=TZ)
    xpath = extract(html, selectors=ArticleSelectors(body="//div[@class='mine']"))
    assert xpath.text == "只要这一段，它足够长。"


def test_bad_selectors_fall_back() -> None:
    html = page(f"<h1>西咸新区召开产业大会</h1><div id='zoom'>{PARAGRAPHS}</div>")
    article = extract(html, selectors=ArticleSelectors(title="[[[", body="//*[", date="div.none"))
    assert article.title == "西咸新区召开产业大会"
    assert article.body_from == "#zoom"


# -- hostile and odd pages --------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n\t",
        "\x00\x01<<<>>>&&&;;<p",
        "<html><body></body></html>",
        "<div>" * 5000 + "正文" + "</div>" * 5000,
        "<html><body>" + "<div><span>" * 3000 + "未闭合的正文",
        "<html><body><div id='zoom'><p>第一段<b>粗体<p>第二段</div></i></table>结尾</body>",
        "<!DOCTYPE html><html><head><title></title></head>"
        "<body><frameset></frameset></body></html>",
        "<script>" + "var a=1;" * 1000,
        "<html><body><svg><text>矢量</text></svg><math><mi>x</mi></math></body></html>",
    ],
    ids=[
        "empty",
        "blank",
        "garbage",
        "no-body",
        "deep",
        "unclosed",
        "broken",
        "frameset",
        "script-only",
        "svg",
    ],
)
def test_odd_pages_do_not_crash(html: str) -> None:
    article = extract(html)
    assert isinstance(article.text, str)
    assert "var a" not in article.text and "矢量" not in article.text


def test_text_never_contains_script_or_style() -> None:
    html = page(
        "<div id='zoom'><script>var secret='脚本';</script><style>.x{color:red}</style>"
        f"{PARAGRAPHS}<noscript>请启用脚本</noscript><template><p>模板</p></template>"
        "<p onclick='alert(1)'>最后一段<script>document.write('写入')</script>。</p></div>",
        head="<style>body{}</style><script>var t=1;</script>",
    )
    article = extract(html)
    for leak in ("secret", "脚本", "color", "请启用", "模板", "写入", "alert"):
        assert leak not in article.text
        assert leak not in article.html
    assert article.text.endswith("最后一段。")


def test_huge_page_is_cut_not_choked_on() -> None:
    paragraph = "<p>这是一段很长的正文内容，用来测试超大页面的处理能力。</p>"
    html = page("<div class='TRS_Editor'>" + paragraph * 60_000 + "</div>")
    article = extract(html)
    assert article.text.startswith("这是一段很长的正文内容")
    assert 30_000 < article.text.count("\n") < 60_000


def test_json_shape() -> None:
    article = extract(page(f"<h1>标题足够长的新闻</h1><div id='zoom'>{PARAGRAPHS}</div>"))
    assert set(json.loads(article.as_json())) == {"title", "published_at", "text", "source_line"}


# -- xinqu extract ----------------------------------------------------------------------------


def run(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--data", str(tmp_path / "var"), "extract", *args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_json_on_a_file(tmp_path: Path) -> None:
    code, out, _ = run(
        tmp_path, str(FIXTURES / "trs-pudong.html"), "--url", TRS_URL, "--format", "json"
    )
    assert code == 0
    data = json.loads(out)
    expected = (FIXTURES / "trs-pudong.expected.txt").read_text(encoding="utf-8").strip()
    assert data == {
        "title": "浦东打造五大千亿级硬核产业",
        "published_at": "2020-01-06T09:12:00+08:00",
        "text": expected,
        "source_line": "浦东新区官网",
    }


def test_cli_text_on_a_gbk_file(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path, str(FIXTURES / "gbk-meta-only.html"))
    assert code == 0
    assert out.splitlines()[:3] == [
        "title:        西咸新区管委会与朱镕基企业管理学院签约",
        "published_at: 2026-11-15T09:30:00+08:00",
        "source_line:  西咸新区管委会",
    ]


def test_cli_fetches_a_url_with_a_header_charset(
    tmp_path: Path, site_server: Callable[[str], object]
) -> None:
    server = site_server("demo_trs")
    body = (FIXTURES / "gbk-undeclared.html").read_bytes()
    server.routes["/gbk.html"] = lambda: (200, {"Content-Type": "text/html; charset=GBK"}, body)  # type: ignore[attr-defined]
    code, out, _ = run(tmp_path, server.url("gbk.html"), "--format", "json")  # type: ignore[attr-defined]
    assert code == 0
    assert json.loads(out)["title"] == "西咸新区管委会与朱镕基企业管理学院签约"


@pytest.mark.parametrize("target", ["no/such/file.html", "http://127.0.0.1:9/none.html"])
def test_cli_errors_are_one_line(tmp_path: Path, target: str) -> None:
    code, out, err = run(tmp_path, target)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("xinqu: ")


def test_cli_rejects_a_directory(tmp_path: Path) -> None:
    code, _, err = run(tmp_path, str(tmp_path))
    assert code == 2 and "not a file" in err


@pytest.mark.parametrize(
    "line",
    [
        "责任编辑：张三",
        "【打印本页】 【关闭窗口】",
        "上一篇：新区召开年度工作会议",
        "首页 上一页 1 2 3 下一页 尾页",
        "浏览次数：128",
    ],
)
def test_extractor_and_dedupe_share_one_boilerplate_vocabulary(line: str) -> None:
    body = "".join(
        f"<p>湘江新区第{n}批重点产业项目集中开工，总投资超过百亿元，涵盖智能制造与新材料。</p>"
        for n in range(3)
    )
    html = f"<html><body><div id='zoom'>{body}<p>{line}</p></div></body></html>"
    assert line not in extract_article(html, "", tz=TZ).text
    assert strip_boilerplate(f"新区召开年度工作会议。\n{line}") == "新区召开年度工作会议。"


def test_the_extractor_squeezes_spaces_and_the_issue_cleans_controls() -> None:
    # Two meanings, two names (issue 10): the extractor keeps what the page says (a
    # cp1252 quote mis-decoded as the C1 control \x92 is the source's own text), the
    # issue shows a line without controls or bidi overrides.
    raw = "Apple\x92s\u3000new\u00a0chip\u200b \u202eplan\n"
    assert squeeze_spaces(raw) == "Apple\x92s new chip \u202eplan"
    assert clean_line(raw) == "Apples new chip plan"
