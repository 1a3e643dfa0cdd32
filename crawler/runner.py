"""Running a crawl of some or all sources in this process, recording it in the store.

Twisted's reactor cannot be restarted in one process, so a long-lived caller
(the scheduler) runs each crawl as a child `xinqu crawl` process instead of
calling this twice.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from crawler.spiderloader import spider_class
from xinqu.app import App
from xinqu.store.articles import SourceRun, finish_crawl_run, start_crawl_run


def scrapy_settings(app: App, run_id: int | None = None, verbose: int = 0) -> Settings:
    """The project's Scrapy settings with the product's `crawl:` settings mapped in."""
    crawl = app.config.settings.crawl
    settings = get_project_settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.update(
        {
            "DOWNLOAD_DELAY": crawl.download_delay,
            "AUTOTHROTTLE_ENABLED": crawl.autothrottle and crawl.download_delay > 0,
            "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrent_requests_per_domain,
            "DOWNLOAD_TIMEOUT": crawl.timeout_seconds,
            "RETRY_TIMES": crawl.retry_times,
            "RETRY_BACKOFF_BASE": crawl.retry_backoff_seconds,
            "DOWNLOAD_MAXSIZE": int(crawl.max_page_mb * 2**20),
            "DOWNLOAD_WARNSIZE": int(crawl.max_page_mb * 2**20 / 4),
            "XINQU_CONFIG": str(app.config.directory),
            "XINQU_DATABASE_URL": app.database_url,
            "XINQU_RUN_ID": run_id or 0,
            "LOG_LEVEL": "DEBUG" if verbose >= 2 else "INFO" if verbose else "WARNING",
        },
        priority="cmdline",
    )
    if crawl.user_agent:
        settings.set("USER_AGENT", crawl.user_agent, priority="cmdline")
    return settings


class Progress:
    """A one-line live count of pages, stored articles and finished sources, on a terminal only."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled = enabled
        self.total = total
        self.pages = 0
        self.items = 0
        self.done_sources = 0

    def connect(self, crawler: Any) -> None:
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def response_received(self, **_: Any) -> None:
        self.pages += 1
        self._show()

    def item_scraped(self, **_: Any) -> None:
        self.items += 1
        self._show()

    def spider_closed(self, **_: Any) -> None:
        self.done_sources += 1
        self._show()

    def _show(self) -> None:
        if self.enabled:
            sys.stderr.write(
                f"\r  crawling: {self.done_sources}/{self.total} sources done, "
                f"{self.pages} pages fetched, {self.items} articles stored "
            )
            sys.stderr.flush()

    def done(self) -> None:
        if self.enabled and (self.pages or self.done_sources):
            sys.stderr.write("\n")


def run_crawl(
    app: App,
    names: Sequence[str] = (),
    *,
    refresh: bool = False,
    trigger: str = "cli",
    verbose: int = 0,
    progress: bool | None = None,
) -> list[SourceRun]:
    """Crawl the named sources (default: every enabled one) and return their runs."""
    config = app.config
    sources = [config.source(n) for n in names] if names else list(config.enabled_sources)
    store = app.store
    with store.session() as session:
        run_id = start_crawl_run(session, trigger=trigger).id
    process = CrawlerProcess(scrapy_settings(app, run_id, verbose))
    watcher = Progress(sys.stderr.isatty() if progress is None else progress, len(sources))
    status = "failed"
    try:
        for source in sources:
            crawler = process.create_crawler(spider_class(config, source.name))
            watcher.connect(crawler)
            process.crawl(crawler, refresh=refresh)
        process.start()
        status = "finished"
    finally:
        watcher.done()
        with store.session() as session:
            finish_crawl_run(session, run_id, status)
    with store.session() as session:
        runs = list(
            session.query(SourceRun).filter(SourceRun.run_id == run_id).order_by(SourceRun.source)
        )
    return runs
