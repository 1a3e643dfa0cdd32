"""The title an article is stored under: the page's full headline.

The extractor reads the title from the page alone. Two things on real sites
defeat that, and both are settled with the list's own title for the link:

- a ``<title>`` that is only the site's name (every page of the site says
  ``湘江新区管理委员会``) is not a headline, even when the page shows that name as
  a line of its own;
- list titles are often cut (to 22 characters, or with ``…``/``...``), so the list
  title cannot stand in for the headline either.

Rule: when the extracted title agrees with the list title (one a prefix of the
other, or nearly the same text) the extracted one is kept — it is the whole
headline. When it does not, and it reads as a site's name or the page shows a
headline element (``h1``–``h3``, ``.title``, ``ArticleTitle``, ``og:title``) that
the list title agrees with, that element's whole text is the headline. A list
title not cut short is the last resort.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace

from lxml import html as lxml_html
from lxml.etree import ParserError, _Element

from crawler.extract.article import ExtractedArticle
from crawler.extract.entries import ListEntry
from xinqu.config import Source

ELLIPSIS = re.compile(r"(?:\.{2,}|…+|。。。)\s*$")
#: A title that names an organisation or a site rather than a story.
SITE_LIKE = re.compile(
    r"(?:管理委员会|管委会|人民政府|政府网|门户网站?|官方网站|官网|网站|新区|新闻网|融媒体中心|"
    r"委员会|办公室|[^\s]{1,6}网)$"
)
_NOISE = re.compile(r"[\s\u3000\u00a0“”\"'‘’「」《》<>()（）:：,，。.!！?？、·|｜_\-—–]+")
_HEAD_TAGS = ("h1", "h2", "h3")
_HEAD_MARK = re.compile(r"title|tit\b|biaoti|headline|heading|\bbt\b", re.I)
AGREES = 0.6
MAX_LINE = 80
_SENTENCE = re.compile(r"[。；！？]")
_NOT_LINES = {"a", "title", "script", "style", "head", "html", "body"}
MAX_HEADLINE = 200


def norm(text: str) -> str:
    """A title without spaces or punctuation, for comparing two spellings of it."""
    return _NOISE.sub("", text or "")


def _bigrams(text: str) -> Counter[str]:
    return (
        Counter(text[i : i + 2] for i in range(len(text) - 1)) if len(text) > 1 else Counter(text)
    )


def similarity(a: str, b: str) -> float:
    """Dice overlap of character bigrams of two normalised titles (0..1)."""
    x, y = _bigrams(norm(a)), _bigrams(norm(b))
    total = sum(x.values()) + sum(y.values())
    return 2 * sum((x & y).values()) / total if total else 0.0


def is_cut(title: str) -> bool:
    return bool(ELLIPSIS.search(title or ""))


def agrees(headline: str, listed: str) -> bool:
    """Whether a page headline is the story a list title names (cut or not)."""
    h, core = norm(headline), norm(ELLIPSIS.sub("", listed or ""))
    if not h or not core:
        return False
    return h.startswith(core) or core.startswith(h) or similarity(h, core) >= AGREES


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


_SPLIT = re.compile(r"\s*(?:_|\||｜| - | — |--)\s*")
_INFO = re.compile(r"(?:发布|来源|时间|日期|作者|浏览|点击)\s*[:：]")


def _parts(text: str) -> list[str]:
    return [p for p in _SPLIT.split(_clean(text)) if p]


def _usable(texts: list[str]) -> list[str]:
    return [t for t in texts if 4 <= len(t) <= MAX_HEADLINE and not _INFO.search(t)]


def _outside_links(node: _Element) -> bool:
    return node.find(".//a") is None and not any(a.tag == "a" for a in node.iterancestors())


def _headings(root: _Element) -> Iterator[list[str]]:
    """Candidate headline texts of a page in tiers, most trusted first (each tier is
    only read when the ones before it hold nothing that agrees): the title metas,
    h1–h3 outside links, title-marked elements, the parts of ``<title>``, and last any
    short line of the page outside links that is not a sentence of the body."""
    metas = []
    for name in ("ArticleTitle", "og:title", "twitter:title"):
        for meta in root.xpath(f"//meta[@name='{name}' or @property='{name}']/@content"):
            metas.extend(_parts(str(meta)))
    yield _usable(metas)
    yield _usable([_clean(n.text_content()) for n in root.iter(*_HEAD_TAGS) if _outside_links(n)])
    marked = []
    for node in root.iter():
        if not isinstance(node.tag, str) or node.tag in ("a", "title", "script", "style", "meta"):
            continue
        marker = f"{node.get('class') or ''} {node.get('id') or ''}"
        if not _HEAD_MARK.search(marker) or node.find(".//a") is not None:
            continue
        if any(node.find(f".//{tag}") is not None for tag in _HEAD_TAGS):
            continue
        marked.append(_clean(node.text_content()))
    yield _usable(marked)
    yield _usable([p for t in root.xpath("//title/text()") for p in _parts(str(t))])
    lines = []
    for node in root.iter():
        if not isinstance(node.tag, str) or node.tag in _NOT_LINES or not _outside_links(node):
            continue
        text = _clean(node.text_content())
        if text and len(text) <= MAX_LINE and not _SENTENCE.search(text):
            lines.append(text)
    yield _usable(lines)


def _root(html: str) -> _Element | None:
    try:
        return lxml_html.fromstring(html) if html and html.strip() else None
    except (ParserError, ValueError):
        return None


def stored_title(extracted: str, listed: str, html: str, site_names: tuple[str, ...] = ()) -> str:
    """The headline to store for an article (see the module docstring).

    ``extracted``: the extractor's title; ``listed``: the link's title on the list
    page; ``html``: the article page; ``site_names``: names the source goes by.
    """
    extracted, listed = _clean(extracted or ""), _clean(listed or "")
    if not listed:
        return extracted
    if extracted and agrees(extracted, listed):
        longer = len(norm(extracted)) >= len(norm(ELLIPSIS.sub("", listed)))
        if longer or is_cut(listed):
            return extracted
    site_like = (
        not extracted
        or bool(SITE_LIKE.search(extracted))
        or any(norm(extracted) and norm(extracted) in norm(name) for name in site_names if name)
    )
    root = _root(html)
    for tier in _headings(root) if root is not None else []:
        matching = [h for h in tier if agrees(h, listed)]
        if matching:
            return max(
                matching, key=lambda h: (similarity(h, listed) if not is_cut(listed) else 0, len(h))
            )
    if extracted and not site_like:
        return extracted
    return listed if not is_cut(listed) else (extracted or listed)


def with_headline(
    article: ExtractedArticle, entry: ListEntry, html: str, source: Source
) -> ExtractedArticle:
    """The extracted article under its stored title (``stored_title``); a title the
    source configures (``title_selector``) is taken as given."""
    if source.title_selector:
        return article
    title = stored_title(article.title, entry.title, html, (source.site_name, source.area))
    return article if title == article.title else replace(article, title=title)
