"""Rendering issues and notices with the Jinja2 templates in ``mail_templates/``.

Two base layouts, ``base.html`` and ``base.txt``, own the masthead and the footer
(the distribution lines of an issue, the web copy, the unsubscribe link); every
mail extends them. HTML is autoescaped and its CSS inlined with css-inline, so
clients that strip ``<style>`` still show the layout. Rendering reads only the
issue's frozen content and the bulletin settings, so an old issue renders to the
same bytes again; the per-recipient unsubscribe URL is left as
``UNSUBSCRIBE_PLACEHOLDER`` for delivery to fill in.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import css_inline
import jinja2

from xinqu import resources
from xinqu.config import Settings
from xinqu.issue.text import is_subheading, paragraphs, safe_url, shorten
from xinqu.store.issues import UNSUBSCRIBE_PLACEHOLDER, Issue
from xinqu.text import clean_line

TEMPLATES_DIR = resources.templates_dir()

#: An article in the mail editions is cut after about this many characters
#: (whole paragraphs), with a link to the original; the print edition is whole.
MAIL_ARTICLE_CHARS = 900

#: 亦见 links a mail shows per item (a story reprinted by hundreds of sites must not
#: make the mail big); the web copy shows them all.
MAIL_ALSO_AT = 5

#: Columns of the plain-text edition's masthead and rules.
TEXT_WIDTH = 60


@dataclass(frozen=True)
class MessageParts:
    subject: str
    text: str
    html: str


@lru_cache(maxsize=4)
def environment(directory: Path = TEMPLATES_DIR) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(directory)),
        autoescape=jinja2.select_autoescape(["html", "htm", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cn_date"] = cn_date
    env.filters["center_cols"] = center_cols
    env.filters["spread_cols"] = spread_cols
    return env


def columns(text: str) -> int:
    """Terminal columns: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def center_cols(text: str, width: int = TEXT_WIDTH) -> str:
    return " " * max(0, (width - columns(text)) // 2) + text


def spread_cols(left: str, right: str, width: int = TEXT_WIDTH) -> str:
    """`left` and `right` on one line of ``width`` columns (at least four spaces apart)."""
    return left + " " * max(4, width - columns(left) - columns(right)) + right


def cn_date(value: date | str) -> str:
    """`2020年1月21日`."""
    day = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return f"{day.year}年{day.month}月{day.day}日"


def issue_label(year: int, year_number: int, number: int) -> str:
    """The bulletin's 期号: `2020年第1期（总第1期）`."""
    return f"{year}年第{year_number}期（总第{number}期）"


def issue_subject(title: str, year: int, year_number: int, number: int) -> str:
    return clean_line(f"{title} {issue_label(year, year_number, number)}")


def web_url(settings: Settings, number: int) -> str:
    return f"{str(settings.web.base_url).rstrip('/')}/issues/{number}"


def _masthead(settings: Settings) -> dict[str, Any]:
    bulletin = settings.bulletin
    title = clean_line(bulletin.title)
    return {
        "title": title,
        "title_wide": " ".join(title.replace(" ", "")),
        "publisher": clean_line(bulletin.publisher),
        "distribution": [
            (clean_line(key), [clean_line(line) for line in lines])
            for key, lines in bulletin.distribution.items()
        ],
    }


def _paras(text: str, limit: int | None) -> tuple[list[dict[str, Any]], bool]:
    paras = paragraphs(text)
    cut = False
    if limit is not None:
        paras, cut = shorten(paras, limit)
    return [{"text": p, "sub": is_subheading(p)} for p in paras], cut


def _short_date(value: str | None) -> str:
    if not value:
        return ""
    day = datetime.fromisoformat(value).date()
    return f"{day.month}月{day.day}日"


def view(
    content: dict[str, Any], *, article_chars: int | None, also_at: int | None = None
) -> list[dict[str, Any]]:
    """The content's sections as the templates see them (cleaned, paragraphs split);
    at most ``also_at`` 亦见 links per item (None: all), the rest counted."""
    sections = []
    for section in content["sections"]:
        items = []
        for item in section["items"]:
            paras, cut = _paras(item["text"], article_chars)
            elsewhere = [u for u in map(safe_url, item.get("also_at", [])) if u]
            shown = elsewhere if also_at is None else elsewhere[:also_at]
            items.append(
                {
                    "headline": clean_line(item["headline"]),
                    "area": clean_line(item["area"]),
                    "site_name": clean_line(item["site_name"]),
                    "url": safe_url(item["url"]),
                    "date": _short_date(item.get("published_at")),
                    "paras": paras,
                    "cut": cut,
                    "also_at": shown,
                    "also_rest": len(elsewhere) - len(shown),
                }
            )
        more = [
            {
                "headline": clean_line(m["headline"]),
                "site_name": clean_line(m.get("site_name", "")),
                "url": safe_url(m.get("url")),
                "date": _short_date(m.get("published_at")),
            }
            for m in section.get("more", [])
        ]
        total = int(section.get("more_total", len(more)))
        sections.append(
            {
                "key": section["key"],
                "title": clean_line(section["title"]),
                "items": items,
                "more": more,
                "more_rest": max(0, total - len(more)),
            }
        )
    return sections


def issue_context(
    settings: Settings,
    content: dict[str, Any],
    *,
    year_number: int,
    article_chars: int | None = MAIL_ARTICLE_CHARS,
    also_at: int | None = MAIL_ALSO_AT,
) -> dict[str, Any]:
    number = int(content["issue"])
    day = date.fromisoformat(content["date"])
    chosen = content.get("edition")
    return {
        "corrects": content.get("corrects"),
        "edition": [clean_line(s["title"]) for s in content["sections"]] if chosen else None,
        **_masthead(settings),
        "subject": issue_subject(settings.bulletin.title, day.year, year_number, number),
        "number": number,
        "issue_label": issue_label(day.year, year_number, number),
        "date": day,
        "period": content["period"],
        "sections": view(content, article_chars=article_chars, also_at=also_at),
        "web_url": web_url(settings, number),
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
    }


_INLINER = css_inline.CSSInliner(keep_style_tags=True)


def inline_css(html: str) -> str:
    """Every rule copied into style attributes; the <style> stays for media queries."""
    return _INLINER.inline(html)


def render_issue(
    settings: Settings, content: dict[str, Any], *, year_number: int, web: bool = False
) -> MessageParts:
    """The frozen subject, text and HTML of an issue (unsubscribe URL as placeholder);
    ``web``: the web copy, with every 亦见 link."""
    env = environment()
    context = issue_context(
        settings, content, year_number=year_number, also_at=None if web else MAIL_ALSO_AT
    )
    text = env.get_template("issue.txt").render(context)
    html = inline_css(env.get_template("issue.html").render(context))
    return MessageParts(subject=context["subject"], text=text, html=html)


def edition_content(content: dict[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    """The issue's content narrowed to the sections ``keys`` (a reader's edition)."""
    wanted = set(keys)
    return {
        **content,
        "edition": [s["key"] for s in content["sections"] if s["key"] in wanted],
        "sections": [s for s in content["sections"] if s["key"] in wanted],
    }


def edition_keys(content: dict[str, Any], chosen: Sequence[str] | None) -> tuple[str, ...] | None:
    """The sections of a reader's edition: None for the whole issue, () for no mail.

    ``chosen`` is the reader's choice (None: every section). A reader whose chosen
    sections are all empty in this issue gets none.
    """
    if chosen is None:
        return None
    keys = tuple(s["key"] for s in content["sections"] if s["key"] in set(chosen))
    if not any(s["items"] or s["more"] for s in content["sections"] if s["key"] in keys):
        return ()
    if len(keys) == len(content["sections"]):
        return None
    return keys


def render_edition(settings: Settings, issue: Issue, keys: Sequence[str] | None) -> MessageParts:
    """The mail of the readers of ``keys`` (None: every section, the frozen bodies).

    A partial edition is rendered from the frozen content, so its items are the
    issue's, in the same words; its contents and counts name only its sections.
    """
    if keys is None:
        return MessageParts(subject=issue.subject, text=issue.text, html=issue.html)
    content = edition_content(json.loads(issue.content), keys)
    return render_issue(settings, content, year_number=issue.year_number)


def rerender(settings: Settings, issue: Issue) -> MessageParts:
    """An issue rendered anew from its frozen content (equal to what was frozen)."""
    return render_issue(settings, json.loads(issue.content), year_number=issue.year_number)


def _subject_block(template: jinja2.Template, context: dict[str, Any]) -> str:
    block = template.blocks.get("subject")
    if block is None:
        return ""
    return clean_line("".join(block(template.new_context(context))))


def render_notice(settings: Settings, template: str, context: dict[str, Any]) -> MessageParts:
    """A notice mail (``alert`` or ``confirm``) in text and HTML, on the bulletin's layout.

    ``context`` holds what the template names (see the template's header); the
    masthead comes from the settings. ``unsubscribe_url`` defaults to
    ``UNSUBSCRIBE_PLACEHOLDER``; pass ``None`` for a mail without one (an alert
    to the editor). The subject is the template's ``subject`` block unless the
    context gives ``subject``.
    """
    name = template.removesuffix(".html").removesuffix(".txt")
    env = environment()
    full = {
        **_masthead(settings),
        "distribution": [],
        "issue_label": None,
        "date": None,
        "web_url": None,
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        **context,
    }
    text_template = env.get_template(f"{name}.txt")
    html_template = env.get_template(f"{name}.html")
    subject = clean_line(str(context.get("subject") or "")) or _subject_block(text_template, full)
    full["subject"] = subject
    return MessageParts(
        subject=subject,
        text=text_template.render(full),
        html=inline_css(html_template.render(full)),
    )


def render_editor_footer(
    *,
    number: int,
    checked_at: str | None,
    flags: list[str],
    counts: dict[str, int],
    possible: list[str] | None = None,
    uncertain: Sequence[str] = (),
    actions: Sequence[str] = (),
) -> tuple[str, str]:
    """The editor copy's health footer as (text, HTML fragment).

    ``flags`` and ``checked_at`` are what was frozen when the issue was built
    (``checked_at`` None: nothing was); ``counts`` are the issue's deliveries now;
    ``possible`` are lines on the issue's stories that may duplicate another (processing
    did not merge them: the editor decides).
    ``uncertain`` are lines naming the carried articles whose section was an
    uncertain call, for the editor to check. ``actions`` are lines on the editor's
    actions on the issue (who, when, what; xinqu.issue.review.action_lines).
    """
    env = environment()
    context = {
        "number": number,
        "checked_at": checked_at,
        "flags": [clean_line(line) for line in flags],
        "counts": list(counts.items()),
        "possible": [clean_line(line) for line in possible or []],
        "uncertain": [clean_line(line) for line in uncertain],
        "actions": [clean_line(line) for line in actions],
    }
    text = env.get_template("editor_footer.txt").render(context)
    html = env.get_template("editor_footer.html").render(context)
    return text, html
