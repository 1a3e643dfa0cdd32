"""Item pipeline: normalise an article and save it to the store.

Articles are written in batches (one transaction per ``XINQU_STORE_BATCH``
articles, and whatever is left when the spider closes): a commit per article
was a fifth of a crawl's CPU time. An article lost to a crash before its batch
is written is simply fetched again by the next crawl, as it is not yet known.
"""

from __future__ import annotations

import re
from typing import Any

from crawler.items import ArticleItem
from crawler.storage import acquire_store, release_store
from xinqu.store import Store
from xinqu.store.articles import ArticleRecord, save_articles

_BLANK_LINES = re.compile(r"\n\s*\n+")


def normalise_text(text: str) -> str:
    """Paragraphs one per line, trimmed, with no empty lines between them."""
    lines = (line.strip() for line in _BLANK_LINES.sub("\n", text.replace("\r", "")).split("\n"))
    return "\n".join(line for line in lines if line)


class StorePipeline:
    def __init__(self, database_url: str | None, stats: Any, batch: int = 50) -> None:
        self.database_url = database_url
        self.stats = stats
        self.batch = max(batch, 1)
        self.pending: list[ArticleRecord] = []
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        settings = crawler.settings
        return cls(
            settings.get("XINQU_DATABASE_URL"),
            crawler.stats,
            settings.getint("XINQU_STORE_BATCH", 50),
        )

    def open_spider(self, spider: Any = None) -> None:
        if self.database_url:
            self.store = acquire_store(self.database_url)

    def close_spider(self, spider: Any = None) -> None:
        if self.store is not None:
            self.flush()
            release_store(self.database_url)  # type: ignore[arg-type]

    def flush(self) -> None:
        if self.store is None or not self.pending:
            return
        with self.store.session() as session:
            outcomes = save_articles(session, self.pending)
        self.pending.clear()
        for outcome in outcomes:
            self.stats.inc_value(f"xinqu/{outcome}")

    def process_item(self, item: ArticleItem, spider: Any = None) -> ArticleItem:
        item.title = re.sub(r"\s+", " ", item.title).strip()
        item.text = normalise_text(item.text)
        if self.store is None:
            return item
        record = ArticleRecord(
            url=item.url,
            source=item.source,
            area=item.area,
            site_name=item.site_name,
            title=item.title,
            published_at=item.published_at,
            text=item.text,
            html=item.html,
            source_line=item.source_line,
            list_url=item.list_url,
            incomplete=item.incomplete,
        )
        self.pending.append(record)
        if len(self.pending) >= self.batch:
            self.flush()
        return item
