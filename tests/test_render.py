"""Rendering: escaping, inlined CSS, the mail cut, notices, the print edition."""

from __future__ import annotations

import re
from datetime import date, datetime
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from xinqu.config import SHIPPED_CONFIG_DIR, Config, load_config
from xinqu.issue.build import assemble
from xinqu.issue.candidates import Candidate
from xinqu.issue.printed import print_document, print_html, render_pdf
from xinqu.issue.render import render_issue, render_notice
from xinqu.store.articles import Article
from xinqu.store.issues import UNSUBSCRIBE_PLACEHOLDER

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(SHIPPED_CONFIG_DIR)


def issue_of(config: Config, *articles: Article, also_at: tuple[str, ...] = ()) -> dict[str, Any]:
    candidates = {"industry": [Candidate(a, "industry", also_at=also_at) for a in articles]}
    content, _ = assemble(
        config,
        number=7,
        issue_date=date(2026, 11, 25),
        since=date(2026, 11, 11),
        until=date(2026, 11, 24),
        candidates=candidates,
    )
    return content


def article(n: int, title: str, text: str, url: str = "", area: str = "贵安新区") -> Article:
    return Article(
        id=n,
        url=url or f"https://www.gaxq.gov.cn/{n}.html",
        source="guian",
        area=area,
        site_name=f"{area}官网",
        title=title,
        text=text,
        published_at=datetime(2026, 11, 20, 9, tzinfo=TZ),
    )


class TagBalance(HTMLParser):
    VOID = {"meta", "br", "img", "hr", "link", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
        else:
            self.stack.pop()


def test_nothing_from_a_page_breaks_the_layout_or_the_subject(config: Config) -> None:
    hostile = article(
        1,
        "新政<script>alert(1)</script>\r\nBcc: victim@example.org",
        "正文</td></tr></table><img src=x onerror=alert(2)>\n<b>粗体</b>\x1b[31m",
        url="javascript:alert(3)",
    )
    content = issue_of(config, hostile, also_at=('https://x.gov.cn/a"><script>b</script>',))
    parts = render_issue(config.settings, content, year_number=3)
    checker = TagBalance()
    checker.feed(parts.html)
    assert checker.errors == [] and checker.stack == []
    assert checker.scripts == 0
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in parts.html
    assert "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;img" in parts.html
    assert "javascript:" not in parts.html and "javascript:" not in parts.text
    assert 'href="https://x.gov.cn/a' not in parts.html
    assert "\x1b" not in parts.text
    headline = content["sections"][0]["items"][0]["headline"]
    assert "\r" not in headline and "\n" not in headline
    assert "\n" not in parts.subject and "\r" not in parts.subject


def test_html_has_css_inlined_a_cjk_font_stack_and_a_web_copy(config: Config) -> None:
    content = issue_of(config, article(1, "大数据产业规模完成387亿元", "第一段。\n第二段。"))
    html = render_issue(config.settings, content, year_number=3).html
    masthead = re.search(r'<td class="masthead" style="([^"]+)"', html)
    assert masthead is not None
    assert "color: #c00000" in masthead.group(1)
    assert "'Noto Sans CJK SC'" in html
    assert "Microsoft YaHei" in html
    assert 'href="http://localhost:8000/issues/7"' in html
    assert f'href="{UNSUBSCRIBE_PLACEHOLDER}"' in html
    assert "2026年第3期（总第7期）" in html
    assert "西 咸 研 究" in html


def test_mail_editions_cut_long_articles_and_the_print_edition_does_not(config: Config) -> None:
    paras = [f"第{n}段，" + "产业发展" * 60 + "。" for n in range(1, 8)]
    content = issue_of(config, article(1, "贵安新区长文", "\n".join(paras)))
    parts = render_issue(config.settings, content, year_number=1)
    assert "第1段" in parts.text and "第7段" not in parts.text
    assert "（节选，全文见原文）\n（来源：贵安新区官网）\n原文：https://www.gaxq.gov.cn/1.html" in (
        parts.text
    )
    assert "阅读全文" in parts.html and "第7段" not in parts.html
    printed = print_html(config.settings, content, year_number=1)
    assert "第7段" in printed and "阅读全文" not in printed
    assert "（来源：贵安新区官网）" in printed


def test_subheadings_are_kept(config: Config) -> None:
    content = issue_of(config, article(1, "两江新区打造创新生态", "导语。\n造氛围\n正文一段。"))
    parts = render_issue(config.settings, content, year_number=1)
    assert re.search(r'<p class="sub"[^>]*>造氛围</p>', parts.html)
    assert "\n造氛围\n" in parts.text
    assert "\n　　正文一段。\n" in parts.text


def test_more_lists_headlines_with_links(config: Config) -> None:
    config_one = config.model_copy(
        update={
            "settings": config.settings.model_copy(
                update={
                    "digest": config.settings.digest.model_copy(update={"max_items_per_section": 1})
                }
            )
        }
    )
    content = issue_of(
        config_one,
        article(1, "项目签约100亿元", "a。"),
        article(2, "数字经济政策出台", "b。", area="天府新区"),
    )
    section = content["sections"][0]
    assert [m["headline"] for m in section["more"]] == ["天府新区：数字经济政策出台"]
    parts = render_issue(config.settings, content, year_number=1)
    assert '<a href="https://www.gaxq.gov.cn/2.html"' in parts.html
    assert "· 天府新区：数字经济政策出台（天府新区官网，11月20日）" in parts.text


def test_render_notice_confirm_and_alert(config: Config) -> None:
    confirm = render_notice(
        config.settings,
        "confirm",
        {
            "email": "reader@example.org",
            "name": "张三<b>",
            "confirm_url": "http://localhost:8000/confirm?t=abc&u=1",
            "sections": ["产业发展", "改革创新"],
        },
    )
    assert confirm.subject == "请确认订阅《西咸研究》"
    assert "http://localhost:8000/confirm?t=abc&u=1" in confirm.text
    assert 'href="http://localhost:8000/confirm?t=abc&amp;u=1"' in confirm.html
    assert "张三&lt;b&gt;" in confirm.html
    assert UNSUBSCRIBE_PLACEHOLDER in confirm.text and UNSUBSCRIBE_PLACEHOLDER in confirm.html
    assert "西 咸 研 究" in confirm.text

    alert = render_notice(
        config.settings,
        "alert",
        {
            "subject": "抓取失败\r\n3 个来源",
            "message": "pudong: 超时\nguian: 403",
            "unsubscribe_url": None,
        },
    )
    assert alert.subject == "抓取失败 3 个来源"
    assert "guian: 403" in alert.text and "guian: 403" in alert.html
    assert "退订" not in alert.text and "退订" not in alert.html


def test_pdf_is_deterministic_a4_with_embedded_fonts(config: Config) -> None:
    content = issue_of(
        config, article(1, "大数据产业规模完成387亿元", "第一段。\n造氛围\n第二段。")
    )
    first = render_pdf(config.settings, content, year_number=1)
    assert first.startswith(b"%PDF-")
    assert first == render_pdf(config.settings, content, year_number=1)
    document = print_document(config.settings, content, year_number=1)
    a4 = (210 / 25.4 * 96, 297 / 25.4 * 96)
    assert all(abs(p.width - a4[0]) < 1 and abs(p.height - a4[1]) < 1 for p in document.pages)
    document.write_pdf()
    families = {font.family for font in document.fonts.values()}
    assert families and all("CJK" in family for family in families), families


def test_docx_draft_has_the_bulletin_anatomy_and_stable_bytes(config: Config) -> None:
    import io

    from docx import Document

    from xinqu.issue.docx_edition import render_docx

    content = issue_of(
        config,
        article(1, "大数据产业规模完成387亿元", "第一段。\n造氛围\n第二段。"),
        article(2, "数字经济政策出台", "政策全文。", area="天府新区"),
    )
    data = render_docx(config.settings, content, year_number=3)
    assert data == render_docx(config.settings, content, year_number=3)
    lines = [p.text for p in Document(io.BytesIO(data)).paragraphs if p.text]
    assert lines[:3] == ["西 咸 研 究", "2026年第3期（总第7期）", "西咸研究院\t2026年11月25日"]
    assert lines[3:6] == [
        "产业发展",
        "1、贵安新区：大数据产业规模完成387亿元",
        "2、天府新区：数字经济政策出台",
    ]
    assert "造氛围" in lines and "（来源：天府新区官网）" in lines
    assert lines[-3:] == [
        "送：省政府常务副省长。",
        "\u3000\u3000 西咸新区管委会、西咸集团班子成员。",
        "发：各新城管委会班子成员及部门。",
    ]
