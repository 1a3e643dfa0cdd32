"""Articles and crawl runs: what the crawler stores and everything downstream reads.

This module owns the tables ``articles``, ``crawl_runs`` and ``source_runs``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from scheduler.clock import now
from scheduler.store.base import Base, UTCDateTime
from scheduler.store.urls import canonical_url

_SPACE = re.compile(r"\s+")


def content_hash(text: str) -> str:
    """SHA-256 of the text with all white space removed (edits show as a new hash)."""
    return hashlib.sha256(_SPACE.sub("", text).encode("utf-8")).hexdigest()


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canonical_url: Mapped[str] = mapped_column(String(2048), unique=True, index=True)
    url: Mapped[str] = mapped_column(String(2048))
    source: Mapped[str] = mapped_column(String(64), index=True)
    area: Mapped[str] = mapped_column(String(64), index=True)
    site_name: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str] = mapped_column(Text, default="")
    source_line: Mapped[str | None] = mapped_column(Text)
    list_url: Mapped[str | None] = mapped_column(String(2048))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, doc="last time the content hash changed"
    )


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    trigger: Mapped[str] = mapped_column(String(32), default="cli")
    status: Mapped[str] = mapped_column(String(16), default="running")


class SourceRun(Base):
    """One source's part of a crawl run, with its counts and the reason it failed."""

    __tablename__ = "source_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")
    requests: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    known: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    error_message: Mapped[str | None] = mapped_column(Text)
    anti_bot: Mapped[str | None] = mapped_column(String(64))


@dataclass(frozen=True)
class ArticleRecord:
    """What the crawler hands the store for one article page."""

    url: str
    source: str
    area: str
    site_name: str
    title: str
    published_at: datetime | None
    text: str
    html: str = ""
    source_line: str | None = None
    list_url: str | None = None


def known_canonical_urls(session: Session, source: str | None = None) -> set[str]:
    query = select(Article.canonical_url)
    if source is not None:
        query = query.where(Article.source == source)
    return set(session.scalars(query))


def is_known(session: Session, url: str) -> bool:
    key = canonical_url(url)
    return session.scalar(select(Article.id).where(Article.canonical_url == key)) is not None


def save_article(session: Session, record: ArticleRecord) -> str:
    """Insert or refresh one article; returns ``"new"``, ``"updated"`` or ``"known"``."""
    return save_articles(session, [record])[0]


def save_articles(session: Session, records: list[ArticleRecord]) -> list[str]:
    """Insert or refresh a batch of articles (one query for those already stored).

    Returns each record's outcome: ``"new"``, ``"updated"`` (text or title changed)
    or ``"known"``. A URL twice in one batch is saved once, then refreshed.
    """
    for record in records:
        if record.published_at is not None and record.published_at.tzinfo is None:
            raise ValueError("published_at must be timezone-aware")
    keys = [canonical_url(r.url) for r in records]
    stored: dict[str, Article] = {}
    for start in range(0, len(keys), 500):
        chunk = set(keys[start : start + 500])
        query = select(Article).where(Article.canonical_url.in_(chunk))
        stored.update((a.canonical_url, a) for a in session.scalars(query))
    seen = now()
    outcomes = []
    for key, record in zip(keys, records, strict=True):
        digest = content_hash(record.text)
        article = stored.get(key)
        if article is None:
            article = Article(
                canonical_url=key,
                url=record.url,
                source=record.source,
                area=record.area,
                site_name=record.site_name,
                title=record.title,
                published_at=record.published_at,
                text=record.text,
                html=record.html,
                source_line=record.source_line,
                list_url=record.list_url,
                content_hash=digest,
                first_seen=seen,
                last_seen=seen,
            )
            session.add(article)
            stored[key] = article
            outcomes.append("new")
            continue
        article.last_seen = seen
        if article.content_hash == digest and article.title == record.title:
            outcomes.append("known")
            continue
        article.title = record.title
        article.text = record.text
        article.html = record.html
        article.source_line = record.source_line
        article.published_at = record.published_at or article.published_at
        article.content_hash = digest
        article.updated_at = seen
        outcomes.append("updated")
    session.flush()
    return outcomes


def start_crawl_run(session: Session, trigger: str = "cli") -> CrawlRun:
    run = CrawlRun(started_at=now(), trigger=trigger, status="running")
    session.add(run)
    session.flush()
    return run


def finish_crawl_run(session: Session, run_id: int, status: str) -> None:
    run = session.get(CrawlRun, run_id)
    if run is not None:
        run.finished_at = now()
        run.status = status


def last_source_runs(session: Session) -> dict[str, SourceRun]:
    """The most recent finished-or-running run of each source."""
    latest = (
        select(SourceRun.source, func.max(SourceRun.id).label("id"))
        .group_by(SourceRun.source)
        .subquery()
    )
    rows = session.scalars(select(SourceRun).join(latest, SourceRun.id == latest.c.id))
    return {row.source: row for row in rows}
