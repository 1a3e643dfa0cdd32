"""Records each source's crawl (counts, status, the reason it failed) in the store.

In a distributed crawl (crawler/distributed.py) the coordinator records it, from
the counts and error lines every worker left in Redis; workers record nothing.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals

from crawler.distributed import ROLE
from crawler.spiders.source import SourceSpider
from crawler.storage import acquire_store, release_store
from xinqu.clock import now
from xinqu.store import Store, open_store
from xinqu.store.articles import (
    SourceRun,
    interrupt_runs,
    source_run_by_id,
    start_crawl_run,
)

#: Source runs opened in this process and not yet recorded, by database URL.
_UNRECORDED: dict[int, str] = {}


def record_interrupted(reason: str) -> None:
    """Record this process's unfinished source runs as interrupted, from any thread.

    For a crawl about to be forced down (its parent gone, a second SIGTERM): Scrapy
    then closes no spider, so the run recorder would leave each run "running".
    """
    by_url: dict[str, list[int]] = {}
    for run_id, url in list(_UNRECORDED.items()):
        by_url.setdefault(url, []).append(run_id)
    for url, ids in by_url.items():
        store = open_store(url, migrate=False)
        try:
            with store.session() as session:
                interrupt_runs(session, ids, reason)
        finally:
            store.dispose()


class RunRecorder:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.database_url = crawler.settings.get("XINQU_DATABASE_URL")
        self.run_id = crawler.settings.getint("XINQU_RUN_ID") or None
        if crawler.settings.get(ROLE) == "worker":
            self.database_url = None
        self.store: Store | None = None
        self.source_run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> RunRecorder:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: SourceSpider) -> None:
        if not self.database_url:
            return
        self.store = acquire_store(self.database_url)
        with self.store.session() as session:
            if self.run_id is None:
                self.run_id = start_crawl_run(session, trigger="scrapy").id
            run = SourceRun(run_id=self.run_id, source=spider.name, started_at=now())
            session.add(run)
            session.flush()
            self.source_run_id = run.id
        _UNRECORDED[run.id] = self.database_url

    def spider_closed(self, spider: SourceSpider, reason: str) -> None:
        if self.store is None or self.source_run_id is None:
            return
        stats = self.crawler.stats
        with self.store.session() as session:
            run = source_run_by_id(session, self.source_run_id)
            assert run is not None
            run.finished_at = now()
            run.requests = stats.get_value("downloader/request_count", 0) - stats.get_value(
                "robotstxt/request_count", 0
            )
            run.new = stats.get_value("xinqu/new", 0)
            run.updated = stats.get_value("xinqu/updated", 0)
            run.known = stats.get_value("xinqu/known", 0) + stats.get_value("xinqu/too_old", 0)
            run.errors = stats.get_value("xinqu/errors", 0)
            run.dead = stats.get_value("xinqu/dead", 0)
            run.anti_bot = spider.anti_bot
            run.error_message = spider.error_messages[0] if spider.error_messages else None
            run.status = self._status(stats, reason, run)
        _UNRECORDED.pop(self.source_run_id, None)
        release_store(self.database_url)

    @staticmethod
    def _status(stats: Any, reason: str, run: SourceRun) -> str:
        if run.anti_bot:
            return "blocked"
        if reason not in ("finished",):
            return "interrupted"
        if not stats.get_value("xinqu/list_pages_ok", 0):
            return "failed"
        return "partial" if run.errors else "ok"
