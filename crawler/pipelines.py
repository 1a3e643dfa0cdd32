"""Item pipeline: normalise an article and save it to the store."""

from __future__ import annotations

import re
from typing import Any

from crawler.items import ArticleItem
from scheduler.store import Store, open_store
from scheduler.store.articles import ArticleRecord, save_article

_BLANK_LINES = re.compile(r"\n\s*\n+")


def normalise_text(text: str) -> str:
    """Paragraphs one per line, trimmed, with no empty lines between them."""
    lines = (line.strip() for line in _BLANK_LINES.sub("\n", text.replace("\r", "")).split("\n"))
    return "\n".join(line for line in lines if line)


class StorePipeline:
    def __init__(self, database_url: str | None, stats: Any) -> None:
        self.database_url = database_url
        self.stats = stats
        self.store: Store | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(crawler.settings.get("XINQU_DATABASE_URL"), crawler.stats)

    def open_spider(self, spider: Any = None) -> None:
        if self.database_url:
            self.store = open_store(self.database_url, migrate=False)

    def close_spider(self, spider: Any = None) -> None:
        if self.store is not None:
            self.store.dispose()

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
        )
        with self.store.session() as session:
            outcome = save_article(session, record)
        self.stats.inc_value(f"xinqu/{outcome}")
        return item
