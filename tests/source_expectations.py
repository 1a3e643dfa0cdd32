"""A source's expected fields as data: ``tests/fixtures/sites/<name>/expected.json``.

The file says what the source's family must read from its fixture site, and every
value in it is one check (tests/test_sources_expected.py runs them all):

- ``lists``: configured list URLs, each fetched the way the family asks for it:
  the ``request`` it sends (method, URL, and where pinned its JSON body, form and
  headers), the ``entries`` found (``[url, title, published_at]``; ``[url, title]``
  leaves the date unpinned) or only the ``first_entries``, the ``next_urls``,
  ``data_urls`` and ``next_requests``;
- ``pages``: further list pages (a data source, a data-proxy answer, an API page)
  fetched as they are, with the same keys but ``request``;
- ``articles``: per article URL, its ``title``, ``published_at`` (ISO 8601),
  ``source_line`` and ``text_start`` (the first 30 characters of the text).

``captured`` is "now" for the parse (the capture date); ``config_dir`` names the
configuration holding the source when it is not the shipped one. A value left as
``TODO`` fails until it is filled in (`xinqu sources new` writes the values the
crawler read from the saved pages, for the editor to compare with the pages).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from pydantic import BaseModel, ConfigDict, Field
from scrapy import Request
from sources_support import SITES, TZ, SourceCase, entries, file_response

from xinqu.config import SHIPPED_CONFIG_DIR

FILE = "expected.json"
TODO = "TODO: fill in from the page"
DEFAULT_CAPTURED = "2026-11-25T10:00:00+08:00"
ARTICLE_FIELDS = ("title", "published_at", "source_line", "text_start")


class _Strict(BaseModel):
    """A misspelt key in an expectation file is an error, not a check skipped."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ExpectedRequest(_Strict):
    method: str
    url: str
    json_body: Any = Field(None, alias="json")
    form: dict[str, str] | None = None
    headers: dict[str, str] | None = None


class ExpectedPage(_Strict):
    url: str
    note: str | None = None
    request: ExpectedRequest | None = None
    entries: list[list[str | None]] | None = None
    first_entries: list[list[str | None]] | None = None
    next_urls: list[str] | None = None
    data_urls: list[str] | None = None
    next_requests: list[ExpectedRequest] | None = None


class ExpectedArticle(_Strict):
    title: str
    published_at: str | None
    source_line: str | None
    text_start: str


class Expectation(_Strict):
    captured: str = DEFAULT_CAPTURED
    config_dir: str | None = None
    note: str | None = None
    lists: list[ExpectedPage] = Field(default_factory=list)
    pages: list[ExpectedPage] = Field(default_factory=list)
    articles: dict[str, ExpectedArticle] = Field(default_factory=dict)


def load(folder: Path) -> Expectation:
    return Expectation.model_validate_json((folder / FILE).read_text("utf-8"))


def case_of(folder: Path, expectation: Expectation) -> SourceCase:
    config_dir = Path(expectation.config_dir) if expectation.config_dir else SHIPPED_CONFIG_DIR
    return SourceCase(
        folder.name, captured=expectation.captured, sites=folder.parent, config_dir=config_dir
    )


@dataclass(frozen=True)
class Check:
    """One expected value and how to read the actual one."""

    id: str
    expected: Any
    actual: Callable[[], Any]

    def run(self) -> None:
        if TODO in json.dumps(self.expected, ensure_ascii=False):
            raise AssertionError(f"{self.id}: replace TODO with what the fixture page shows")
        assert self.actual() == self.expected, self.id


def _request_json(request: Request, pinned: ExpectedRequest) -> dict[str, Any]:
    """The request as the expectation pins it: method and URL, and what else it names."""
    seen: dict[str, Any] = {"method": request.method, "url": request.url}
    if pinned.json_body is not None:
        seen["json"] = json.loads(request.body)
    if pinned.form is not None:
        seen["form"] = dict(parse_qsl(request.body.decode()))
    if pinned.headers is not None:
        seen["headers"] = {k: request.headers.get(k, b"").decode() for k in pinned.headers}
    return seen


def _pinned(pinned: ExpectedRequest) -> dict[str, Any]:
    return pinned.model_dump(by_alias=True, exclude_none=True)


def _shown(found: list[list[str | None]], expected: list[list[str | None]]) -> list[Any]:
    """The entries found, cut to what each expected entry pins (``[url, title]``: no date)."""
    return [f[: len(e)] for f, e in zip(found, expected, strict=False)] + found[len(expected) :]


def _page_checks(case: SourceCase, where: str, page: ExpectedPage, listed: bool) -> list[Check]:
    def request() -> Request:
        if listed:
            return case.list_request(page.url)
        return Request(page.url)

    def parsed() -> tuple[Any, Any]:
        asked = request()
        response = file_response(case.root, asked.url, asked)
        return response, case.family.parse_list(response, case.source, TZ, case.now)

    def found() -> list[list[str | None]]:
        return [list(e) for e in entries(parsed()[1])]

    checks: list[Check] = []
    if page.request is not None:
        pinned = page.request
        checks.append(
            Check(f"{where}.request", _pinned(pinned), lambda: _request_json(request(), pinned))
        )
    if page.entries is not None:
        expected = page.entries
        checks.append(Check(f"{where}.entries", expected, lambda: _shown(found(), expected)))
    if page.first_entries is not None:
        first = page.first_entries
        checks.append(
            Check(f"{where}.first_entries", first, lambda: _shown(found(), first)[: len(first)])
        )
    if page.next_urls is not None:
        checks.append(Check(f"{where}.next_urls", page.next_urls, lambda: parsed()[1].next_urls))
    if page.data_urls is not None:
        checks.append(Check(f"{where}.data_urls", page.data_urls, lambda: parsed()[1].data_urls))
    if page.next_requests is not None:
        wanted = page.next_requests

        def following() -> list[dict[str, Any]]:
            response, parsed_page = parsed()
            made = case.family.next_requests(response, parsed_page, case.source)
            return [_request_json(r, p) for r, p in zip(made, wanted, strict=False)] + [
                {"method": r.method, "url": r.url} for r in made[len(wanted) :]
            ]

        checks.append(Check(f"{where}.next_requests", [_pinned(p) for p in wanted], following))
    return checks


def checks_of(folder: Path) -> list[Check]:
    """Every check the expectation file in a source's fixture folder makes."""
    expectation = load(folder)
    case = case_of(folder, expectation)
    name = folder.name
    checks: list[Check] = []
    for i, page in enumerate(expectation.lists):
        checks += _page_checks(case, f"{name}.lists[{i}]", page, listed=True)
    for i, page in enumerate(expectation.pages):
        checks += _page_checks(case, f"{name}.pages[{i}]", page, listed=False)
    for i, (url, article) in enumerate(expectation.articles.items()):
        pinned = article.model_dump()
        for field in ARTICLE_FIELDS:
            checks.append(
                Check(
                    f"{name}.articles[{i}].{field}",
                    pinned[field],
                    lambda url=url, field=field: case.fields(url)[field],
                )
            )
    return checks


def folders(sites: Path = SITES) -> list[Path]:
    """The fixture folders that hold an expectation file, by name."""
    return sorted(p.parent for p in sites.glob(f"*/{FILE}"))
