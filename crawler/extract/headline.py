"""The headline a page shows next to its body, for pages whose ``<title>`` is no headline.

Many sites give every page the same ``<title>`` (the site's or the column's name:
``湘江新区管理委员会``, ``科普中国-辟谣文章``), and old pages often carry no ``<h1>``.
The headline is then the line the page shows just above the body, after skipping
the info lines between them (作者, 来源, 发布日期 …, a bare date, an author's name).
These functions work on the page's text lines only, so they serve any body source.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection

#: How far above the body a headline may stand (info lines included).
LINES_ABOVE = 8
#: A line above the body is taken for the headline only when this share of its
#: character bigrams occurs in the body: a headline names what the article is about.
MIN_BODY_OVERLAP = 0.3

#: How much more of the body a line above it must name to displace the <title>
#: (ties go to the line: it stands where the page shows its headline).
TITLE_MARGIN = 0.0

_INFO = re.compile(
    r"^(?:[\[【(（]?\s*)?(?:作者|来源|出处|出自|发布|发布时间|发布日期|时间|日期|编辑|责任编辑|译|译者|"
    r"记者|通讯员|摄影|浏览|点击|阅读|字号|By)\b|[:：]\s*$|(?:19|20)\d{2}\s*[-/.年]|"
    r"\d{1,2}/\d{1,2}/(?:19|20)\d{2}|^https?://",
    re.I,
)
#: Markup shown as text by a broken page (``size="20"``).
_ATTRIBUTE = re.compile(r"^[\w-]+\s*=\s*[\"'][^\"']*[\"']$")
_NAV = re.compile(r">|»|→|›|首页|当前位置|您的位置|现在位置|\|\s*\S+\s*\|")
_LABEL = re.compile(r"^(?:标题|主题|题目|Title)\s*[:：]\s*", re.I)
_SEPARATORS = re.compile(r"__?|\s[-–—|]\s|--|\||｜|-")
#: A <title> with no separator that ends like an organisation's or a site's name.
_SITE_ONLY = re.compile(
    r"(?:网|网站|门户|门户网站|官网|政府|人民政府|委员会|管委会|管理委员会|新区|中心|频道|博客|论坛|社区)$"
)
_SPACES = re.compile(r"\s+")


def strip_label(title: str) -> str:
    """``主题: 标题`` → ``标题``: a forum's or an old CMS's label before the headline."""
    return _LABEL.sub("", title).strip()


def _grams(text: str) -> Counter[str]:
    text = _SPACES.sub("", text)
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def body_overlap(line: str, body: str) -> float:
    """Share of ``line``'s character bigrams that occur in ``body``."""
    grams = _grams(line)
    if not grams:
        return 0.0
    body_grams = _grams(body)
    return sum(n for gram, n in grams.items() if gram in body_grams) / sum(grams.values())


def lines_above(page_lines: list[str], body_lines: list[str], marker: str) -> list[str]:
    """The page's lines just above the body, nearest first."""
    if marker in page_lines:
        at = page_lines.index(marker)
    else:
        first = next((line for line in body_lines if len(line) >= 8), None)
        if first is None:
            return []
        key = first[:12]
        at = next((i for i, line in enumerate(page_lines) if key in line), -1)
        if at < 0:
            return []
    return list(reversed(page_lines[max(0, at - LINES_ABOVE) : at]))


def headline_above(above: list[str], body: str) -> str | None:
    """The nearest line above the body that reads as its headline, if any."""
    for line in above:
        if _INFO.search(line) or len(line) <= 4 or _ATTRIBUTE.match(line):
            continue  # an info line, a date, an author's name: look higher
        if _NAV.search(line) or not 5 <= len(line) <= 80:
            return None
        return line if body_overlap(line, body) >= MIN_BODY_OVERLAP else None
    return None


def is_site_title(page_title: str, shared_titles: Collection[str] = ()) -> bool:
    """Whether a ``<title>`` names the site rather than the article: other pages of the
    site share it, or it is one name with no separator ending like a site's."""
    page_title = page_title.strip()
    if page_title in shared_titles:
        return True
    return not _SEPARATORS.search(page_title) and bool(_SITE_ONLY.search(page_title))


def settle_headline(
    title: str,
    trusted: bool,
    page_title: str,
    above: list[str],
    body: str,
    shared_titles: Collection[str] = (),
) -> str:
    """The title to keep: ``title`` unless it came from a ``<title>`` that is no headline
    (or is empty) and the page shows a headline above its body."""
    title = strip_label(title)
    if trusted:
        return title
    candidate = headline_above(above, body)
    if candidate is None:
        # No line above: a body that opens with its own headline (old pages, bodies
        # found by readability) shows it as its first short line.
        first, _, rest = body.partition("\n")
        sentence = first.endswith(("。", ".", "；", ";", "，", ",", "：", ":"))
        if rest.count("\n") >= 1 and not sentence and not (title and title in first):
            candidate = headline_above([first], rest)
    if candidate is None or candidate == title:
        return title
    if not title or (title == page_title.strip() and is_site_title(page_title, shared_titles)):
        return candidate
    shown = any(title in line for line in above) or title in body[:200]
    if shown or candidate in title:
        return title
    # Both plausible: the one that names more of what the body is about.
    if body_overlap(candidate, body) >= body_overlap(title, body) + TITLE_MARGIN:
        return candidate
    return title
