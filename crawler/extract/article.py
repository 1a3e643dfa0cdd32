"""Article extraction: title, publish time, body text and the page's own 来源 line.

Order of evidence, most trusted first: configured selectors; the government meta
set (``ArticleTitle``, ``PubDate``, ``ContentSource``; sites.md §C9); the body
containers of the CMS families these sites run on (TRS ``div.TRS_Editor``, Hanweb
``#zoom``, gov.cn ``#UCAP-CONTENT``, Xinhua ``#detailContent``/``#p-detail`` …;
sites.md §C), then an id named like one (``article__content``); the visible info
line (``发布时间：… 来源：…``); and trafilatura for the body of pages that match no
known container. A body from trafilatura or a generic container is narrowed to
readability-lxml's main block when that block is a strict subset of it
(``readable.py``); related/recommended feeds, share and support boxes, readers'
comments, hidden elements, video-player chrome and Read-more teasers are cut from
every body, a body ends at a feed's or the comments' heading (相关阅读, 网友评论,
跟贴 19), and platform disclaimers go unless they are the page. Which lines are page
template is one vocabulary, ``xinqu/boilerplate.py``, shared with dedupe. A
``<title>`` that only names the site gives way to the headline the page shows
(``headline.py``), and so does an ``og:title`` worded otherwise than the page's h1.
``python -m bench.extract`` measures all of it against trafilatura on the real-page
sets.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, tzinfo
from urllib.parse import urljoin

import nh3
import trafilatura
from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PreformattedString, Script, Stylesheet, TemplateString

from crawler.extract.dates import has_time, parse_datetime
from crawler.extract.headline import is_site_title, lines_above, settle_headline
from crawler.extract.readable import readable_body
from crawler.extract.soup import attr
from crawler.extract.urldates import date_in_url
from xinqu.boilerplate import DISCLAIMER, TAIL_HEADING, TEMPLATE_LINE
from xinqu.text import squeeze_spaces

#: Larger documents are cut here before parsing: no article needs more, and a
#: hostile page should not cost minutes.
MAX_HTML_CHARS = 2_000_000

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "sub",
    "sup",
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
    "figure",
    "figcaption",
}

#: Body containers of known CMS families, most specific first. Those marked ``True``
#: are generic names that sometimes mark a whole page column (see _paragraph_core).
BODY_CONTAINERS: tuple[tuple[str, bool], ...] = (
    (".TRS_Editor", False),  # TRS WCM (older)
    (".TRS_UEDITOR", False),  # TRS WCM (newer)
    (".trs_editor_view", False),
    ("#UCAP-CONTENT", False),  # 中国政府网 and the many sites that copy it
    (".pages_content", False),
    ("#zoom", False),  # Hanweb 大汉 jcms
    ("#ivs_content", False),  # Hanweb information-disclosure pages
    ("#vsb_content", False),  # VSB (博达) site group
    ("#detailContent", False),  # Xinhua CMS (news.cn)
    ("#p-detail", False),  # Xinhua CMS (old)
    (".rm_txt_con", False),  # People's Daily CMS
    ("#Content", True),
    (".article-body", True),
    (".article-content", True),
    (".article_content", True),
    ("#article_content", True),
    (".articleCont", True),
    ("#articleContent", True),
    ("#content", True),
)
#: A container with less text than this is a stub (an image caption, an empty shell).
MIN_CONTAINER_CHARS = 40

_DROP_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "svg",
    "canvas",
    "select",
    "option",
    "button",
    "input",
    "textarea",
    "head",
    "video",
    "audio",
}
_BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "aside",
    "nav",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "caption",
    "blockquote",
    "pre",
    "center",
    "figure",
    "figcaption",
    "address",
    "hr",
    "body",
    "html",
}
_CELL_TAGS = {"td", "th"}
_TEXT_TYPES_EXCLUDED = (PreformattedString, Script, Stylesheet, TemplateString)
_SPACES = re.compile(r"[\s\u00a0\u3000\u2000-\u200b\u202f\u205f\ufeff]+")
_BODY_MARK = "\x00body\x00"

_SOURCE_LABEL = re.compile(
    r"(?<![图片照])(?:信息来源|文章来源|稿件来源|新闻来源|内容来源|来源于|来源)\s*[:：]\s*"
)
_SOURCE_STOP = re.compile(
    r"(?:作者|责任编辑|编辑|责编|记者|通讯员|浏览次数|浏览|点击数|点击量|点击|阅读数|阅读量|阅读|"
    r"字号|发布时间|发布日期|发布|时间|日期|分享|打印|审核|摄影)\s*[:：]"
)
_SOURCE_STRIP = " \t:：,，;；·•|｜()（）[]【】「」<>《》"
_DATE_LABEL = re.compile(
    r"(?:发布时间|发布日期|发表时间|发稿时间|发文日期|更新时间|时间|日期)\s*[:：]\s*"
)
_PRIMARY_DATE_LABEL = re.compile(r"发布时间|发布日期|发表时间|发稿时间")
_TEASER_END = re.compile(
    r"(?:\bRead (?:more|the full (?:story|article))|\bContinue reading|阅读全文|查看全文|全文阅读|"
    r"[\[【(（]\s*(?:详细|全文|详情)\s*[\]】)）])\s*[>›»…]*$",
    re.I,
)
#: A line of a video player's chrome: nothing but its controls, time codes and rates
#: (``时长 02:15``, ``倍速 1.0x``, ``高清 超清``, ``Play Video 0:00 / 2:54``).
_PLAYER_LINE = re.compile(
    r"^(?:\s|[/|:：·-]|时长|倍速|倍数|清晰度|高清|超清|标清|蓝光|流畅|原画|自动|全屏|退出全屏|网页全屏|"
    r"画中画|小窗|播放|暂停|重播|重新播放|静音|音量|弹幕|关闭弹幕|开启弹幕|正在播放|加载中|视频加载中|"
    r"Play(?:\s*Video)?|Pause|Replay|Mute|Unmute|Volume|Full\s*screen|Exit\s*full\s*screen|"
    r"Picture-in-Picture|Playback\s*Rate|Current\s*Time|Duration|Remaining\s*Time|Loaded|Progress|"
    r"Captions?|Subtitles?|Chapters|Descriptions?|off|selected|LIVE|"
    r"\d{1,2}:\d{2}(?::\d{2})?|[xX×]?\d(?:\.\d{1,2})?\s*[xX×倍]|\d{1,3}(?:\.\d+)?%|\d{3,4}[pP])+$",
    re.I,
)
_PLAYER_WORD = re.compile(r"[\u4e00-\u9fff]{2}|[A-Za-z]{3}|\d:\d\d")
_PROMO = re.compile(
    r"\bnewsletters?\b|\bsign up (?:for|to)\b|delivered (?:straight |right )?to your inbox|"
    r"\bunsubscribe\b|real-time updates from|"
    r"扫码关注|扫描二维码关注|长按(?:识别)?二维码|关注(?:我们的)?(?:微信)?公众号|下载\S{0,8}客户端|点击下载\S{0,6}APP",
    re.I,
)
_AD_CARD = re.compile(
    r"^(?:广告(?!业|主|法|费|牌)|[×✕✖]$|Advertisement$|ADVERTISEMENT$|Sponsored$)"
)
_DANGLING_EDITOR = re.compile(r"(?:责任编辑|责编|编辑)\s*[:：]\s*$")
_COUNTER = re.compile(r"^[+＋]\d{1,4}$")  # a like button's "+1"
#: Lines longer than this are prose, never boilerplate or an info line.
_SHORT_LINE = 60
_TITLE_SPLIT = re.compile(r"\s*(?:__?|\s[-–—|]\s|--|\||｜)\s*")
_SITE_NAME = re.compile(
    r"(?:网|网站|门户|政府|新区|频道|客户端|报|\.(?:com|cn|net|org)\w*)\s*$", re.I
)
_TITLE_MARK = re.compile(r"title|tit\b|biaoti|headline|heading", re.IGNORECASE)
_TIME_CLASS = re.compile(r"(?:^|[-_\s])(?:h-)?(?:pub-?)?(?:time|date)|pubtime|publish", re.I)
#: A date with its year, either way round (``2005年1月2日``, ``9/17/2004``).
_YEAR_DATE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]|\d{1,2}/\d{1,2}/(?:19|20)\d{2}|"
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+"
    r"(?:19|20)\d{2}|\b\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\s+(?:19|20)\d{2}"
)
_TAGS = re.compile(r"<[^>]{0,200}>")
_SCRIPT_TEXT = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
#: Scripts, styles and comments before ``<!DOCTYPE>``/``<html>``: lxml opens <head> for
#: them and then keeps the whole page inside it, where nothing counts as text.
_LEADING_SCRIPTS = re.compile(
    r"^\s*(?:(?:<(script|style)\b.*?</\1\s*>|<!--.*?-->)\s*)+(?=<(?:!doctype|html|head)\b)",
    re.IGNORECASE | re.DOTALL,
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
    #: Where the body came from: "selector", a container such as "#zoom", "trafilatura" or "".
    body_from: str = field(default="", compare=False)

    def as_dict(self) -> dict[str, str | None]:
        """The stable JSON shape of ``xinqu extract --format json`` (product.md)."""
        data = asdict(self)
        return {
            "title": data["title"],
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "text": data["text"],
            "source_line": data["source_line"],
        }

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)


def _walk_text(node: Tag, skip: Tag | None = None) -> Iterator[str]:
    """The text of ``node`` with a newline at every block boundary (iterative: deep
    markup must not hit the recursion limit). ``skip`` is replaced by a marker line."""
    stack: list[tuple[object, bool]] = [(node, False)]
    while stack:
        item, closing = stack.pop()
        if isinstance(item, NavigableString):
            if not isinstance(item, _TEXT_TYPES_EXCLUDED):
                yield str(item)
            continue
        if not isinstance(item, Tag):
            continue
        name = item.name
        if closing:
            if name in _BLOCK_TAGS:
                yield "\n"
            elif name in _CELL_TAGS:
                yield " "
            continue
        if item is skip:
            yield f"\n{_BODY_MARK}\n"
            continue
        if name in _DROP_TAGS:
            continue
        if name == "br":
            yield "\n"
            continue
        if name in _BLOCK_TAGS:
            yield "\n"
        stack.append((item, True))
        stack.extend((child, False) for child in reversed(item.contents))


def text_lines(node: Tag, skip: Tag | None = None) -> list[str]:
    """Non-empty, whitespace-normalised lines of ``node``'s visible text."""
    lines = (squeeze_spaces(line) for line in "".join(_walk_text(node, skip)).split("\n"))
    return [line for line in lines if line]


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    wanted = [n.lower() for n in names]
    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = str(tag.get("name") or tag.get("property") or tag.get("itemprop") or "").lower()
        content = squeeze_spaces(str(tag.get("content") or ""))
        if key in wanted and content and key not in found:
            found[key] = content
    return next((found[n] for n in wanted if n in found), None)


def _select_one(soup: BeautifulSoup, selector: str) -> Tag | None:
    try:
        if not selector.startswith("/"):
            return soup.select_one(selector)
        from lxml import html as lxml_html

        tree = lxml_html.fromstring(str(soup))
        found = tree.xpath(selector)
    except Exception:  # A bad selector from config must not kill the crawl of a page.
        return None
    if not found:
        return None
    node = found[0]
    fragment = node if isinstance(node, str) else lxml_html.tostring(node, encoding="unicode")
    return BeautifulSoup(f"<div>{fragment}</div>", "lxml").div


def sanitize_html(fragment: str, base_url: str = "") -> str:
    """Crawled HTML reduced to a safe subset: no scripts, styles, handlers or frames;
    links and images made absolute against ``base_url``."""
    if base_url:
        fragment = re.sub(
            r"""(\s(?:href|src)\s*=\s*)(["'])(.*?)\2""",
            lambda m: f"{m[1]}{m[2]}{_absolute(base_url, m[3])}{m[2]}",
            fragment,
        )
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes={"a": {"href"}, "img": {"src", "alt"}, "td": {"colspan", "rowspan"}},
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer",
    ).strip()


def _absolute(base: str, link: str) -> str:
    try:
        return urljoin(base, link.strip())
    except ValueError:
        return link


def _bigrams(text: str) -> Counter[str]:
    text = _SPACES.sub("", text)
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def bigram_precision_recall(candidate: str, reference: str) -> tuple[float, float]:
    """Character-bigram precision and recall of ``candidate`` against ``reference``."""
    got, want = _bigrams(candidate), _bigrams(reference)
    overlap = sum((got & want).values())
    if not overlap:
        return 0.0, 0.0
    return overlap / sum(got.values()), overlap / sum(want.values())


def bigram_f1(candidate: str, reference: str) -> float:
    """Character-bigram F1 of two texts, whitespace ignored: how extraction is scored."""
    precision, recall = bigram_precision_recall(candidate, reference)
    if not precision + recall:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def _plain(text: str) -> str:
    """A title-ish string from a meta tag or <title>: no markup, no scripts, one line."""
    return squeeze_spaces(_TAGS.sub(" ", _SCRIPT_TEXT.sub(" ", text)))


# -- title ---------------------------------------------------------------------------------


def _strip_site_name(title: str, page_lines: list[str]) -> str:
    """``标题_栏目_网站名`` → ``标题``. A bare hyphen (``标题-中国科普网``) splits only when
    the remainder names a site, or when the head stands alone as a line of the page."""
    parts = [p for p in _TITLE_SPLIT.split(title) if p.strip()]
    if len(parts) > 1:
        return parts[0] if len(parts[0]) >= 4 else max(parts, key=len)
    head, dash, tail = title.rpartition("-") if "-" in title else title.rpartition("－")
    if dash and len(head) >= 4 and (_SITE_NAME.search(tail) or head.strip() in page_lines):
        return head.strip()
    return title


def _headline_after_site_name(title: str, page_lines: list[str]) -> str | None:
    """``网站名 - 标题``: the site's name first, the headline the later part that the
    page shows as a line of its own (the first part does not stand alone)."""
    parts = [p.strip() for p in _TITLE_SPLIT.split(title) if p.strip()]
    if len(parts) < 2 or parts[0] in page_lines:
        return None
    return next((p for p in parts[1:] if len(p) >= 4 and p in page_lines), None)


def _title_candidates(soup: BeautifulSoup) -> Iterator[Tag]:
    yield from soup.find_all(["h1", "h2"])
    for tag in soup.find_all(True, attrs={"class": True}):
        if _TITLE_MARK.search(attr(tag, "class")):
            yield tag
    yield from soup.find_all(True, id=_TITLE_MARK)
    yield from soup.find_all("h3")


def _title(
    soup: BeautifulSoup,
    selectors: ArticleSelectors,
    page_lines: list[str],
    shared_titles: Collection[str],
) -> tuple[str, bool]:
    """The article's title, a stray space before 年/月/日 removed (``2007 年末``), and
    whether it came from the page's own headline markup (else from ``<title>``)."""
    title, trusted = _raw_title(soup, selectors, page_lines, shared_titles)
    return re.sub(r"(?<=\d) (?=[年月日])", "", title), trusted


def _headline_elements(soup: BeautifulSoup, page_title: str) -> Iterator[str]:
    """Texts of headline markup (h1, h2, ``.title`` …) that are not the ``<title>``
    itself nor a link (a logo, a menu entry)."""
    for tag in _title_candidates(soup):
        if tag.find_parent(list(_DROP_TAGS)) is not None or tag.find_parent("a"):
            continue
        text = squeeze_spaces(" ".join(text_lines(tag)))
        if 6 <= len(text) <= 120 and text != page_title:
            yield text


def _shown_headline(soup: BeautifulSoup, social: str) -> str | None:
    """The page's one ``<h1>`` when it words the headline otherwise than the social
    title (``og:title`` is often rewritten for sharing); None when there is no single
    such h1, or one of the two holds the other (a column or site name, an edit link)."""
    headings = [
        squeeze_spaces(" ".join(text_lines(tag)))
        for tag in soup.find_all("h1")
        if tag.find_parent("a") is None and tag.find_parent(list(_DROP_TAGS)) is None
    ]
    headings = [text for text in headings if 6 <= len(text) <= 120]
    if len(headings) != 1 or headings[0] in social or social in headings[0]:
        return None
    return None if is_site_title(headings[0]) else headings[0]


def _raw_title(
    soup: BeautifulSoup,
    selectors: ArticleSelectors,
    page_lines: list[str],
    shared_titles: Collection[str],
) -> tuple[str, bool]:
    if selectors.title and (node := _select_one(soup, selectors.title)):
        return squeeze_spaces(node.get_text(" ")), True
    meta = _meta(soup, "ArticleTitle")
    if meta:
        return _plain(meta), True
    meta = _meta(soup, "og:title", "twitter:title")
    if meta:
        whole = _plain(meta)
        # "两万字长文 | 月亮的100个故事": a separator inside a headline the page shows whole.
        shown_whole = any(
            squeeze_spaces(tag.get_text(" ")) == whole for tag in soup.find_all(["h1", "h2"])
        )
        social = whole if shown_whole else _strip_site_name(whole, page_lines)
        return _shown_headline(soup, social) or social, True
    page_title = _plain(soup.title.get_text(" ")) if soup.title else ""
    if page_title and is_site_title(page_title, shared_titles):
        found = next(_headline_elements(soup, page_title), None)
        return (found, True) if found else (page_title, False)
    best = ""
    first_h1 = ""
    for tag in _title_candidates(soup):
        if tag.find_parent(list(_DROP_TAGS)) is not None:
            continue
        text = squeeze_spaces(" ".join(text_lines(tag)))
        if not 4 <= len(text) <= 200:
            continue
        if page_title and text in page_title and len(text) > len(best):
            best = text
        if not first_h1 and tag.name == "h1" and not tag.find_parent("a"):
            first_h1 = text
    stripped = _strip_site_name(page_title, page_lines) if page_title else ""
    if best and (len(best) >= 8 or best == stripped):
        return best, True
    # <title> may name only the column ("新区要闻_西咸新区"); unless the page shows it
    # as a line of its own, the page's <h1> is then the better title.
    if len(first_h1) >= 6 and first_h1 not in page_title and stripped not in page_lines:
        return first_h1, True
    if page_title and (shown := _headline_after_site_name(page_title, page_lines)):
        return shown, True
    if stripped:
        return stripped, False
    return (best or first_h1), bool(best or first_h1)


# -- body ----------------------------------------------------------------------------------


def _text_len(node: Tag) -> int:
    return sum(len(line) for line in text_lines(node))


def _paragraph_core(node: Tag, total: int) -> Tag:
    """The element inside a layout-sized container that holds its paragraphs.

    Generic names (``.article-content``, ``#content``) sometimes mark a whole page
    column with comments and related links; the article is then the one descendant
    whose own ``<p>`` children carry most of the container's paragraph text (half of
    it, or a third and three times as much as any other paragraph parent).
    """
    paragraph_text: Counter[int] = Counter()
    parents: dict[int, Tag] = {}
    for para in node.find_all("p"):
        parent = para.parent
        if parent is None:
            continue
        length = len(squeeze_spaces(para.get_text(" ")))
        paragraph_text[id(parent)] += length
        parents[id(parent)] = parent
    all_paragraphs = sum(paragraph_text.values())
    if not paragraph_text:
        return node
    ranked = paragraph_text.most_common(2)
    best_id, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    core = parents[best_id]
    dominant = best >= 0.5 * all_paragraphs or (
        best >= 0.3 * all_paragraphs and best >= 3 * runner_up
    )
    if core is node or not dominant or total <= 1.2 * _text_len(core):
        return node
    return core


#: An id that names an article's text the way CMSs spell it: ``article__content``,
#: ``post-body``, ``news_text``, ``detail-content`` … (treated like a generic container).
_CONTENT_NAME = re.compile(
    r"^(?:article|post|entry|news|detail|story|arti|text)[-_]*(?:content|body|text|txt|detail)$",
    re.I,
)
_NAMED_CONTAINER = "[id~=content]"
#: Class or id words of the blocks a body container holds beside the article.
_ASIDE_NAME = re.compile(
    r"(?:^|[-_\s])(?:related|relevant|recommend\w*|more-?(?:news|stories|articles)|"
    r"read-?more|newsletter|subscri\w*|promo\w*|support|donat\w*|share|sharing|social|"
    r"comments?|sidebar|advert\w*|sponsor\w*|xgyd|xgxw|xgwz|tuijian|remen|hotnews|"
    r"tie|tie-?areas?|gentie|pinglun|replies|discuss\w*|statement|disclaimer|"
    r"vjs|video-?js|xgplayer|dplayer|plyr|txp|tcplayer|prism-player|control-?bar)(?:$|[-_\s])",
    re.I,
)
_HIDDEN_CLASSES = {"hidden", "hide", "d-none", "display-none", "visually-hidden", "sr-only"}
_GENERIC = dict(BODY_CONTAINERS) | {_NAMED_CONTAINER: True}
#: readability's body replaces ours only when this much of its text is in ours
#: (character bigrams) and it keeps at least this share of ours.
NARROWER_PRECISION = 0.99
NARROWER_MIN_RECALL = 0.4


def _narrower(candidate: list[str], lines: list[str]) -> bool:
    """Whether ``candidate`` is ``lines`` with only something cut away (a column, a feed)."""
    text = "\n".join(candidate)
    if len(_SPACES.sub("", text)) < MIN_CONTAINER_CHARS:
        return False
    precision, recall = bigram_precision_recall(text, "\n".join(lines))
    return precision >= NARROWER_PRECISION and recall >= NARROWER_MIN_RECALL


def _containers_by_selector(soup: BeautifulSoup) -> dict[str, list[Tag]]:
    """Every element a ``BODY_CONTAINERS`` selector (all ``#id`` or ``.class``) matches,
    in document order, gathered in one walk rather than one CSS query per selector."""
    found: dict[str, list[Tag]] = {}
    for tag in soup.find_all(True, attrs={"id": True}):
        found.setdefault(f"#{tag.get('id')}", []).append(tag)
    for tag in soup.find_all(True, attrs={"class": True}):
        for name in tag.get("class") or []:
            found.setdefault(f".{name}", []).append(tag)
    return found


def _container(soup: BeautifulSoup) -> tuple[Tag, str] | None:
    candidates = _containers_by_selector(soup)
    for selector, generic in BODY_CONTAINERS:
        for node in candidates.get(selector, []):
            total = _text_len(node)
            if total >= MIN_CONTAINER_CHARS:
                return (_paragraph_core(node, total) if generic else node), selector
    for node in soup.find_all(id=_CONTENT_NAME):
        total = _text_len(node)
        if total >= MIN_CONTAINER_CHARS:
            return _paragraph_core(node, total), _NAMED_CONTAINER
    return None


def _is_boilerplate(line: str) -> bool:
    return len(line) <= _SHORT_LINE and bool(TEMPLATE_LINE.search(line))


def _is_info_line(line: str) -> bool:
    return len(line) <= _SHORT_LINE * 2 and bool(
        _SOURCE_LABEL.search(line) or _DATE_LABEL.search(line)
    )


def _is_promo(line: str) -> bool:
    """A newsletter, app or follow-us prompt, or an inline ad card's label or close box."""
    if len(line) <= 4 * _SHORT_LINE and _PROMO.search(line):
        return True
    return len(line) <= 40 and bool(_AD_CARD.match(line)) and not line.endswith("。")


def _is_player_chrome(line: str) -> bool:
    return (
        len(line) <= _SHORT_LINE
        and bool(_PLAYER_LINE.match(line))
        and bool(_PLAYER_WORD.search(line))
    )


def _is_disclaimer(line: str) -> bool:
    return len(line) <= 4 * _SHORT_LINE and bool(DISCLAIMER.search(line))


def _drop_boilerplate(lines: list[str]) -> list[str]:
    kept: list[str] = []
    skip_name = False
    for line in lines:
        if skip_name and len(line) <= 12:  # the name after a dangling "责任编辑："
            skip_name = False
            continue
        skip_name = len(line) <= _SHORT_LINE and bool(_DANGLING_EDITOR.search(line))
        if _is_disclaimer(line) or not (
            skip_name
            or _is_boilerplate(line)
            or _COUNTER.match(line)
            or _is_player_chrome(line)
            or _is_promo(line)
        ):
            kept.append(line)
    notices = sum(len(line) for line in kept if _is_disclaimer(line))
    if notices > 0.5 * sum(map(len, kept)):
        return kept  # the page is a disclaimer or a legal notice: those lines are its text
    return [line for line in kept if not _is_disclaimer(line)]


def _cut_tail(lines: list[str]) -> list[str]:
    """A body ends where the page goes on to other stories or to readers' comments:
    a heading line such as ``相关阅读``, ``猜你喜欢``, ``网友评论``, ``跟贴 19``, once a
    quarter of the body's text stands above it."""
    total = sum(map(len, lines))
    above = 0
    for at, line in enumerate(lines):
        if at and above >= 0.25 * total and len(line) <= 20 and TAIL_HEADING.search(line):
            return lines[:at]
        above += len(line)
    return lines


def _drop_teasers(lines: list[str]) -> list[str]:
    """A feed of other stories inside the body: two or more lines that each end in a
    "Read more"/"阅读全文" link are teasers, not the article."""
    teasers = [line for line in lines if _TEASER_END.search(line)]
    if len(teasers) < 2:
        return lines
    return [line for line in lines if not _TEASER_END.search(line)]


def _clean_body(lines: list[str], title: str) -> list[str]:
    lines = _drop_teasers(_drop_boilerplate(_cut_tail(lines)))
    # A title the page repeats in the body, broken over up to four lines.
    squeezed = _SPACES.sub("", title)
    for count in range(2, 5):
        if squeezed and _SPACES.sub("", "".join(lines[:count])) == squeezed:
            lines = lines[count:]
            break
    # Title and info lines that a container or trafilatura took along at the top.
    while lines and (
        (title and (lines[0] == title or (len(lines[0]) <= len(title) + 8 and title in lines[0])))
        or _is_info_line(lines[0])
        or (len(lines[0]) <= 30 and parse_datetime(lines[0], UTC) is not None)
    ):
        lines = lines[1:]
    while lines and _DATE_LABEL.search(lines[-1]) and len(lines[-1]) <= _SHORT_LINE:
        lines = lines[:-1]
    return lines


#: A byline or date label that ends a body's header block (not a bare 时间/日期: a
#: notice's 时间：… 地点：… lines are its content).
_BYLINE = re.compile(
    r"^[\[【(（]?\s*(?:作者|译者?|记者|来源|文章来源|信息来源|发布时间|发布日期|发表时间|发稿时间)\s*[:：]"
)
#: How many short lines above the prose may form a header block.
HEADER_BLOCK_LINES = 8


def _header_end(lines: list[str]) -> int:
    """How many lines at the top of a body are its header: the short lines above the
    first paragraph (column links, the headline, 作者/译/来源 lines, a date) ending in a
    byline or a date line; 0 when the body opens with its prose. Its date is evidence;
    its lines stay in the text (short opening lines are as often a poem or a list)."""
    end = 0
    for at, line in enumerate(lines[: HEADER_BLOCK_LINES + 1]):
        if len(line) > _SHORT_LINE or at == HEADER_BLOCK_LINES:
            break
        dated = len(line) <= 30 and bool(_YEAR_DATE.search(line))
        if _BYLINE.search(line) or (dated and parse_datetime(line, UTC) is not None):
            end = at + 1
    return end if end < len(lines) else 0


def _is_hidden(tag: Tag) -> bool:
    style = str(tag.get("style") or "").replace(" ", "").lower()
    classes = {c.lower() for c in tag.get("class") or []}
    return (
        tag.has_attr("hidden")
        or "display:none" in style
        or "visibility:hidden" in style
        or bool(classes & _HIDDEN_CLASSES)
    )


def _drop_asides(node: Tag) -> None:
    """Drop what a body container holds beside the article: hidden elements, and blocks
    named as related/recommended feeds, share bars, newsletter or support boxes —
    unless such a block holds most of the container's text (then the name lies, or a
    script reveals the article itself later)."""
    total = _text_len(node)
    for tag in node.find_all(True):
        if tag.decomposed:
            continue
        marker = " ".join([*(tag.get("class") or []), str(tag.get("id") or "")])
        named = bool(marker) and bool(_ASIDE_NAME.search(marker))
        if (named or _is_hidden(tag)) and _text_len(tag) <= 0.5 * total:
            tag.decompose()


def _prune(node: Tag) -> None:
    """Drop scripts, styles and boilerplate leaves (``责任编辑：…``, ``【打印本页】``) from a
    body container. One bottom-up pass: text sizes and "holds a block" flags are summed
    from the children, so huge containers stay linear."""
    for tag in node.find_all(list(_DROP_TAGS)):
        tag.decompose()
    _drop_asides(node)
    tags = node.find_all(True)
    size: dict[int, int] = {}
    holds_block: dict[int, bool] = {}
    for tag in reversed(tags):
        length = 0
        block = False
        for child in tag.children:
            if isinstance(child, Tag):
                length += size.get(id(child), 0)
                block = block or holds_block.get(id(child), False) or child.name in _BLOCK_TAGS
            elif isinstance(child, NavigableString) and not isinstance(child, _TEXT_TYPES_EXCLUDED):
                length += len(child.strip())
        size[id(tag)] = length
        holds_block[id(tag)] = block
    for tag in tags:
        if holds_block[id(tag)] or not 0 < size[id(tag)] <= _SHORT_LINE * 2:
            continue
        text = squeeze_spaces(tag.get_text(" "))
        # A feed's heading (相关阅读) stays: the body is cut there, with what follows it.
        # Disclaimers are judged on the body's lines, where a disclaimer page is seen whole.
        if _is_boilerplate(text) and not (TAIL_HEADING.search(text) or DISCLAIMER.search(text)):
            tag.decompose()


def _trafilatura_body(html: str, url: str) -> tuple[list[str], str]:
    try:
        result = trafilatura.extract(
            html,
            url=url or None,
            output_format="html",
            include_comments=False,
            include_tables=True,
            include_images=False,
            favor_precision=True,
        )
    except Exception:  # trafilatura's own parser failures: no body rather than no article.
        result = None
    if not result:
        return [], ""
    fragment = BeautifulSoup(result, "lxml")
    body = fragment.body or fragment
    for tag in body.find_all("h1"):
        tag.decompose()
    return text_lines(body), "".join(str(child) for child in body.children)


# -- publish time and source ---------------------------------------------------------------


def _date_from_lines(lines: list[str], tz: tzinfo, now: datetime | None) -> datetime | None:
    """The date after a 发布时间/发布日期 label, else after a bare 时间/日期 label."""
    for primary in (True, False):
        for line in lines:
            if len(line) > _SHORT_LINE * 3:
                continue
            for match in _DATE_LABEL.finditer(line):
                if primary and not _PRIMARY_DATE_LABEL.match(match[0]):
                    continue
                value = parse_datetime(line[match.end() :][:40], tz, now)
                if value is not None:
                    return value
    return None


def _date_nodes(soup: BeautifulSoup, skip: Tag | None) -> Iterator[str]:
    for tag in soup.find_all(["span", "div", "em", "i", "p", "time", "li", "td", "font"]):
        marker = " ".join([attr(tag, "class"), attr(tag, "id")]).strip()
        if tag.name == "time" or (marker and _TIME_CLASS.search(marker)):
            if skip is not None and any(parent is skip for parent in tag.parents):
                continue
            text = squeeze_spaces(attr(tag, "datetime") or tag.get_text(" "))
            if 6 <= len(text) <= 60:
                yield text


def _published(
    soup: BeautifulSoup,
    selectors: ArticleSelectors,
    info_lines: list[str],
    body: Tag | None,
    tz: tzinfo,
    now: datetime | None,
) -> datetime | None:
    if selectors.date and (node := _select_one(soup, selectors.date)):
        found = parse_datetime(node.get_text(" ", strip=True), tz, now)
        if found is not None:
            return found
    meta = _meta(
        soup,
        "PubDate",
        "publishdate",
        "firstpublishedtime",
        "article:published_time",
        "og:release_date",
        "pubtime",
        "publishtime",
        "datePublished",
        "dateCreated",
        "dc.date",
    ) or _linked_data_date(soup)
    from_meta = parse_datetime(meta, tz, now) if meta else None
    if from_meta is not None and has_time(meta or ""):
        return from_meta
    visible = _visible_date(soup, info_lines, body, tz, now)
    if from_meta is None:
        modified = _modified_date(soup, tz, now)
        if visible is None or modified is None:
            return visible or modified
        if (visible.month, visible.day) == (modified.month, modified.day):
            return visible.replace(year=modified.year)  # a yearless 09-30: its year
        return visible
    if visible is not None and visible.date() == from_meta.date():
        return visible
    return from_meta


def _modified_date(soup: BeautifulSoup, tz: tzinfo, now: datetime | None) -> datetime | None:
    """The last resort when a page shows no publication date a parser can read: the
    date it was last changed (schema.org ``dateModified``, Baidu's ``dateUpdate``,
    ``article:modified_time``), which on news pages is nearly always the day it appeared."""
    meta = _meta(soup, "dateModified", "dateUpdate", "article:modified_time", "lastmodified")
    return parse_datetime(meta, tz, now) if meta else None


_LD_PUBLISHED = re.compile(r'"datePublished"\s*:\s*"([^"]{6,40})"')


def _linked_data_date(soup: BeautifulSoup) -> str | None:
    """``datePublished`` of the page's JSON-LD (schema.org NewsArticle), read as text:
    many sites put their only machine-readable date there, and often invalid JSON."""
    for script in soup.find_all("script", type="application/ld+json"):
        if match := _LD_PUBLISHED.search(script.string or ""):
            return match[1]
    return None


def _visible_date(
    soup: BeautifulSoup, info_lines: list[str], body: Tag | None, tz: tzinfo, now: datetime | None
) -> datetime | None:
    labelled = _date_from_lines(info_lines, tz, now)
    if labelled is not None:
        return labelled
    for line in info_lines[:12]:  # the lines next to the body: its info line
        if len(line) <= _SHORT_LINE and _YEAR_DATE.search(line):
            found = parse_datetime(line, tz, now)
            if found is not None:
                return found
    for text in _date_nodes(soup, body):
        if (found := parse_datetime(text, tz, now)) is not None and re.search(r"\d{4}", text):
            return found
    for line in info_lines:
        if len(line) <= _SHORT_LINE and _YEAR_DATE.search(line):
            found = parse_datetime(line, tz, now)
            if found is not None:
                return found
    return None


def clean_source(value: str) -> str | None:
    """A 来源 value without its label and the noise that follows it on the same line."""
    value = squeeze_spaces(value)
    value = _SOURCE_LABEL.sub("", value, count=1) if _SOURCE_LABEL.match(value) else value
    if value.startswith(("|", "｜")):  # "来源: | 发布时间: …": the field is empty
        return None
    stop = _SOURCE_STOP.search(value)
    if stop:
        value = value[: stop.start()]
    value = re.split(r"\s|[|｜【\[]", value.strip(_SOURCE_STRIP), maxsplit=1)[0]
    value = value.strip(_SOURCE_STRIP)
    if len(value) < 2 or parse_datetime(value, UTC) is not None:
        return None
    return value


def _source_from_lines(lines: list[str]) -> str | None:
    for line in lines:
        if len(line) > _SHORT_LINE * 3:
            continue
        for match in _SOURCE_LABEL.finditer(line):
            value = clean_source(line[match.end() :])
            if value:
                return value
    return None


def _source_line(soup: BeautifulSoup, info_lines: list[str], body_lines: list[str]) -> str | None:
    meta = _meta(soup, "ContentSource")
    if meta and (value := clean_source(meta)):
        return value
    found = _source_from_lines(info_lines)
    if found:
        return found
    meta = _meta(soup, "source", "og:site_name:source")
    if meta and (value := clean_source(meta)):
        return value
    # An info line the body took along at its top, or a closing "（来源：…）".
    ends = [line for line in body_lines[:5] + body_lines[-3:] if len(line) <= _SHORT_LINE]
    return _source_from_lines(ends)


# -- the whole page ------------------------------------------------------------------------


def _join_dangling_labels(lines: list[str]) -> list[str]:
    """``来源：`` / ``发布时间：`` alone on a line take the next (short) line as their value."""
    out: list[str] = []
    carry = ""
    for line in lines:
        if carry and line != _BODY_MARK and len(line) <= _SHORT_LINE:
            out[-1] = f"{carry} {line}"
            carry = ""
            continue
        carry = ""
        out.append(line)
        if re.search(r"(?:来源|来源于|时间|日期)\s*[:：]$", line):
            carry = line
    return out


def _info_lines(page_lines: list[str], body_lines: list[str]) -> list[str]:
    """The page's lines outside the body, those just before the body first."""
    if _BODY_MARK in page_lines:
        at = page_lines.index(_BODY_MARK)
        before, after = page_lines[:at], page_lines[at + 1 :]
        return list(reversed(before[-40:])) + after[:40] + list(reversed(before[:-40]))
    body = set(body_lines)
    return [line for line in page_lines if line not in body or _is_info_line(line)]


def extract_article(
    html: str,
    url: str,
    *,
    tz: tzinfo,
    selectors: ArticleSelectors | None = None,
    now: datetime | None = None,
    shared_titles: Collection[str] = (),
) -> ExtractedArticle:
    """Extract one article page. Never raises on odd markup; missing fields are empty.

    ``shared_titles``: ``<title>`` texts other pages of the same site carry too (the
    spider may pass the ones it has seen); such a ``<title>`` names the site, never
    the article, so the page's headline markup or the line above its body wins.
    """
    selectors = selectors or ArticleSelectors()
    html = _LEADING_SCRIPTS.sub("", (html or "")[:MAX_HTML_CHARS], count=1)
    if not html.strip():
        return ExtractedArticle(title="", published_at=None, text="", html="", source_line=None)
    soup = BeautifulSoup(html, "lxml")
    body: Tag | None = None
    body_from = ""
    if selectors.body and (node := _select_one(soup, selectors.body)):
        body, body_from = node, "selector"
    elif found := _container(soup):
        body, body_from = found

    # The whole document, not soup.body: broken pages put content after a second <body>.
    page_lines = _join_dangling_labels(text_lines(soup, skip=body))
    title, trusted = _title(soup, selectors, page_lines, shared_titles)
    if body is not None:
        _prune(body)
        body_lines = text_lines(body)
        body_html = str(body)
    else:
        body_lines, body_html = _trafilatura_body(html, url)
        body_from = "trafilatura" if body_lines else ""
    cut_lines: list[str] = []
    if body_from == "trafilatura" or _GENERIC.get(body_from, False):
        narrower = readable_body(html, url)
        if narrower is not None:
            _prune(narrower)
            narrower_lines = text_lines(narrower)
            if _narrower(narrower_lines, body_lines):
                # What was cut (a date or 来源 line the container held) stays evidence.
                kept = set(narrower_lines)
                cut_lines = [line for line in body_lines if line not in kept]
                body_lines = narrower_lines
                body_html = "".join(str(child) for child in narrower.children)
                body_from = "readability"
    page_title = _plain(soup.title.get_text(" ")) if soup.title else ""
    above = lines_above(page_lines, body_lines, _BODY_MARK)
    title = settle_headline(title, trusted, page_title, above, "\n".join(body_lines), shared_titles)
    # Last resort for the date: a short dated line the body took along at its top.
    info = (
        cut_lines
        + _info_lines(page_lines, body_lines)
        + [
            line
            for line in body_lines[: max(6, _header_end(body_lines))]
            if len(line) <= 30 and _YEAR_DATE.search(line)
        ]
    )
    text_out = _clean_body(body_lines, title)
    if not text_out and (summary := _meta(soup, "og:description", "description")):
        # A video page whose only text is its description.
        text_out = [_plain(summary)]
    return ExtractedArticle(
        title=title,
        published_at=_published(soup, selectors, info, body, tz, now) or date_in_url(url, tz),
        text="\n".join(text_out),
        html=sanitize_html(body_html, url),
        source_line=_source_line(soup, info, body_lines),
        body_from=body_from,
    )
