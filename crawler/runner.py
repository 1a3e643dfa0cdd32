"""Running a crawl of some or all sources in this process, recording it in the store.

Twisted's reactor cannot be restarted in one process, so a long-lived caller
(the scheduler) runs each crawl as a child `xinqu crawl` process instead of
calling this twice.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import redis
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from crawler import distributed
from crawler.spiderloader import spider_class
from xinqu.app import App
from xinqu.errors import XinquError
from xinqu.store.articles import (
    SourceRun,
    finish_crawl_run,
    source_runs_of,
    start_crawl_run,
)


class CrawlQueueError(XinquError):
    """The Redis server of a distributed crawl cannot be reached."""


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


def distributed_settings(app: App, settings: Settings, role: str, worker: str = "") -> Settings:
    """scrapy-redis's scheduler, dupefilter and stats in place of Scrapy's, keyed by run.

    The site delay moves from each process (Scrapy's DOWNLOAD_DELAY, AutoThrottle)
    to Redis (crawler.distributed.GlobalPoliteness), so it holds over all workers.
    """
    crawl = app.config.settings.crawl
    settings.set("XINQU_REDIS_PREFIX", crawl.redis_prefix, priority="cmdline")
    keys = distributed.run_keys(settings)
    settings.update(
        {
            "REDIS_URL": crawl.redis_url,
            "SCHEDULER": "crawler.distributed.DistributedScheduler",
            "SCHEDULER_QUEUE_CLASS": "crawler.distributed.ReliableQueue",
            "SCHEDULER_QUEUE_KEY": keys.queue("%(spider)s"),
            "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter("%(spider)s"),
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_PERSIST": True,
            "STATS_CLASS": "crawler.distributed.RunStats",
            distributed.ROLE: role,
            distributed.WORKER: worker,
            distributed.LEASE: crawl.worker_lease_seconds,
            distributed.DELAY: crawl.download_delay,
            "XINQU_WORKER_WAIT_SECONDS": crawl.worker_wait_seconds,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            # A request is done when its articles are stored, not batched: a killed
            # worker then leaves nothing half-kept, and its counts reach Redis at once.
            "XINQU_STORE_BATCH": 1,
        },
        priority="cmdline",
    )
    settings.set(
        "DOWNLOADER_MIDDLEWARES",
        {**settings.getdict("DOWNLOADER_MIDDLEWARES"), "crawler.distributed.GlobalPoliteness": 150},
        priority="cmdline",
    )
    settings.set(
        "EXTENSIONS",
        {**settings.getdict("EXTENSIONS"), "crawler.distributed.DistributedRun": 90},
        priority="cmdline",
    )
    return settings


def _redis(app: App) -> distributed.Client:
    url = app.config.settings.crawl.redis_url
    assert url is not None
    server = distributed.connect(url)
    try:
        server.ping()
    except redis.RedisError as error:
        raise CrawlQueueError(f"crawl.redis_url {url}: cannot reach Redis ({error})") from None
    return server


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
    settings = scrapy_settings(app, run_id, verbose)
    server = None
    if config.settings.crawl.redis_url:
        server = _redis(app)
        settings = distributed_settings(app, settings, "coordinator")
        keys = distributed.run_keys(settings)
        announcement = distributed.Announcement(run_id, tuple(s.name for s in sources), refresh)
        server.set(distributed.announcement_key(keys.prefix), announcement.dumps())
    process = CrawlerProcess(settings)
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
        if server is not None:
            distributed.forget_run(server, keys, [s.name for s in sources])
        with store.session() as session:
            finish_crawl_run(session, run_id, status)
    with store.session() as session:
        runs = source_runs_of(session, run_id)
    return runs


def run_worker(app: App, *, wait_seconds: float | None = None, verbose: int = 0) -> int | None:
    """Work on the distributed crawl run announced in Redis, until it is drained.

    Waits up to ``wait_seconds`` (None: as long as it takes) for a run to be
    announced; returns its id, or None when none came. One run per process
    (Twisted's reactor does not restart): a service manager starts the next.
    """
    server = _redis(app)
    crawl = app.config.settings.crawl
    announcement = distributed.wait_for_announcement(server, crawl.redis_prefix, wait_seconds)
    if announcement is None:
        return None
    settings = scrapy_settings(app, announcement.run_id, verbose)
    settings = distributed_settings(app, settings, "worker", distributed.worker_name())
    process = CrawlerProcess(settings)
    known = {source.name for source in app.config.sources}
    for name in announcement.sources:
        if name in known:
            crawler = process.create_crawler(spider_class(app.config, name))
            process.crawl(crawler, refresh=announcement.refresh)
    process.start()
    return announcement.run_id
