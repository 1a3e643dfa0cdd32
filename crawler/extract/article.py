"""Article extraction: title, publish time, body text and the page's own 来源 line.

Order of evidence, most trusted first: configured selectors; the government meta
set (``ArticleTitle``, ``PubDate``, ``ContentSource``; see sites.md §C9); the
visible info line (``发布时间：… 来源：…``); then trafilatura for the body.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime, tzinfo

import nh3
import trafilatura
from bs4 import BeautifulSoup, Tag

from crawler.extract.dates import parse_datetime

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "blockquote",
    "img",
    "a",
    "span",
    "div",
}
_SOURCE_LINE = re.compile(
    r"(?:信息来源|文章来源|稿件来源|来源)\s*[:：]\s*(?P<src>[^\s|｜<>]{2,40})"
)
_DATE_LINE = re.compile(
    r"(?:发布时间|发布日期|发文日期|时间|日期)\s*[:：]\s*(?P<date>[^|｜]{6,25})"
)


@dataclass(frozen=True)
class ArticleSelectors:
    """A source's optional overrides (CSS selectors, or XPath when starting with '/')."""

    title: str | None = None
    date: str | None = None
    body: str | None = None


@dataclass(frozen=True)
class ExtractedArticle:
    title: str
    published_at: datetime | None
    text: str
    html: str
    source_line: str | None

    def as_json(self) -> str:
        data = asdict(self)
        data["published_at"] = self.published_at.isoformat() if self.published_at else None
        del data["html"]
        return json.dumps(data, ensure_ascii=False, indent=2)


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    wanted = {n.lower() for n in names}
    for tag in soup.find_all("meta"):
        key = (tag.get("name") or tag.get("property") or "").lower()
        if key in wanted and tag.get("content", "").strip():
            return str(tag["content"]).strip()
    return None


def _select_one(soup: BeautifulSoup, selector: str) -> Tag | None:
    if selector.startswith("/"):
        from lxml import html as lxml_html

        tree = lxml_html.fromstring(str(soup))
        found = tree.xpath(selector)
        if not found:
            return None
        node = found[0]
        fragment = node if isinstance(node, str) else lxml_html.tostring(node, encoding="unicode")
        return BeautifulSoup(fragment, "html.parser")
    return soup.select_one(selector)


def sanitize_html(fragment: str) -> str:
    """Crawled HTML reduced to a safe subset: no scripts, styles, handlers or frames."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}, "img": {"src", "alt"}, "td": {"colspan", "rowspan"}},
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer",
    )


def _paragraphs(node: Tag) -> str:
    blocks = [
        re.sub(r"\s+", " ", el.get_text(" ", strip=True)).strip()
        for el in node.find_all(["p", "h2", "h3", "h4", "li", "div"])
        if not el.find(["p", "div"])
    ]
    text = "\n".join(b for b in blocks if b)
    return text or node.get_text("\n", strip=True)


def _title(soup: BeautifulSoup, selectors: ArticleSelectors) -> str:
    if selectors.title and (node := _select_one(soup, selectors.title)):
        return node.get_text(" ", strip=True)
    meta = _meta(soup, "ArticleTitle", "og:title")
    if meta:
        return meta
    for tag in ("h1", "h2"):
        node = soup.find(tag)
        if node and len(node.get_text(strip=True)) >= 4:
            return node.get_text(" ", strip=True)
    return soup.title.get_text(strip=True) if soup.title else ""


def _published(
    soup: BeautifulSoup, selectors: ArticleSelectors, tz: tzinfo, now: datetime | None
) -> datetime | None:
    if selectors.date and (node := _select_one(soup, selectors.date)):
        return parse_datetime(node.get_text(" ", strip=True), tz, now)
    meta = _meta(soup, "PubDate", "publishdate", "firstpublishedtime", "article:published_time")
    if meta and (value := parse_datetime(meta, tz, now)):
        return value
    match = _DATE_LINE.search(soup.get_text(" ", strip=True))
    return parse_datetime(match["date"], tz, now) if match else None


def _source_line(soup: BeautifulSoup) -> str | None:
    meta = _meta(soup, "ContentSource", "source")
    if meta:
        return meta
    match = _SOURCE_LINE.search(soup.get_text(" ", strip=True))
    return match["src"] if match else None


def extract_article(
    html: str,
    url: str,
    *,
    tz: tzinfo,
    selectors: ArticleSelectors | None = None,
    now: datetime | None = None,
) -> ExtractedArticle:
    """Extract one article page. Never raises on odd markup; missing fields are empty."""
    selectors = selectors or ArticleSelectors()
    soup = BeautifulSoup(html, "lxml")
    title = _title(soup, selectors)
    body_html = ""
    text = ""
    if selectors.body and (node := _select_one(soup, selectors.body)):
        body_html = str(node)
        text = _paragraphs(node)
    else:
        text = (
            trafilatura.extract(
                html, url=url, include_comments=False, include_tables=True, favor_recall=True
            )
            or ""
        )
        body_html = "".join(
            f"<p>{htmllib.escape(line)}</p>" for line in text.splitlines() if line.strip()
        )
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and title and lines[0] == title.strip():
        lines = lines[1:]
    while (
        lines
        and len(lines[0]) < 80
        and (_DATE_LINE.search(lines[0]) or _SOURCE_LINE.search(lines[0]))
    ):
        lines = lines[1:]
    text = "\n".join(lines)
    return ExtractedArticle(
        title=title,
        published_at=_published(soup, selectors, tz, now),
        text=text.strip(),
        html=sanitize_html(body_html),
        source_line=_source_line(soup),
    )
