"""Finding the article links of a news list page, and its further pages.

With a configured ``link_selector`` the links are taken as given. Otherwise the
main list is found automatically: links whose text reads as a headline, pointing
at an article-like URL on the same site, grouped by the container that holds them;
the container with the most such links wins. Navigation, breadcrumbs, sidebars
(热点/排行/推荐), footers, attachments and 上一篇/下一篇 are skipped.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, tzinfo
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag
from scrapy.http import Response

from crawler.extract.dates import parse_datetime
from crawler.families.base import ListEntry
from scheduler.config import Source

CJK = re.compile(r"[\u4e00-\u9fff]")
ATTACHMENT = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|zip|rar|7z|jpg|jpeg|png|gif|mp4|wps)$", re.I)
NOISE_CONTAINER = re.compile(
    r"nav|menu|footer|foot|header|breadcrumb|crumb|position|location|sidebar|side|"
    r"hot|rank|recommend|tuijian|paihang|link|friend|share|banner|top",
    re.I,
)
NOISE_TEXT = re.compile(
    r"^(上一篇|下一篇|上一页|下一页|首页|尾页|末页|更多|more|返回|打印|关闭)", re.I
)
NEXT_TEXT = re.compile(r"^\s*(下一页|下页|next|›|>)\s*$", re.I)
CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?"
    r"(?:\s*,\s*['\"]([^'\"]*)['\"]\s*,\s*['\"]([^'\"]*)['\"])?"
)
MIN_HEADLINE = 6


def _same_site(url: str, base: str) -> bool:
    host, base_host = urlsplit(url).hostname or "", urlsplit(base).hostname or ""
    strip = lambda h: h.removeprefix("www.")  # noqa: E731
    return strip(host) == strip(base_host) or host.endswith("." + strip(base_host))


def _is_noise(anchor: Tag) -> bool:
    for parent in anchor.parents:
        if parent.name in ("nav", "header", "footer"):
            return True
        marker = " ".join([*parent.get("class", []), parent.get("id") or ""])
        if marker and NOISE_CONTAINER.search(marker):
            return True
        if parent.name == "body":
            break
    return False


def _container(anchor: Tag) -> Tag:
    for parent in anchor.parents:
        if parent.name in ("ul", "ol", "table", "tbody", "dl"):
            return parent
    return anchor.parent or anchor


def _row(anchor: Tag) -> Tag:
    for parent in anchor.parents:
        if parent.name in ("li", "tr", "dd", "dt", "p") or (
            parent.name == "div" and len(parent.find_all("a")) == 1
        ):
            return parent
    return anchor.parent or anchor


def _anchor_title(anchor: Tag) -> str:
    text = re.sub(r"\s+", " ", anchor.get_text(" ", strip=True)).strip(" •·")
    title = (anchor.get("title") or "").strip()
    return title if len(title) > len(text) else text


def _entry(anchor: Tag, base_url: str, tz: tzinfo, now: datetime) -> ListEntry | None:
    href = (anchor.get("href") or "").strip()
    if not href or href.startswith(("javascript:", "mailto:", "#")):
        return None
    url = urljoin(base_url, href)
    if not url.startswith("http") or ATTACHMENT.search(urlsplit(url).path):
        return None
    title = _anchor_title(anchor)
    row_text = _row(anchor).get_text(" ", strip=True)
    date_text = row_text.replace(anchor.get_text(" ", strip=True), " ")
    return ListEntry(url=url, title=title, published_at=parse_datetime(date_text, tz, now))


def discover_entries(
    response: Response, source: Source, tz: tzinfo, now: datetime
) -> list[ListEntry]:
    soup = BeautifulSoup(response.text, "lxml")
    base = response.url
    if source.link_selector:
        anchors = [a for a in soup.select(source.link_selector) if a.name == "a"] or [
            a for node in soup.select(source.link_selector) for a in node.find_all("a")
        ]
        entries = [_entry(a, base, tz, now) for a in anchors]
        return _unique([e for e in entries if e is not None])

    groups: dict[int, list[ListEntry]] = defaultdict(list)
    for anchor in soup.find_all("a", href=True):
        entry = _entry(anchor, base, tz, now)
        if entry is None or not _same_site(entry.url, base):
            continue
        if len(CJK.findall(entry.title)) < MIN_HEADLINE or NOISE_TEXT.match(entry.title):
            continue
        if _is_noise(anchor):
            continue
        groups[id(_container(anchor))].append(entry)
    if not groups:
        return []
    best = max(groups.values(), key=lambda g: (sum(e.published_at is not None for e in g), len(g)))
    return _unique(best)


def _unique(entries: list[ListEntry]) -> list[ListEntry]:
    seen: set[str] = set()
    out = []
    for entry in entries:
        if entry.url not in seen:
            seen.add(entry.url)
            out.append(entry)
    return out


def find_next_pages(response: Response, source: Source) -> list[str]:
    """The next list page: a 下一页 link, or the pages of an inline createPageHTML()."""
    soup = BeautifulSoup(response.text, "lxml")
    for anchor in soup.find_all("a", href=True):
        if NEXT_TEXT.match(anchor.get_text(" ", strip=True)):
            href = anchor["href"].strip()
            if href and not href.startswith(("javascript:", "#")):
                return [urljoin(response.url, href)]
    match = CREATE_PAGE.search(response.text)
    if match:
        total, current = int(match.group(1)), int(match.group(2))
        stem, ext = match.group(3) or "index", match.group(4) or "html"
        if current + 1 < total:
            return [urljoin(response.url, f"{stem}_{current + 1}.{ext}")]
    return []
