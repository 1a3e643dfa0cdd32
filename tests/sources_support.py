"""A source's fixture site read as its real site (for its expectation file and family tests).

A fixture site mirrors the real site's paths (tests/fixtures/sites/<name>/…), so a
response is built from the file a real URL maps to, *with that real URL*, and the
source's family parses it exactly as in a crawl. "Now" is the fixture's capture date.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from scrapy import Request
from scrapy.http import Response

from crawler.extract.article import ExtractedArticle
from crawler.families import Family, ListPage, get_family
from crawler.genspider import fixture_path, fixture_response
from xinqu.config import SHIPPED_CONFIG_DIR, Source, load_config

SITES = Path(__file__).parent / "fixtures" / "sites"
TZ = ZoneInfo("Asia/Shanghai")


def fixture_file(root: Path, url: str) -> Path:
    """The file a real URL maps to: same path; a folder URL means its index.html."""
    return fixture_path(root, url)


def file_response(
    root: Path, url: str, request: Request | None = None, status: int = 200
) -> Response:
    """A response for ``url`` with the body of its fixture file, as Scrapy would build it."""
    return fixture_response(url, fixture_file(root, url).read_bytes(), request, status)


@dataclass(eq=False)
class SourceCase:
    """One source, its family and its fixture site, at the fixture's capture date."""

    name: str
    captured: str = "2026-11-25T10:00:00+08:00"
    sites: Path = SITES
    config_dir: Path = SHIPPED_CONFIG_DIR

    @functools.cached_property
    def source(self) -> Source:
        return load_config(self.config_dir).source(self.name)

    @functools.cached_property
    def family(self) -> Family:
        return get_family(self.source.family)

    @property
    def root(self) -> Path:
        return self.sites / self.name

    @property
    def now(self) -> datetime:
        return datetime.fromisoformat(self.captured).astimezone(TZ)

    def list_request(self, list_url: str | None = None) -> Request:
        """The first request the family makes for a configured list URL."""
        url = list_url or self.source.urls[0]
        return next(iter(self.family.list_requests(self.source, url)))

    def list_page(self, list_url: str | None = None) -> ListPage:
        request = self.list_request(list_url)
        return self.parse_list_url(request.url, request)

    def parse_list_url(self, url: str, request: Request | None = None) -> ListPage:
        response = file_response(self.root, url, request)
        return self.family.parse_list(response, self.source, TZ, self.now)

    @functools.cached_property
    def _articles(self) -> dict[str, ExtractedArticle]:
        return {}

    def article(self, url: str) -> ExtractedArticle:
        """The family's extraction of the article fixture at ``url`` (parsed once)."""
        if url not in self._articles:
            response = file_response(self.root, url)
            self._articles[url] = self.family.parse_article(response, self.source, TZ, self.now)
        return self._articles[url]

    def fields(self, url: str) -> dict[str, str | None]:
        """The fields a test asserts: title, published_at (ISO), source_line, text start."""
        article = self.article(url)
        return {
            "title": article.title,
            "published_at": article.published_at.isoformat() if article.published_at else None,
            "source_line": article.source_line,
            "text_start": article.text[:30],
        }


def entries(page: ListPage) -> list[tuple[str, str, str | None]]:
    """(url, title, published_at ISO) of each list entry, for exact comparison."""
    return [
        (e.url, e.title, e.published_at.isoformat() if e.published_at else None)
        for e in page.entries
    ]
