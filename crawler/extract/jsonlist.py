"""Lists that come as JSON: a list API's response, or records embedded in the page.

Many portals render their list in the browser from data: gov.cn's ``pushinfo``
records (``{"title", "link", "pubDate"}``), ``var listData = [...]`` in an inline
script, or the whole list URL answering JSON (``{"total": 12, "data": [...]}``).
Any array of objects with a title-like and a link-like key is a candidate; the
largest such array whose links stay on the site is the list. A shell page whose
script loads its list from an API (``$.ajax({url: …})``, ``….json``) names that URL
(:func:`data_urls`); an API's next page is its next page is
:mod:`crawler.extract.pagination`'s to decide.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any
from urllib.parse import urljoin

from crawler.extract.dates import parse_datetime
from crawler.extract.entries import ListEntry
from crawler.extract.pagination import PAGE_PARAMS

TITLE_KEYS = ("title", "name", "headline", "doctitle", "docTitle", "bt", "subject", "topic")
URL_KEYS = (
    "url",
    "link",
    "href",
    "linkurl",
    "linkUrl",
    "docpuburl",
    "docPubUrl",
    "post_url",
    "articleUrl",
    "detailUrl",
    "path",
)
DATE_KEYS = (
    "pubDate",
    "pubdate",
    "publishDate",
    "publish_date",
    "publishTime",
    "publish_time",
    "pubTime",
    "pubtime",
    "releaseTime",
    "releaseDate",
    "docreltime",
    "docRelTime",
    "fbrq",
    "fbsj",
    "created_at",
    "createTime",
    "create_time",
    "date",
    "time",
)
_ARRAY_START = re.compile(r"[=:(,]\s*\[\s*\{")
MIN_RECORDS = 2


def _pick(record: dict[str, Any], keys: tuple[str, ...]) -> Any:
    lowered = {k.lower(): v for k, v in record.items()}
    for key in keys:
        value = record.get(key, lowered.get(key.lower()))
        if value not in (None, ""):
            return value
    return None


def _arrays(value: Any) -> Iterator[list[Any]]:
    """Every array of objects inside a JSON value, outermost first."""
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            yield value
        for item in value:
            yield from _arrays(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _arrays(item)


def _entries(
    records: list[Any], base_url: str, same_site: Any, tz: tzinfo, now: datetime
) -> list[ListEntry]:
    out = []
    for record in records:
        title, link = _pick(record, TITLE_KEYS), _pick(record, URL_KEYS)
        if not isinstance(title, str) or not isinstance(link, str) or not title.strip():
            continue
        url = urljoin(base_url, link.strip())
        if not url.startswith(("http://", "https://")) or not same_site(url, base_url):
            continue
        raw = _pick(record, DATE_KEYS)
        published = parse_datetime(raw, tz, now) if isinstance(raw, str | int | float) else None
        clean = re.sub(r"<[^>]+>", "", title)
        out.append(
            ListEntry(
                url,
                re.sub(r"\s+", " ", clean).strip(),
                published,
                "json" if published else None,
            )
        )
    return out


#: One flat object literal of a script, and its ``key: 'value'`` pairs (JS, not JSON).
_OBJECT = re.compile(r"\{([^{}]*)\}")
_PAIR = re.compile(
    r"['\"]?(\w+)['\"]?\s*:\s*(?:'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"|(\d{10,13})\b)"
)


def _js_records(script: str) -> list[dict[str, Any]]:
    """The flat object literals of a script (``{title: '…', url: '…'}``), as dicts."""
    records = []
    for match in _OBJECT.finditer(script):
        pairs = {
            key: int(number) if number else (single or double)
            for key, single, double, number in _PAIR.findall(match.group(1))
        }
        if pairs:
            records.append(pairs)
    return records


def _values_in_scripts(scripts: list[str]) -> Iterator[Any]:
    decoder = json.JSONDecoder()
    for script in scripts:
        parsed = False
        for match in _ARRAY_START.finditer(script):
            start = script.index("[", match.start())
            try:
                value, _ = decoder.raw_decode(script, start)
            except ValueError:
                continue
            parsed = True
            yield value
        if not parsed:
            yield _js_records(script)


def json_entries(
    data: Any | None,
    scripts: list[str],
    base_url: str,
    same_site: Any,
    tz: tzinfo,
    now: datetime,
) -> list[ListEntry]:
    """The largest list of linked records in ``data`` (a parsed JSON response) or in
    the inline ``scripts`` of an HTML page; [] when there is none."""
    values = [data] if data is not None else list(_values_in_scripts(scripts))
    best: list[ListEntry] = []
    for value in values:
        for records in _arrays(value):
            found = _entries(records, base_url, same_site, tz, now)
            if len(found) > len(best):
                best = found
    return best if len(best) >= MIN_RECORDS else []


#: Where a page's script loads its list from: ``$.ajax({url: "…"})``, ``$.getJSON("…")``,
#: ``fetch("…")``, ``axios.get("…")``, or any ``"….json"`` literal.
_DATA_CALL = re.compile(
    r"(?:\burl\s*[:=]\s*|getJSON\(\s*|fetch\(\s*|axios\.get\(\s*|\$\.get\(\s*)"
    r"['\"](?P<a>[^'\"\s]+)['\"]"
    r"|['\"](?P<b>[^'\"\s]+\.json[p]?(?:\?[^'\"\s]*)?)['\"]",
    re.I,
)
_NOT_DATA = re.compile(r"\.(?:js|css|html?|shtml|png|jpe?g|gif|svg)(?:\?|$)", re.I)
MAX_DATA_URLS = 2
_PAGE_TEMPLATE = re.compile(rf"[?&](?:{'|'.join(PAGE_PARAMS)})=$", re.I)


def data_urls(scripts: list[str], base_url: str, same_site: Any) -> list[str]:
    """Same-site URLs a page's inline scripts load data from (see ``_DATA_CALL``); a
    template ending in ``page=`` gets page 1."""
    found: list[str] = []
    for script in scripts:
        for match in _DATA_CALL.finditer(script):
            link = match["a"] or match["b"]
            if _NOT_DATA.search(link) or link.startswith(("javascript:", "#", "data:")):
                continue
            if _PAGE_TEMPLATE.search(link):
                link += "1"
            url = urljoin(base_url, link)
            web = url.startswith(("http://", "https://"))
            if web and same_site(url, base_url) and url not in found:
                found.append(url)
    return found[:MAX_DATA_URLS]


@dataclass(frozen=True)
class DataPost:
    """A list API a page's script POSTs to (``$.ajax({type: "POST", data: {…}})``,
    ``$.post(url, {…})``): the URL, its form (a page field at 1), and whether the form
    goes as a JSON body (``data: JSON.stringify({…})``)."""

    url: str
    form: dict[str, str] = field(default_factory=dict)
    as_json: bool = False

    def describe(self) -> str:
        fields = "&".join(f"{k}={v}" for k, v in self.form.items())
        return f"POST {self.url} {'json ' if self.as_json else ''}{fields}".strip()


_AJAX = re.compile(r"(?:\$|jQuery)\.ajax\(\s*\{", re.I)
_POST_CALL = re.compile(
    r"(?:\$|jQuery)\.post\(\s*['\"](?P<url>[^'\"\s]+)['\"]\s*,\s*(?P<json>JSON\.stringify\(\s*)?"
    r"\{(?P<data>[^{}]*)\}",
    re.I,
)
_POST_TYPE = re.compile(r"\b(?:type|method)\s*:\s*['\"]post['\"]", re.I)
_AJAX_URL = re.compile(r"\burl\s*:\s*['\"](?P<url>[^'\"\s]+)['\"]\s*[,}\n]")
_AJAX_DATA = re.compile(r"\bdata\s*:\s*(?P<json>JSON\.stringify\(\s*)?\{(?P<data>[^{}]*)\}")
_FORM_PAIR = re.compile(
    r"['\"]?(?P<key>[\w.]+)['\"]?\s*:\s*(?:'(?P<s>[^']*)'|\"(?P<d>[^\"]*)\"|(?P<n>-?\d+)\b|(?P<v>[A-Za-z_$][\w.$]*))"
)
#: How far after ``$.ajax({`` its options are read.
_AJAX_SPAN = 800


def _form(data: str, script: str) -> dict[str, str] | None:
    """The fields of a script's object literal; a variable is read from its ``var``
    (a page field named by a variable starts at 1); None when a value is unknown."""
    form: dict[str, str] = {}
    for pair in _FORM_PAIR.finditer(data):
        key, variable = pair["key"], pair["v"]
        if variable is None:
            form[key] = next(v for v in (pair["s"], pair["d"], pair["n"]) if v is not None)
        elif key.lower() in PAGE_PARAMS:
            form[key] = "1"
        else:
            found = re.search(
                rf"\b(?:var|let|const)\s+{re.escape(variable)}\s*=\s*['\"]?([\w-]+)['\"]?", script
            )
            if found is None:
                return None
            form[key] = found.group(1)
    return form


def _post_calls(script: str) -> list[tuple[str, str | None, str]]:
    """(URL, JSON marker, object literal) of each POST call in a script."""
    calls = [(m["url"], m["json"], m["data"]) for m in _POST_CALL.finditer(script)]
    for start in _AJAX.finditer(script):
        options = script[start.end() : start.end() + _AJAX_SPAN]
        url, data = _AJAX_URL.search(options), _AJAX_DATA.search(options)
        if _POST_TYPE.search(options) and url:
            calls.append((url["url"], data["json"] if data else None, data["data"] if data else ""))
    return calls


def posted_urls(scripts: list[str], base_url: str) -> set[str]:
    """Every URL a page's scripts POST to (never to be fetched by GET instead)."""
    return {urljoin(base_url, call[0]) for script in scripts for call in _post_calls(script)}


def data_posts(scripts: list[str], base_url: str, same_site: Any) -> list[DataPost]:
    """Same-site list APIs a page's inline scripts POST to (see :class:`DataPost`)."""
    found: list[DataPost] = []
    for script in scripts:
        for link, as_json, fields in _post_calls(script):
            form = _form(fields, script)
            url = urljoin(base_url, link)
            if form is None or not url.startswith(("http://", "https://")):
                continue
            post = DataPost(url, form, bool(as_json))
            if same_site(url, base_url) and post not in found:
                found.append(post)
    return found[:MAX_DATA_URLS]
