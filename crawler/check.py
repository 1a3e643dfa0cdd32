"""`xinqu sources check`: fetch a source's list page and first articles live, store nothing.

Everything goes through the same family code as a crawl (list requests, list
parsing, article extraction), so what an editor sees here is what a crawl would
get. Each source gets a :class:`SourceCheck` listing what was extracted and what
looks wrong.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from crawler.antibot import detect_antibot
from crawler.extract.jsonlist import DataPost
from crawler.extract.pages import ArticlePages
from crawler.extract.stored_title import with_headline
from crawler.failures import describe_failure
from crawler.families import ListEntry, get_family
from crawler.families.base import POST_META
from crawler.families.common import response_text
from crawler.runner import scrapy_settings
from xinqu.clock import now as clock_now
from xinqu.config import Config, Source

ARTICLES_PER_SOURCE = 3
MIN_BODY_CHARS = 50


@dataclass
class ArticleCheck:
    url: str
    status: int | None = None
    title: str = ""
    published_at: datetime | None = None
    source_line: str | None = None
    text: str = ""
    pages: int = 1
    problems: list[str] = field(default_factory=list)


@dataclass
class ListCheck:
    url: str
    status: int | None = None
    #: 1 for a configured list URL, 2… for the next pages the check followed.
    page: int = 1
    entries: list[ListEntry] = field(default_factory=list)
    next_urls: list[str] = field(default_factory=list)
    #: Where a shell page's list was loaded from (a JSON API its script names).
    data_urls: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class SourceCheck:
    source: Source
    lists: list[ListCheck] = field(default_factory=list)
    articles: list[ArticleCheck] = field(default_factory=list)
    #: Rows dated before this are what a crawl skips as too old.
    window_start: datetime | None = None

    @property
    def problems(self) -> list[str]:
        found = [p for item in self.lists for p in item.problems]
        found += [f"{p} ({a.url})" for a in self.articles for p in a.problems]
        return found


class CheckSpider(scrapy.Spider):
    name = "check"
    source: Source
    config: Config
    #: Articles fetched per source, and list pages read per list URL.
    articles_wanted: int = ARTICLES_PER_SOURCE
    pages_wanted: int = 1

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.family = get_family(self.source.family)
        self.tz = self.config.settings.tz
        self.now = clock_now(self.tz)
        self.window_start = self.now - timedelta(days=self.config.settings.crawl.window_days)
        self.report = SourceCheck(self.source, window_start=self.window_start)

    def _meta(self, **extra: Any) -> dict[str, Any]:
        if not self.source.obey_robots:
            extra["dont_obey_robotstxt"] = True
        return extra

    def _decode(self, response: Response) -> Response:
        if self.source.encoding and isinstance(response, TextResponse):
            return response.replace(encoding=self.source.encoding)
        return response

    async def start(self) -> AsyncIterator[Request]:
        for url in self.source.urls:
            check = ListCheck(url)
            self.report.lists.append(check)
            for request in self.family.list_requests(self.source, url):
                yield request.replace(
                    callback=self.parse_list,
                    errback=self.on_error,
                    dont_filter=True,
                    meta=self._meta(**request.meta, check=check),
                )

    def parse_list(self, response: Response) -> Iterator[Request]:
        check: ListCheck = response.meta["check"]
        check.status = response.status
        response = self._decode(response)
        if (blocked := detect_antibot(response)) is not None:
            check.problems.append(f"list page is an anti-bot challenge ({blocked})")
            return
        page = self.family.parse_list(response, self.source, self.tz, self.now)
        check.entries = [*check.entries, *page.entries]
        check.next_urls = check.next_urls or page.next_urls
        loads = self.family.data_requests(page)
        if loads and not response.meta.get("data"):
            check.data_urls = [*page.data_urls, *(post.describe() for post in page.data_posts)]
            for request in loads:
                yield request.replace(
                    callback=self.parse_list,
                    errback=self.on_error,
                    dont_filter=True,
                    meta=self._meta(**request.meta, check=check, data=True),
                )
            if not page.entries:
                return
        if not check.entries:
            check.problems.append("no article links found on the list page (set link_selector?)")
            return
        if not any(e.published_at for e in check.entries):
            check.problems.append("no dates beside the list's links (old items cannot be skipped)")
        if check.page < self.pages_wanted:
            for request in self.family.next_requests(response, page, self.source)[:1]:
                label = _request_label(request)
                check.next_urls = check.next_urls or [label]
                following = ListCheck(label, page=check.page + 1)
                at = next(i for i, item in enumerate(self.report.lists) if item is check)
                self.report.lists.insert(at + 1, following)
                yield request.replace(
                    callback=self.parse_list,
                    errback=self.on_error,
                    dont_filter=True,
                    meta=self._meta(**request.meta, check=following),
                )
        wanted = self.articles_wanted - len(self.report.articles)
        fresh = [e for e in page.entries if self._fresh(e)]
        for entry in fresh[: max(wanted, 0)]:
            article = ArticleCheck(entry.url)
            self.report.articles.append(article)
            yield Request(
                entry.url,
                callback=self.parse_article,
                errback=self.on_error,
                dont_filter=True,
                meta=self._meta(article=article, entry=entry),
            )

    def _fresh(self, entry: ListEntry) -> bool:
        """What a crawl would fetch: undated, or dated inside the crawl window."""
        return entry.published_at is None or entry.published_at >= self.window_start

    def parse_article(self, response: Response) -> Iterator[Request]:
        check: ArticleCheck = response.meta["article"]
        check.status = response.status
        response = self._decode(response)
        if (blocked := detect_antibot(response)) is not None:
            check.problems.append(f"article is an anti-bot challenge ({blocked})")
            return
        entry: ListEntry = response.meta["entry"]
        article = self.family.parse_article(response, self.source, self.tz, self.now)
        article = with_headline(article, entry, response_text(response), self.source)
        check.title = article.title or entry.title
        check.published_at = article.published_at or entry.published_at
        check.source_line = article.source_line
        check.text = article.text
        if not check.title:
            check.problems.append("no title")
        if check.published_at is None:
            check.problems.append("no publish date")
        if len(article.text.strip()) < MIN_BODY_CHARS:
            check.problems.append(f"empty body ({len(article.text.strip())} characters)")
        if not article.text.strip():
            return  # a crawl stores nothing either
        pages = ArticlePages(response.url, article, self.config.settings.crawl.max_article_pages)
        yield from self._next_page(response, check, pages)

    def parse_continuation(self, response: Response) -> Iterator[Request]:
        """A continuation page: the same whole text as a crawl would store."""
        check: ArticleCheck = response.meta["article"]
        pages: ArticlePages = response.meta["pages"]
        response = self._decode(response)
        if (blocked := detect_antibot(response)) is not None:
            self._incomplete(check, pages, response.url, f"anti-bot {blocked}")
            return
        page = self.family.parse_article(response, self.source, self.tz, self.now)
        if pages.add(response.url, page):
            yield from self._next_page(response, check, pages)
        check.text, check.pages = pages.article().text, pages.pages

    def _next_page(
        self, response: Response, check: ArticleCheck, pages: ArticlePages
    ) -> Iterator[Request]:
        following = pages.next_url(response_text(response), response.url)
        if pages.incomplete:
            check.problems.append(f"text incomplete: {pages.incomplete}")
        if following is not None:
            yield Request(
                following,
                callback=self.parse_continuation,
                errback=self.on_continuation_error,
                dont_filter=True,
                meta=self._meta(article=check, pages=pages),
            )

    def on_continuation_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        reason = describe_failure(failure)
        self._incomplete(request.meta["article"], request.meta["pages"], request.url, reason)

    @staticmethod
    def _incomplete(check: ArticleCheck, pages: ArticlePages, url: str, reason: str) -> None:
        check.problems.append(f"text incomplete: {pages.failed(url, reason)}")
        check.text, check.pages = pages.article().text, pages.pages

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        response = getattr(failure.value, "response", None)
        target: ListCheck | ArticleCheck = request.meta.get("check") or request.meta["article"]
        if response is not None:
            target.status = response.status
        where = "list page" if isinstance(target, ListCheck) else "article"
        if response is not None and (blocked := detect_antibot(response)) is not None:
            target.problems.append(f"{where} is an anti-bot challenge ({blocked})")
            return
        target.problems.append(f"{where}: {describe_failure(failure)}")


def check_sources(
    app: Any, sources: list[Source], *, verbose: int = 0, articles: int = 3, pages: int = 1
) -> list[SourceCheck]:
    """Check sources live, in one Scrapy process; returns a report per source.

    ``articles``: how many in-window articles to fetch per source; ``pages``: how many
    list pages to read per list URL (following each page's next page)."""

    config = app.config
    settings = scrapy_settings(app, verbose=verbose)
    settings.update(
        {
            "ITEM_PIPELINES": {},
            "EXTENSIONS": {"scrapy.extensions.telnet.TelnetConsole": None},
            "RETRY_TIMES": min(config.settings.crawl.retry_times, 1),
            "DOWNLOAD_DELAY": min(config.settings.crawl.download_delay, 1.0),
            "XINQU_DATABASE_URL": None,
        },
        priority="cmdline",
    )
    process = CrawlerProcess(settings)
    crawlers = []
    for source in sources:
        name = source.name
        spider = type(
            f"Check{name.title().replace('_', '')}",
            (CheckSpider,),
            {
                "name": f"check_{name}",
                "source": source,
                "config": config,
                "articles_wanted": articles,
                "pages_wanted": pages,
            },
        )
        crawler = process.create_crawler(spider)
        crawlers.append(crawler)
        process.crawl(crawler)
    process.start()
    spiders = [c.spider for c in crawlers]
    return [s.report for s in spiders if isinstance(s, CheckSpider)]


def _age(entry: ListEntry, report: SourceCheck) -> str:
    if entry.published_at is None:
        return "undated"
    if report.window_start is not None and entry.published_at < report.window_start:
        return "old"
    return "fresh"


def _row(entry: ListEntry, report: SourceCheck, tz: Any) -> str:
    when = f"{entry.published_at.astimezone(tz):%Y-%m-%d}" if entry.published_at else "?"
    evidence = entry.date_from or "—"
    return f"    {when:<10}  {evidence:<7}  {_age(entry, report):<7}  {entry.title}  {entry.url}"


def format_check(report: SourceCheck, tz: Any, *, rows: int | None = 5) -> list[str]:
    """The report as lines an editor reads at a glance.

    Each list row shows its date, the evidence the date came from (``time``,
    ``element``, ``url``, ``text``, ``json``; see crawler/extract/rowdate.py) and whether
    a crawl would fetch it (``fresh``) or skip it (``old``). ``rows``: rows shown per
    list page (None: all)."""
    source = report.source
    lines = [f"{source.name}  {source.area} · {source.site_name}  ({source.family or 'generic'})"]
    for item in report.lists:
        dated = sum(e.published_at is not None for e in item.entries)
        fresh = sum(_age(e, report) != "old" for e in item.entries)
        status = f"HTTP {item.status}" if item.status else "no response"
        nxt = item.next_urls[0] if item.next_urls else "none found"
        page = f"  (page {item.page})" if item.page > 1 else ""
        lines.append(f"  list     {item.url}{page}")
        lines.append(
            f"           {status}, {len(item.entries)} links, {dated} dated, next page: {nxt}"
        )
        lines += [f"           list loaded from {url}" for url in item.data_urls]
        if item.entries:
            lines.append(
                f"           {fresh} in the crawl window, {len(item.entries) - fresh} older"
            )
        shown = item.entries if rows is None else item.entries[:rows]
        lines += [_row(entry, report, tz) for entry in shown]
        if len(item.entries) > len(shown):
            lines.append(f"    … and {len(item.entries) - len(shown)} more")
    for article in report.articles:
        status = f"HTTP {article.status}" if article.status else "no response"
        lines.append(f"  article  {article.url}  {status}")
        if article.status and article.status < 400:
            lines += _article_lines(article, tz)
    problems = report.problems
    lines.append("  problems: " + ("none" if not problems else ""))
    lines += [f"    - {p}" for p in problems]
    return lines


def _article_lines(article: ArticleCheck, tz: Any) -> list[str]:
    when = (
        f"{article.published_at.astimezone(tz):%Y-%m-%d %H:%M %z}" if article.published_at else "—"
    )
    paragraphs = [p for p in article.text.splitlines() if p.strip()]
    pages = f" over {article.pages} pages" if article.pages > 1 else ""
    lead = paragraphs[0][:40] + ("…" if len(paragraphs[0]) > 40 else "") if paragraphs else ""
    lines = [
        f"    title      {article.title or '—'}",
        f"    published  {when}",
        f"    source     {article.source_line or '—'}",
        f"    body       {len(article.text)} characters, "
        f"{len(paragraphs)} paragraphs{pages}: {lead}",
    ]
    for paragraph in paragraphs[:3]:
        lines.append(f"      | {paragraph[:70]}{'…' if len(paragraph) > 70 else ''}")
    return lines


def _request_label(request: Request) -> str:
    """A list request as the report names it: its URL, or a POST with its form."""
    post = request.meta.get(POST_META)
    return post.describe() if isinstance(post, DataPost) else request.url
