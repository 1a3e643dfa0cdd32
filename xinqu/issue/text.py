"""Cleaning crawled text before it is frozen into an issue.

Everything a page gave us is treated as plain text: control characters (CR, LF,
NUL, bidi overrides …) cannot reach a headline, a header or the layout, and
markup is never passed through (the templates escape it).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from xinqu.text import clean_line

_NOT_IN_URLS = frozenset('"<>\\^`{|}')
_PARA_END = "。！？；…”’」』）)!?.;:："


def paragraphs(text: str | None) -> list[str]:
    """The text's non-empty paragraphs (one per line), each cleaned."""
    if not text:
        return []
    out = []
    for line in re.split(r"[\r\n\u2028\u2029]+", text):
        cleaned = clean_line(line.replace("\u3000", " "))
        if cleaned:
            out.append(cleaned)
    return out


def is_subheading(paragraph: str) -> bool:
    """A short paragraph without closing punctuation, such as `造氛围` or `一、筑平台`."""
    return len(paragraph) <= 24 and not paragraph.endswith(tuple(_PARA_END))


def shorten(paras: list[str], limit: int) -> tuple[list[str], bool]:
    """Whole paragraphs up to about ``limit`` characters (at least one); True if cut."""
    kept: list[str] = []
    total = 0
    for para in paras:
        if kept and total + len(para) > limit:
            return kept, True
        kept.append(para)
        total += len(para)
    return kept, False


def safe_url(url: str | None) -> str:
    """The URL if it is http(s) and free of white space and controls, else ``""``."""
    if not url:
        return ""
    url = url.strip()
    if not url.isprintable() or any(ch.isspace() or ch in _NOT_IN_URLS for ch in url):
        return ""
    return url if urlsplit(url).scheme in {"http", "https"} else ""
