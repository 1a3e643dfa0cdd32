"""Articles and crawl runs: what the crawler stores and everything downstream reads.

This module owns the tables ``articles``, ``crawl_runs``, ``source_runs`` and
``failed_links``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, delete, func, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from xinqu.clock import now
from xinqu.store.base import Base, UTCDateTime
from xinqu.store.urls import canonical_url

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
    incomplete: Mapped[str | None] = mapped_column(
        Text, doc="why the text is not the whole article (a continuation page failed)"
    )
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
    dead: Mapped[int] = mapped_column(
        Integer, default=0, server_default="0", doc="failed links skipped without a request"
    )
    error_message: Mapped[str | None] = mapped_column(Text)
    anti_bot: Mapped[str | None] = mapped_column(String(64))


#: Failures that do not heal by waiting: the link is not requested again (until --refresh).
PERMANENT_FAILURES = frozenset({"gone", "robots", "empty"})


class FailedLink(Base):
    """An article link whose fetch failed, so that later crawls need not ask again.

    ``kind`` is ``gone`` (HTTP 404/410), ``robots`` (robots.txt forbids it), ``empty``
    (the page extracted to no title or no text) or ``transient`` (5xx after the
    retries, a timeout, a lost connection: tried again by the next crawls, up to
    ``crawl.max_link_attempts`` failing crawls in all). ``attempts`` counts the
    crawls in which it failed. The row goes when the article is stored.
    """

    __tablename__ = "failed_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    canonical_url: Mapped[str] = mapped_column(String(2048), unique=True, index=True)
    url: Mapped[str] = mapped_column(String(2048))
    source: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    first_failed: Mapped[datetime] = mapped_column(UTCDateTime)
    last_failed: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    last_error: Mapped[str] = mapped_column(Text, default="")


@dataclass(frozen=True)
class LinkFailure:
    """What the crawler hands the store for one failed article link."""

    url: str
    source: str
    kind: str
    error: str


@dataclass(frozen=True)
class LinkState:
    """A failed link as a crawl sees it before fetching."""

    kind: str
    attempts: int

    def dead(self, max_attempts: int, *, obey_robots: bool = True) -> bool:
        """Whether a crawl skips the link (``obey_robots=False``: robots.txt does not count)."""
        if self.kind == "robots" and not obey_robots:
            return False
        return self.kind in PERMANENT_FAILURES or self.attempts >= max_attempts


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
    #: Why the text is only part of the article (a continuation page failed), else None.
    incomplete: str | None = None


def article_by_id(session: Session, article_id: int) -> Article | None:
    return session.get(Article, article_id)


def titles_by_id(session: Session, article_ids: set[int]) -> dict[int, str]:
    rows = session.execute(select(Article.id, Article.title).where(Article.id.in_(article_ids)))
    return {row.id: row.title for row in rows}


def known_canonical_urls(session: Session, source: str | None = None) -> set[str]:
    query = select(Article.canonical_url)
    if source is not None:
        query = query.where(Article.source == source)
    return set(session.scalars(query))


def failed_link_states(session: Session, source: str | None = None) -> dict[str, LinkState]:
    """Every recorded failed link (by canonical URL) with its kind and failing crawls."""
    query = select(FailedLink.canonical_url, FailedLink.kind, FailedLink.attempts)
    if source is not None:
        query = query.where(FailedLink.source == source)
    return {key: LinkState(kind, attempts) for key, kind, attempts in session.execute(query)}


def record_link_failures(session: Session, failures: list[LinkFailure]) -> dict[str, int]:
    """Insert or bump the failed links of one crawl; returns each one's failing crawls so far."""
    if not failures:
        return {}
    at = now()
    keyed = {canonical_url(f.url): f for f in failures}
    stored: dict[str, FailedLink] = {}
    keys = list(keyed)
    for start in range(0, len(keys), 500):
        query = select(FailedLink).where(FailedLink.canonical_url.in_(keys[start : start + 500]))
        stored.update((row.canonical_url, row) for row in session.scalars(query))
    for key, failure in keyed.items():
        row = stored.get(key)
        if row is None:
            row = FailedLink(canonical_url=key, first_failed=at, attempts=0)
            session.add(row)
            stored[key] = row
        row.url = failure.url
        row.source = failure.source
        row.kind = failure.kind
        row.last_failed = at
        row.last_error = failure.error
        row.attempts += 1
    session.flush()
    return {key: stored[key].attempts for key in keyed}


def dead_link_counts(session: Session, max_attempts: int) -> dict[str, int]:
    """Per source, the failed links its crawls now skip."""
    dead = or_(FailedLink.kind.in_(PERMANENT_FAILURES), FailedLink.attempts >= max_attempts)
    query = select(FailedLink.source, func.count()).where(dead).group_by(FailedLink.source)
    return {source: count for source, count in session.execute(query)}


def is_known(session: Session, url: str) -> bool:
    key = canonical_url(url)
    return session.scalar(select(Article.id).where(Article.canonical_url == key)) is not None


def save_article(session: Session, record: ArticleRecord) -> str:
    """Insert or refresh one article; returns ``"new"``, ``"updated"`` or ``"known"``."""
    return save_articles(session, [record])[0]


def save_articles(session: Session, records: list[ArticleRecord]) -> list[str]:
    """Insert or refresh a batch of articles (one query for those already stored).

    Returns each record's outcome: ``"new"``, ``"updated"`` (text or title changed)
    or ``"known"``. A URL twice in one batch is saved once, then refreshed. A stored
    article's link is no longer a failed link, unless its text is incomplete: then the
    failure stays, so that later crawls fetch it again up to ``max_link_attempts``.
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
        whole = {k for k, r in zip(keys, records, strict=True) if k in chunk and not r.incomplete}
        session.execute(delete(FailedLink).where(FailedLink.canonical_url.in_(whole)))
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
                incomplete=record.incomplete,
                content_hash=digest,
                first_seen=seen,
                last_seen=seen,
            )
            session.add(article)
            stored[key] = article
            outcomes.append("new")
            continue
        article.last_seen = seen
        article.incomplete = record.incomplete
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


def source_run_by_id(session: Session, source_run_id: int) -> SourceRun | None:
    return session.get(SourceRun, source_run_id)


def source_runs_of(session: Session, run_id: int) -> list[SourceRun]:
    """The sources' parts of one crawl run, by source name."""
    query = select(SourceRun).where(SourceRun.run_id == run_id).order_by(SourceRun.source)
    return list(session.scalars(query))


def interrupt_runs(session: Session, source_run_ids: list[int], reason: str) -> None:
    """Close source runs (and their crawl run) that a stopped crawl could not record."""
    for run in session.scalars(select(SourceRun).where(SourceRun.id.in_(source_run_ids))):
        if run.status != "running":
            continue
        run.status = "interrupted"
        run.finished_at = now()
        run.error_message = run.error_message or reason
        crawl = session.get(CrawlRun, run.run_id)
        if crawl is not None and crawl.status == "running":
            crawl.status = "interrupted"
            crawl.finished_at = now()


def last_source_runs(session: Session) -> dict[str, SourceRun]:
    """The most recent finished-or-running run of each source."""
    latest = (
        select(SourceRun.source, func.max(SourceRun.id).label("id"))
        .group_by(SourceRun.source)
        .subquery()
    )
    rows = session.scalars(select(SourceRun).join(latest, SourceRun.id == latest.c.id))
    return {row.source: row for row in rows}


def newest_article_per_source(session: Session) -> dict[str, datetime]:
    """When each source last yielded a new article (its newest ``first_seen``)."""
    rows = session.execute(
        select(Article.source, func.max(Article.first_seen)).group_by(Article.source)
    )
    return {source: seen for source, seen in rows.all()}


def recent_source_runs(session: Session, source: str, limit: int) -> list[SourceRun]:
    """A source's last ``limit`` runs, newest first."""
    query = select(SourceRun).where(SourceRun.source == source).order_by(SourceRun.id.desc())
    return list(session.scalars(query.limit(limit)))
