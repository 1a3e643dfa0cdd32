"""Pagination rules, in one place: what is the next page of a list, what is a
continuation page of an article, and which links are never pagination.

**Never pagination**: a link labelled 上一篇/下一篇/上一条/下一条 (the neighbouring
*articles*), 首页/尾页/末页 and 上一页 (other pages, not the next one).

**The next page of a list**, evidence most trusted first:

1. a link labelled 下一页 (下页, 后一页, next, ›, », >>) or titled 下一页, a link or button
   going there by ``onclick="location.href='…'"``, one that calls a page function
   (``javascript:goPage(2)``, resolved through the URL that function builds:
   ``"list.jsp?catId=12&cp=" + n``), or one a script writes (``document.write('<a
   href="index_1.html">下一页</a>')``);
2. a pager script that names the total and the current page, which also says when
   there is no next page: TRS ``createPageHTML(total, current, "index", "html")``
   (second page ``index_1.html``) and its ``createPageHTML('page_div', total,
   current, 'list', 'shtml')`` variant (pages counted from 1); ``countPage`` /
   ``currentPage``; Hanweb's jpage ``totalRecord`` / ``perPage``; laypage's
   ``count`` / ``limit`` / ``curr``; ``_pageCount`` / ``_pageIndex`` and the
   other ``pageCount``/``totalPage`` + ``curPage``/``pageNo`` pairs (the next page by
   the URL's page parameter, the one the script pages by — ``"?pageNo=" + n`` — or
   the file the script names, ``'index_' + i + '.html'``);
3. numbered pager links that differ from this page's URL only by a page number
   (``index_1.html``, ``list_3_2.html``, ``12_2.html``, ``?page=2``,
   ``column-index-2.shtml``).

A JSON list API's next page is its page parameter plus one while the answer's page
count or row total says there is one (:func:`json_next_page`); a POST list API's is
its form's page field plus one (:func:`next_form`).

**A continuation page of an article**: only URLs shaped as a continuation of the
article's *first* page count — ``name_N.ext`` beside ``name.ext`` (TRS counts its
second page ``_1``) or the first page's URL with a page parameter — so links to
other articles, related news or a list's pager are never taken for it. Evidence:
TRS's inline pager (naming the first page's file), a 下一页 link, numbered links.

**When to follow**: a list's next page is read while the page before it gave a
link never seen, up to the source's ``max_pages`` (:func:`follow_list`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import html as lxml_html
from lxml.etree import ParserError, _Element

#: Query parameters that number a page (compared lower-cased).
PAGE_PARAMS = (
    "page",
    "pageno",
    "pagenum",
    "pageindex",
    "currpage",
    "cur_page",
    "curpage",
    "current",
    "pn",
    "p",
)
#: A list's next page.
NEXT_TEXT = re.compile(r"^\s*(下一页|下页|后一页|next|next page|›|>|>>|»)\s*[>›»]*\s*$", re.I)
#: An article's next page (symbols alone are too weak inside an article).
NEXT_LABEL = re.compile(r"^\s*(?:下一页|下页|后一页)\s*[>›»]*\s*$")
#: Links that are never the next page: the neighbouring articles, first/last/previous pages.
NEVER_NEXT = re.compile(
    r"^\s*[<«‹]*\s*(?:上一篇|下一篇|上一条|下一条|上篇|下篇|阅读下一篇|首页|尾页|末页|最后一页|"
    r"上一页|上页|前一页|previous|prev|first|last)",
    re.I,
)
PAGED_NAME = re.compile(r"^(?P<stem>.+?)_(?P<n>\d{1,4})(?P<ext>\.[a-z]+)?$", re.I)
#: Chengdu-style ``column-index-2.shtml`` and similar ``-N`` list names.
DASHED_NAME = re.compile(r"^(?P<stem>.+?-index)-(?P<n>\d{1,4})(?P<ext>\.[a-z]+)?$", re.I)

CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?"
    r"(?:\s*,\s*['\"]([^'\"]*)['\"]\s*,\s*['\"]([^'\"]*)['\"])?"
)
#: ``createPageHTML('page_div', total, current, 'list', 'shtml', rows)``, ``current`` from 1.
CREATE_PAGE_DIV = re.compile(
    r"createPageHTML\(\s*['\"][\w-]+['\"]\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?"
    r"\s*,\s*['\"]([^'\"]*)['\"]\s*,\s*['\"]([^'\"]*)['\"]"
)
COUNT_PAGE = re.compile(r"\bcountPage\s*=\s*['\"]?(\d+)")
CURRENT_PAGE = re.compile(r"\bcurrentPage\s*=\s*['\"]?(\d+)")
#: Other pager scripts' totals and current pages (``var pageCount = 5, curPage = 1``,
#: ``var _pageCount = 4; var _pageIndex = 1;``).
PAGE_TOTAL = re.compile(
    r"(?<![\w$])(?:_?pageCount|_?totalPage|totalPages|pageTotal|page_count|totalpage|"
    r"contenpage|_?pageSum)\s*[=:]\s*['\"]?(\d+)"
)
PAGE_CURRENT = re.compile(
    r"(?<![\w$])(?:_?curPage|_?pageIndex|_?pageNo|cur_page|_?pageNum|curpage|_?currentPage|"
    r"_?nowPage)\s*[=:]\s*['\"]?(\d+)"
)
#: Hanweb's jpage (``$('#x').jpage({totalRecord: 45, perPage: 15, ...})``) and laypage
#: (``laypage.render({count: 45, limit: 15, curr: 1})``): a row total and a page size.
ROW_TOTAL = re.compile(
    r"(?<![\w$])(?:totalRecord|totalRecords|recordCount|count)\s*[=:]\s*['\"]?(\d+)"
)
ROW_SIZE = re.compile(r"(?<![\w$])(?:perPage|pageSize|limit|perpage)\s*[=:]\s*['\"]?(\d+)")
ROW_CURRENT = re.compile(r"(?<![\w$])(?:curr|currentPage|pageNo|pageIndex)\s*[=:]\s*['\"]?(\d+)")
PAGER_SCRIPT = re.compile(r"jpage\s*\(|laypage|totalRecord", re.I)
#: The page parameter a script pages by: ``location.href = "?pageNo=" + n``.
SCRIPT_PARAM = re.compile(rf"['\"][^'\"]*[?&]({'|'.join(PAGE_PARAMS)})=['\"]\s*\+", re.I)
#: A pager script's page-file template: ``'index_' + i + '.html'``.
SCRIPT_TEMPLATE = re.compile(
    r"['\"]([^'\"\s]*?(?:index|list|page)[^'\"\s]*?_)['\"]\s*\+\s*[\w.]+"
    r"(?:\s*\+\s*['\"]([^'\"\s]*)['\"])?",
    re.I,
)
#: A script going to a URL: ``location.href='index_1.html'``, ``window.open('…')``.
ONCLICK_GO = re.compile(
    r"(?:window\.open\(|location(?:\.href)?\s*=|location\.(?:assign|replace)\()\s*['\"]([^'\"]+)"
)
#: A 下一页 link that calls a page function: ``javascript:goPage(2)``.
JS_CALL = re.compile(r"^\s*(?:javascript:\s*)?([\w.$]+)\(\s*['\"]?(\d{1,4})['\"]?\s*\)")
SCRIPTED_NEXT = re.compile(
    r"<a\b[^>]*?href=\\?['\"]([^'\"\\]+)\\?['\"][^>]*>\s*(?:下一页|下页|&gt;|>)\s*</a>", re.I
)
#: More digits than this is an id (``t20261120_123``), not a page number.
_MAX_PAGE_DIGITS = 3
_NAME = re.compile(r"^(?P<stem>.+?)(?P<ext>\.[A-Za-z]{2,5})?$")
_PAGE_PARAM = re.compile(rf"[?&;](?:{'|'.join(PAGE_PARAMS)})=\d", re.I)


def _strip(url: str) -> str:
    return url.split("#", 1)[0]


def _label(anchor: _Element) -> str:
    return re.sub(r"\s+", " ", anchor.text_content()).strip()


def _usable(href: str) -> bool:
    return bool(href) and not href.startswith(("javascript:", "#", "mailto:"))


def never_next(label: str) -> bool:
    """A link that is never pagination: 上一篇/下一篇, 首页, 尾页, 上一页 …"""
    return bool(NEVER_NEXT.match(label))


def is_next_label(text: str, title: str = "") -> bool:
    """A link labelled as the list's next page (its text, or a ``title`` 下一页)."""
    if never_next(text):
        return False
    return bool(NEXT_TEXT.match(text or title)) or title.strip() == "下一页"


def labelled_next(links: Iterable[tuple[str, str, str]], url: str) -> str | None:
    """The first link (text, title, href) labelled 下一页 that leads off this page."""
    for text, title, href in links:
        href = href.strip()
        if is_next_label(text, title) and _usable(href):
            target = _strip(urljoin(url, href))
            if target != url:
                return target
    return None


def _anchors(root: _Element) -> Iterable[tuple[str, str, str]]:
    for anchor in root.iter("a"):
        yield _label(anchor), anchor.get("title") or "", anchor.get("href") or ""


# --- lists ------------------------------------------------------------------------


def page_key(url: str) -> tuple[str, int] | None:
    """(pattern, page number) of a numbered list URL: ``index_2.html``, ``?page=2``."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    for i, (key, value) in enumerate(query):
        if key.lower() in PAGE_PARAMS and value.isdigit():
            rest = sorted(q for j, q in enumerate(query) if j != i)
            return (f"{parts.netloc}{parts.path}?{rest}&{key.lower()}", int(value))
    folder, _, name = parts.path.rpartition("/")
    match = PAGED_NAME.match(name) or DASHED_NAME.match(name)
    if match:
        return (f"{parts.netloc}{folder}/{match['stem']}?{parts.query}", int(match["n"]))
    return None


def _first_page_patterns(url: str) -> set[str]:
    """The patterns the pages after an un-numbered first page would have."""
    parts = urlsplit(url)
    folder, _, name = parts.path.rpartition("/")
    stem = name.rsplit(".", 1)[0] if name else "index"
    patterns = {f"{parts.netloc}{folder}/{stem}?{parts.query}"}
    patterns.update(_loose(f"{parts.netloc}{parts.path}?[]&{p}") for p in PAGE_PARAMS)
    return patterns


def _loose(pattern: str) -> str:
    """A query pattern without its other parameters (the first page may lack ``uid=``)."""
    return re.sub(r"\?\[.*\]&", "?&", pattern)


def _dede_pattern(url: str, target: str) -> bool:
    """DedeCMS: ``list_3_2.html`` follows a first page ``index.html`` in the same folder."""
    here, there = urlsplit(url), urlsplit(target)
    folder = here.path.rpartition("/")[0]
    name = there.path.rpartition("/")[2]
    return there.path.rpartition("/")[0] == folder and bool(re.match(r"list_\d+_\d+\.", name))


def _pager_next(root: _Element, url: str) -> str | None:
    """The next page among numbered pager links that share this URL's pattern."""
    current = page_key(url)
    patterns = {current[0]} if current else _first_page_patterns(url)
    options: dict[int, str] = {}
    for text, _, href in _anchors(root):
        href = href.strip()
        if not _usable(href) or never_next(text):
            continue
        target = _strip(urljoin(url, href))
        key = page_key(target)
        if key is None or target == url:
            continue
        known = key[0] in patterns or (not current and _loose(key[0]) in patterns)
        if not known and not (current is None and _dede_pattern(url, target)):
            continue
        by_query = key[0].rsplit("&", 1)[-1] in PAGE_PARAMS
        if current is None and by_query and key[1] < 2:
            continue
        options.setdefault(key[1], target)
    later = sorted(n for n in options if current is None or n > current[1])
    return options[later[0]] if later else None


def stem_ext(url: str) -> tuple[str, str]:
    """``index``/``html`` of ``.../index_2.html``; a folder URL means ``index.html``."""
    name = urlsplit(url).path.rpartition("/")[2] or "index.html"
    stem, _, ext = name.partition(".")
    match = PAGED_NAME.match(stem)
    return (match["stem"] if match else stem), (ext or "html")


def _with_page(url: str, number: int, param: str | None = None) -> str | None:
    """``url`` with its page parameter set to ``number``; None when it has none (and
    ``param`` names none to add)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    for i, (key, value) in enumerate(query):
        if key.lower() in PAGE_PARAMS and value.isdigit():
            query[i] = (key, str(number))
            return urlunsplit(parts._replace(query=urlencode(query)))
    if param is None:
        return None
    query.append((param, str(number)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _script_param(text: str) -> str | None:
    match = SCRIPT_PARAM.search(text)
    return match.group(1) if match else None


def script_pager_next(text: str, url: str) -> tuple[bool, str | None]:
    """(found, next URL) from TRS's pager script (``createPageHTML``, ``countPage``).
    ``found`` with no URL means the script says this is the last page."""
    if paged := CREATE_PAGE_DIV.search(text):
        total, current = int(paged.group(1)), int(paged.group(2))
        if current < total:
            return True, urljoin(url, f"{paged.group(3)}_{current + 1}.{paged.group(4)}")
        return True, None
    match, count = CREATE_PAGE.search(text), COUNT_PAGE.search(text)
    if not (match or count):
        return False, None
    if match:
        total, current = int(match.group(1)), int(match.group(2))
        stem, ext = match.group(3) or "index", match.group(4) or stem_ext(url)[1]
    else:
        assert count is not None
        total = int(count.group(1))
        current_match = CURRENT_PAGE.search(text)
        named = PAGED_NAME.match(urlsplit(url).path.rpartition("/")[2])
        current = int(current_match.group(1)) if current_match else int(named["n"]) if named else 0
        stem, ext = stem_ext(url)
    if current + 1 < total:
        return True, urljoin(url, f"{stem}_{current + 1}.{ext}")
    return True, None


def counted_pager_next(text: str, url: str) -> tuple[bool, str | None]:
    """(found, next URL) from a script that counts pages or rows: jpage/laypage
    ``totalRecord``/``count`` with ``perPage``/``limit``, or a ``pageCount``-like
    total with a ``curPage``-like current page or a scripted ``?pageNo=`` link."""
    if PAGER_SCRIPT.search(text) and (rows := ROW_TOTAL.search(text)):
        size = ROW_SIZE.search(text)
        if size and int(size.group(1)) > 0:
            pages = -(-int(rows.group(1)) // int(size.group(1)))
            return _counted(text, url, pages, ROW_CURRENT)
    total = PAGE_TOTAL.search(text)
    if total and (PAGE_CURRENT.search(text) or _script_param(text)):
        return _counted(text, url, int(total.group(1)), PAGE_CURRENT)
    return False, None


def _counted(
    text: str, url: str, pages: int, current_re: re.Pattern[str]
) -> tuple[bool, str | None]:
    """The next page of ``pages``: the current page from the script, else from the
    URL's page number, else 1; paged by the URL's parameter, the script's, or ``_N``."""
    key = page_key(url)
    found = current_re.search(text)
    current = int(found.group(1)) if found else (key[1] if key else 1)
    if key is not None and key[1] > current:
        current = key[1]  # a script's default (curr: 1) on a later page
    if max(current, 1) >= pages:
        return True, None
    following = current + 1 if current >= 1 else 2
    param = _script_param(text)
    target = _with_page(url, following, param)
    if target is None and (template := SCRIPT_TEMPLATE.search(text)):
        target = urljoin(url, f"{template.group(1)}{following}{template.group(2) or ''}")
    if target is None:
        stem, ext = stem_ext(url)
        target = urljoin(url, f"{stem}_{following - 1 if current == 0 else following}.{ext}")
    return True, target


def _function_url(text: str, name: str, number: str, url: str) -> str | None:
    """The URL the page function ``name`` (``function goPage(n) {…}``) builds for
    ``number``: the string its body joins to its argument."""
    short = re.escape(name.rsplit(".", 1)[-1])
    header = re.search(
        rf"(?:function\s+{short}|\b{short}\s*[:=]\s*function)\s*\(\s*(\w+)[^)]*\)\s*\{{", text
    )
    if header is None:
        return None
    body = text[header.end() : header.end() + 600]
    argument = re.escape(header.group(1))
    joined = re.search(
        rf"['\"]([^'\"]+)['\"]\s*\+\s*{argument}\b(?:\s*\+\s*['\"]([^'\"]*)['\"])?", body
    )
    if joined is None:
        return None
    return _strip(urljoin(url, f"{joined.group(1)}{number}{joined.group(2) or ''}"))


def _called_next(root: _Element, url: str, text: str) -> str | None:
    """A 下一页 link or button that goes by script: ``onclick="location.href='…'"``, or
    a call of a page function (``href="javascript:goPage(2)"``) resolved through the
    URL that function builds."""
    for node in root.iter("a", "button", "input", "span"):
        label, title = _label(node) or node.get("value") or "", node.get("title") or ""
        if not is_next_label(label, title):
            continue
        for code in (node.get("href") or "", node.get("onclick") or ""):
            if (going := ONCLICK_GO.search(code)) and _usable(going.group(1)):
                target: str | None = _strip(urljoin(url, going.group(1)))
            else:
                call = JS_CALL.match(code)
                target = _function_url(text, call.group(1), call.group(2), url) if call else None
            if target is not None and target != url:
                return target
    return None


def next_list_page(root: _Element, url: str, text: str) -> str | None:
    """The next page of a list page (see the module docstring for the evidence)."""
    following = labelled_next(_anchors(root), url) or _called_next(root, url, text)
    if following is not None:
        return following
    for written in SCRIPTED_NEXT.finditer(text):
        href = written.group(1)
        if _usable(href) and (written_url := _strip(urljoin(url, href))) != url:
            return written_url
    found, target = script_pager_next(text, url)
    if found:
        return target
    return _pager_next(root, url) or counted_pager_next(text, url)[1]


def numbered_next(url: str, total: int) -> str | None:
    """The page after this one of a list numbered in its URL and counted from 1
    (``12.html`` → ``12_2.html`` → ``12_3.html``; ``column-index-1.shtml`` → ``-2``;
    ``?page=1`` → ``?page=2``), while fewer than ``total`` pages have been read."""
    key = page_key(url)
    current = key[1] if key else 1
    if current >= total:
        return None
    if (by_query := _with_page(url, current + 1)) is not None:
        return by_query
    parts = urlsplit(url)
    folder, _, name = parts.path.rpartition("/")
    if match := PAGED_NAME.match(name):
        name = f"{match['stem']}_{current + 1}{match['ext'] or ''}"
    elif match := DASHED_NAME.match(name):
        name = f"{match['stem']}-{current + 1}{match['ext'] or ''}"
    else:
        stem, dot, ext = name.partition(".")
        name = f"{stem or 'index'}_{current + 1}{dot}{ext}"
    return urlunsplit(parts._replace(path=f"{folder}/{name}"))


def follow_list(fresh: int, page: int, max_pages: int) -> bool:
    """Whether to read the page after list page ``page``: it gave ``fresh`` new links."""
    return fresh > 0 and page < max_pages


# --- JSON and POST list APIs --------------------------------------------------------

_TOTAL_PAGES = ("totalPage", "totalPages", "pageCount", "pages", "total_page", "totalpage")
_TOTAL_ROWS = ("total", "totalCount", "totalRecord", "recordCount", "count", "totalElements")
_PAGE_SIZE = ("pageSize", "size", "rows", "limit", "perPage", "per_page", "page_size")


def _number(data: Any, keys: tuple[str, ...]) -> int | None:
    """The first integer under one of ``keys`` anywhere in ``data`` (breadth first)."""
    queue = [data]
    while queue:
        value = queue.pop(0)
        if isinstance(value, dict):
            lowered = {str(k).lower(): v for k, v in value.items()}
            for key in keys:
                number = lowered.get(key.lower())
                if isinstance(number, int | str) and str(number).isdigit():
                    return int(number)
            queue.extend(v for v in value.values() if isinstance(v, dict))
    return None


def _is_last(data: Any, current: int, fields: Iterable[tuple[str, str]]) -> bool:
    """Whether an API's answer says page ``current`` is its last."""
    pages = _number(data, _TOTAL_PAGES)
    if pages is None and (rows := _number(data, _TOTAL_ROWS)) is not None:
        lowered = {k.lower() for k in _PAGE_SIZE}
        size = _number(data, _PAGE_SIZE) or next(
            (int(v) for k, v in fields if k.lower() in lowered and str(v).isdigit()), None
        )
        pages = -(-rows // size) if size else None
    return pages is not None and current + (0 if current >= 1 else 1) >= pages


def json_next_page(data: Any, url: str) -> str | None:
    """The next page of a JSON list API: the URL's page parameter plus one, while the
    response's page count (or row total and page size) says there is one."""
    query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    for key, value in query:
        if key.lower() in PAGE_PARAMS and value.isdigit():
            if _is_last(data, int(value), query):
                return None
            return _with_page(url, int(value) + 1)
    return None


def next_form(form: Mapping[str, str], data: Any, rows: int) -> dict[str, str] | None:
    """The form of a POST list API's next page: its page field plus one, while the
    answer held ``rows`` rows, no fewer than the form's page size (a short page is
    the last), and — when a JSON answer says — is not the last page; else None."""
    sizes = {k.lower() for k in _PAGE_SIZE}
    size = next((int(v) for k, v in form.items() if k.lower() in sizes and str(v).isdigit()), 0)
    for key, value in form.items():
        if key.lower() in PAGE_PARAMS and str(value).isdigit():
            current = int(value)
            if not rows or rows < size:
                return None
            if data is not None and _is_last(data, current, form.items()):
                return None
            return {**form, key: str(current + 1)}
    return None


# --- articles -------------------------------------------------------------------------


def _split_name(path: str) -> tuple[str, str, str]:
    """(folder, stem, extension) of a URL path: ``/a/``, ``t2026_1``, ``.html``."""
    folder, _, name = path.rpartition("/")
    match = _NAME.match(name)
    if not match:
        return folder, name, ""
    return folder, match["stem"], match["ext"] or ""


def _query_without_page(query: str) -> tuple[list[tuple[str, str]], int | None]:
    pairs = parse_qsl(query, keep_blank_values=True)
    page = None
    rest = []
    for key, value in pairs:
        if key.lower() in PAGE_PARAMS and value.isdigit() and page is None:
            page = int(value)
        else:
            rest.append((key, value))
    return sorted(rest), page


def continuation_number(url: str, first_url: str) -> int | None:
    """The page number ``url`` has as a continuation of ``first_url``, else None.

    ``t2026_1.html`` of ``t2026.html`` is 1 (TRS numbers its second page ``_1``);
    ``a.php?id=5&page=2`` of ``a.php?id=5`` is 2.
    """
    target, first = urlsplit(_strip(url)), urlsplit(_strip(first_url))
    if target.netloc.lower() != first.netloc.lower():
        return None
    if target.path == first.path:
        rest, page = _query_without_page(target.query)
        first_rest, _ = _query_without_page(first.query)
        return page if page is not None and rest == first_rest else None
    folder, stem, ext = _split_name(first.path)
    if not stem:
        return None
    found = re.fullmatch(
        rf"{re.escape(folder)}/{re.escape(stem)}_(\d{{1,{_MAX_PAGE_DIGITS}}}){re.escape(ext)}",
        target.path,
    )
    return int(found.group(1)) if found else None


def _inline_article_pager(text: str, url: str, first_url: str) -> tuple[bool, str | None]:
    """(found, next URL) from TRS's inline pager script, when it is this article's."""
    folder, stem, ext = _split_name(urlsplit(_strip(first_url)).path)
    match = CREATE_PAGE.search(text)
    if match:
        total, current = int(match.group(1)), int(match.group(2))
        name = match.group(3) or stem
        extension = f".{match.group(4)}" if match.group(4) else ext
        if name != stem:
            return False, None  # some other pager (a comment list): not the article's
    else:
        count = COUNT_PAGE.search(text)
        current_match = CURRENT_PAGE.search(text)
        if not count or not current_match:
            return False, None
        total, current = int(count.group(1)), int(current_match.group(1))
        extension = ext
    if current + 1 >= total:
        return True, None
    following = urljoin(url, f"{folder}/{stem}_{current + 1}{extension}")
    if continuation_number(following, first_url) is None:
        return False, None
    return True, following


def next_article_page(html: str, url: str, first_url: str) -> str | None:
    """The URL of the article's next page after ``url`` (its first page ``first_url``)."""
    found, following = _inline_article_pager(html, url, first_url)
    if found:
        return following
    # Every continuation link names the first page's file with ``_N`` or a page
    # parameter: without either in the page, there is nothing to parse for.
    stem = _split_name(urlsplit(_strip(first_url)).path)[1]
    if not (stem and f"{stem}_" in html) and not _PAGE_PARAM.search(html):
        return None
    try:
        root = lxml_html.fromstring(html or "<html></html>", base_url=url)
    except (ParserError, ValueError):
        return None
    here = _strip(url)
    current = continuation_number(here, first_url)
    numbered: dict[int, str] = {}
    for text, title, href in _anchors(root):
        href = href.strip()
        if not _usable(href) or never_next(text):
            continue
        target = _strip(urljoin(url, href))
        number = continuation_number(target, first_url)
        if number is None or target == here:
            continue
        if NEXT_LABEL.match(text) or title.strip() == "下一页":
            return target
        numbered.setdefault(number, target)
    if current is None:
        # On the first page a link numbered 1 is page 2 by file name (TRS ``_1``) but
        # the first page itself by parameter (``?page=1``).
        first_path = urlsplit(first_url).path
        by_query = any(urlsplit(t).path == first_path for t in numbered.values())
        current = 1 if by_query else 0
    later = sorted(n for n in numbered if n > current)
    return numbered[later[0]] if later else None
