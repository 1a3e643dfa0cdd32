"""The one spider class; a subclass per source is made by the spider loader.

Flow per configured list URL: fetch the list page (through the source's family; a
page that is only a shell names ``data_urls`` holding its entries, fetched as the
same page), skip links already stored, links older than the crawl window (by the
row's date, or when the row shows none by the article's own) and dead links (failed
for good, or for a passing reason in ``crawl.max_link_attempts`` crawls; all of them
fetched again with ``refresh``), fetch the rest as articles, at most
``crawl.max_articles_per_list`` new ones per list page (the rest are left for the
next crawl, said in one line), and follow the family's next page request while a
page still yields a link never seen before, up to ``max_pages`` (the rule is
:func:`crawler.extract.pagination.follow_list`). An article split over several pages
is followed to its last page (``crawl.max_article_pages`` at most) and stored once,
whole; when a continuation page fails, what was collected is stored marked
``incomplete`` and its link recorded as failed, so that later crawls (up to
``max_link_attempts``) fetch it again. Failed article links are recorded when the
spider closes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from crawler.antibot import detect_antibot
from crawler.extract.pages import ArticlePages
from crawler.extract.pagination import follow_list
from crawler.extract.stored_title import with_headline
from crawler.failures import describe_failure, failure_kind
from crawler.families import ListEntry, get_family
from crawler.families.common import response_text
from crawler.items import ArticleItem
from crawler.storage import acquire_store, release_store
from xinqu.clock import now as clock_now
from xinqu.config import Config, Source
from xinqu.store.articles import (
    LinkFailure,
    LinkState,
    failed_link_states,
    known_canonical_urls,
    record_link_failures,
)
from xinqu.store.urls import canonical_url


class SourceSpider(scrapy.Spider):
    name = "source"
    source: Source
    config: Config

    def __init__(self, *args: Any, refresh: bool | str = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refresh = str(refresh).lower() in ("1", "true", "yes")
        self.family = get_family(self.source.family)
        self.tz = self.config.settings.tz
        self.now = clock_now(self.tz)
        self.window_start = self.now - timedelta(days=self.config.settings.crawl.window_days)
        self.max_pages = self.source.max_pages or self.config.settings.crawl.max_pages
        self.known: set[str] = set()
        self.failing: dict[str, LinkState] = {}
        self.max_link_attempts = self.config.settings.crawl.max_link_attempts
        self.max_article_pages = self.config.settings.crawl.max_article_pages
        self.max_articles_per_list = self.config.settings.crawl.max_articles_per_list
        self.link_failures: list[LinkFailure] = []
        self.error_messages: list[str] = []
        self.anti_bot: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_callback_error, signal=signals.spider_error)
        url = crawler.settings.get("XINQU_DATABASE_URL")
        if url:
            store = acquire_store(url)
            try:
                with store.session() as session:
                    if not spider.refresh:
                        spider.known = known_canonical_urls(session)
                    spider.failing = failed_link_states(session)
                # A stored article with a failed link is one stored incomplete: asked
                # for again, whole, while its failure is a passing one.
                spider.known -= {
                    key
                    for key, state in spider.failing.items()
                    if not state.dead(
                        spider.max_link_attempts, obey_robots=spider.source.obey_robots
                    )
                }
            finally:
                release_store(url)
        return spider

    def _meta(self, **extra: Any) -> dict[str, Any]:
        meta: dict[str, Any] = dict(extra)
        if not self.source.obey_robots:
            meta["dont_obey_robotstxt"] = True
        return meta

    async def start(self) -> AsyncIterator[Request]:
        for url in self.source.urls:
            for request in self.family.list_requests(self.source, url):
                yield request.replace(
                    callback=self.parse_list,
                    errback=self.on_error,
                    meta=self._meta(**request.meta, list_url=url, page=1, kind="list"),
                )

    def _text_response(self, response: Response) -> Response:
        if self.source.encoding and isinstance(response, TextResponse):
            return response.replace(encoding=self.source.encoding)
        return response

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Request | ArticleItem]:
        """The default callback (`scrapy parse URL`): a configured list URL, else an article."""
        if response.meta.get("kind") == "article" or (
            "kind" not in response.meta and response.url not in self.source.urls
        ):
            yield from self.parse_article(response)
        else:
            yield from self.parse_list(response)

    def parse_list(self, response: Response) -> Iterator[Request]:
        response.meta.setdefault("list_url", response.url)
        response = self._text_response(response)
        stats = self.crawler.stats
        if (blocked := detect_antibot(response)) is not None:
            self._record_block(blocked, response.url)
            return
        page = self.family.parse_list(response, self.source, self.tz, self.now)
        stats.inc_value("xinqu/list_pages_ok")
        if not page.entries:
            stats.inc_value("xinqu/empty_list_pages")
        fresh = 0
        taken = 0
        overflow = 0
        for entry in page.entries:
            key = canonical_url(entry.url)
            if key in self.known:
                stats.inc_value("xinqu/known")
                continue
            if entry.published_at is not None and entry.published_at < self.window_start:
                stats.inc_value("xinqu/too_old")
                continue
            failing = None if self.refresh else self.failing.get(key)
            if failing is not None and failing.dead(
                self.max_link_attempts, obey_robots=self.source.obey_robots
            ):
                stats.inc_value("xinqu/dead")
                continue
            if taken >= self.max_articles_per_list:
                overflow += 1
                continue
            taken += 1
            self.known.add(key)
            if failing is None:  # a retried failure is no reason to read further pages
                fresh += 1
            yield Request(
                entry.url,
                callback=self.parse_article,
                errback=self.on_error,
                meta=self._meta(list_url=response.meta["list_url"], entry=entry, kind="article"),
                # `known` already dedupes links; the filter would drop a redirect's target
                # (a loop, or two links sent to one page) without a word.
                dont_filter=True,
            )
        if overflow:
            stats.inc_value("xinqu/list_overflow", overflow)
            self._report(
                f"list {response.url}: {overflow} more new links than "
                f"crawl.max_articles_per_list ({self.max_articles_per_list}); "
                "left for the next crawl"
            )
        number = response.meta.get("page", 1)
        list_url = response.meta["list_url"]
        for request in self.family.data_requests(page):
            yield request.replace(
                callback=self.parse_list,
                errback=self.on_error,
                meta=self._meta(**request.meta, list_url=list_url, page=number, kind="list"),
            )
        if follow_list(fresh, number, self.max_pages):
            for request in self.family.next_requests(response, page, self.source)[:1]:
                yield request.replace(
                    callback=self.parse_list,
                    errback=self.on_error,
                    meta=self._meta(
                        **request.meta, list_url=list_url, page=number + 1, kind="list"
                    ),
                )

    def parse_article(self, response: Response) -> Iterator[ArticleItem | Request]:
        response = self._text_response(response)
        if (blocked := detect_antibot(response)) is not None:
            self._record_block(blocked, response.url)
            return
        entry: ListEntry = response.meta.get("entry") or ListEntry(url=response.url, title="")
        article = self.family.parse_article(response, self.source, self.tz, self.now)
        article = with_headline(article, entry, response_text(response), self.source)
        title = article.title or entry.title
        if not title.strip() or not article.text.strip():
            missing = "text" if title.strip() else "title"
            self.crawler.stats.inc_value("xinqu/errors")
            self._link_failed(entry.url, "empty", f"no {missing} extracted", kind="article")
            return
        if self._older_than_window(response, entry, article.published_at):
            self.crawler.stats.inc_value("xinqu/too_old")
            return
        pages = ArticlePages(response.url, article, self.max_article_pages)
        yield from self._next_page(response, pages, entry)

    def _older_than_window(
        self, response: Response, entry: ListEntry, published: datetime | None
    ) -> bool:
        """A link its list row gave no date for, whose page says it is older than the
        crawl window: skipped as a dated row would have been."""
        listed = "entry" in response.meta and entry.published_at is None
        return listed and published is not None and published < self.window_start

    def parse_continuation(self, response: Response) -> Iterator[ArticleItem | Request]:
        """One continuation page of an article: add its text, then go on or emit."""
        pages: ArticlePages = response.meta["pages"]
        entry: ListEntry = response.meta["entry"]
        list_url = response.meta.get("list_url")
        self.crawler.stats.inc_value("xinqu/continuation_pages")
        response = self._text_response(response)
        if (blocked := detect_antibot(response)) is not None:
            self._record_block(blocked, response.url)
            yield from self._page_failed(
                pages, entry, response.url, f"anti-bot {blocked}", None, list_url
            )
            return
        try:
            page = self.family.parse_article(response, self.source, self.tz, self.now)
        except Exception as exc:  # a parsing bug must not lose the pages before it
            reason = " ".join(f"could not parse ({type(exc).__name__}: {exc})".split())
            yield from self._page_failed(pages, entry, response.url, reason, "transient", list_url)
            return
        if pages.add(response.url, page):
            yield from self._next_page(response, pages, entry)
        else:
            yield self._item(pages, entry, list_url)

    def _next_page(
        self, response: Response, pages: ArticlePages, entry: ListEntry
    ) -> Iterator[ArticleItem | Request]:
        following = pages.next_url(response_text(response), response.url)
        if following is None:
            if pages.incomplete:
                self._report(f"article {entry.url}: {pages.incomplete}")
            yield self._item(pages, entry, response.meta.get("list_url"))
            return
        yield Request(
            following,
            callback=self.parse_continuation,
            errback=self.on_continuation_error,
            dont_filter=True,  # the article's own loop check decides, not the crawl's
            priority=1,  # finish an article before starting others: its pages wait in memory
            meta=self._meta(
                list_url=response.meta.get("list_url"),
                entry=entry,
                pages=pages,
                kind="continuation",
            ),
        )

    def _item(self, pages: ArticlePages, entry: ListEntry, list_url: str | None) -> ArticleItem:
        article = pages.article()
        return ArticleItem(
            # Keyed by the link as listed, so a redirecting link is known on the next crawl.
            url=entry.url,
            source=self.source.name,
            area=self.source.area,
            site_name=self.source.site_name,
            title=article.title or entry.title,
            published_at=article.published_at or entry.published_at,
            text=article.text,
            html=article.html,
            source_line=article.source_line,
            list_url=list_url,
            incomplete=pages.incomplete,
        )

    def on_continuation_error(self, failure: Failure) -> Iterator[ArticleItem]:
        request = failure.request  # type: ignore[attr-defined]
        response = getattr(failure.value, "response", None)
        if response is not None and (blocked := detect_antibot(response)) is not None:
            self._record_block(blocked, request.url)
            reason, kind = f"anti-bot {blocked}", None
        elif isinstance(failure.value, IgnoreRequest) and "robots" in str(failure.value).lower():
            reason, kind = "disallowed by robots.txt", "robots"
        else:
            reason, kind = describe_failure(failure), failure_kind(failure)
        yield from self._page_failed(
            request.meta["pages"],
            request.meta["entry"],
            request.url,
            reason,
            kind,
            list_url=request.meta.get("list_url"),
        )

    def _page_failed(
        self,
        pages: ArticlePages,
        entry: ListEntry,
        url: str,
        reason: str,
        kind: str | None,
        list_url: str | None = None,
    ) -> Iterator[ArticleItem]:
        """Store what was collected, marked incomplete; remember the link so that later
        crawls fetch the article again while the failure is a passing one."""
        note = pages.failed(url, reason)
        self.crawler.stats.inc_value("xinqu/incomplete_articles")
        if kind is not None:
            self.crawler.stats.inc_value("xinqu/errors")
            self._link_failed(entry.url, kind, f"{note}; stored incomplete", kind="article")
        else:  # blocked: counted as an error by _record_block
            self._report(f"article {entry.url}: {note}; stored incomplete")
        yield self._item(pages, entry, list_url)

    def _record_block(self, kind: str, url: str) -> None:
        self.anti_bot = kind
        self.crawler.stats.inc_value("xinqu/errors")
        self.error_messages.append(f"blocked by anti-bot protection ({kind}) at {url}")

    def on_callback_error(self, failure: Failure, response: Response, spider: Any) -> None:
        """A bug or an unexpected page in parsing code: counted and named, the crawl goes on."""
        self.crawler.stats.inc_value("xinqu/errors")
        kind = response.meta.get("kind", "page")
        name = type(failure.value).__name__
        self.error_messages.append(
            " ".join(f"{kind} {response.url}: could not parse ({name}: {failure.value})".split())
        )

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        kind = request.meta.get("kind", "page")
        entry: ListEntry | None = request.meta.get("entry")
        if isinstance(failure.value, IgnoreRequest) and "robots" in str(failure.value).lower():
            self.crawler.stats.inc_value("xinqu/robots_forbidden")
            if entry is not None:
                self.link_failures.append(
                    LinkFailure(entry.url, self.source.name, "robots", "disallowed by robots.txt")
                )
            if kind == "list":
                self.crawler.stats.inc_value("xinqu/errors")
                self.error_messages.append(
                    f"list {request.url}: disallowed by robots.txt (obey_robots: false overrides)"
                )
            return
        response = getattr(failure.value, "response", None)
        if response is not None and (blocked := detect_antibot(response)) is not None:
            self._record_block(blocked, request.url)
            return
        self.crawler.stats.inc_value("xinqu/errors")
        if kind == "list":
            self.crawler.stats.inc_value("xinqu/list_pages_failed")
        if entry is not None:
            self._link_failed(entry.url, failure_kind(failure), describe_failure(failure), kind)
            return
        self._report(f"{kind} {request.url}: {describe_failure(failure)}")

    def _report(self, message: str) -> None:
        self.error_messages.append(message)
        self.logger.info(message)  # the summary line reports it; the log file keeps each

    def _link_failed(self, url: str, failure: str, error: str, kind: str) -> None:
        """Remember a failed article link; say so when this was its last try."""
        self.link_failures.append(LinkFailure(url, self.source.name, failure, error))
        state = self.failing.get(canonical_url(url))
        attempts = (state.attempts if state else 0) + 1
        message = f"{kind} {url}: {error}"
        if failure == "transient" and attempts >= self.max_link_attempts:
            message += f" (failed in {attempts} crawls; not requested again until --refresh)"
        self._report(message)

    def closed(self, reason: str) -> None:
        url = self.crawler.settings.get("XINQU_DATABASE_URL")
        if not url or not self.link_failures:
            return
        store = acquire_store(url)
        try:
            with store.session() as session:
                record_link_failures(session, self.link_failures)
        finally:
            release_store(url)
