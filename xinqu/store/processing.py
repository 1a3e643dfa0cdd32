"""What processing decided about each article, the editor's overrides, and carried articles.

This module owns the tables:

- ``article_processing``: one row per processed article — its dedupe group (the id of
  the group's representative), its content key and MinHash signature (reused while
  the article's content is unchanged), the classifier's section, score and reason,
  the area the story is about and the evidence for it (xinqu.process.area);
  and whether that section was an uncertain call (its margin over the runner-up).
- ``article_overrides``: the editor's decisions, which processing never overwrites —
  a section set by hand, an article split off from its group.
- ``article_area_overrides``: the editor's area for an article's story.
- ``article_merges``: pairs of articles the editor merged into one group.
- ``carried_articles``: articles an issue has carried, so no later issue carries them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    delete,
    false,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from xinqu.clock import now
from xinqu.errors import XinquError
from xinqu.store.articles import Article
from xinqu.store.base import Base, UTCDateTime


class ArticleProcessing(Base):
    __tablename__ = "article_processing"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    content_hash: Mapped[str] = mapped_column(String(64), doc="the article's hash when processed")
    content_key: Mapped[str] = mapped_column(String(40), index=True)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    shingles: Mapped[int] = mapped_column(Integer, doc="size of the shingle set")
    group_id: Mapped[int] = mapped_column(Integer, index=True, doc="the representative's id")
    section: Mapped[str] = mapped_column(String(32), index=True)
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text, default="")
    classifier: Mapped[str] = mapped_column(String(32), doc="classifier version")
    area: Mapped[str | None] = mapped_column(String(64), doc="the area the story is about")
    area_where: Mapped[str | None] = mapped_column(String(16), doc="headline, lead or site")
    area_evidence: Mapped[str | None] = mapped_column(Text, doc="the names found, 、-separated")
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    uncertain: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(), doc="a section the editor should check"
    )
    runner_up: Mapped[str | None] = mapped_column(String(32), doc="the next-best section")
    margin: Mapped[float | None] = mapped_column(Float, doc="the section's lead over runner_up")


class ArticleOverride(Base):
    __tablename__ = "article_overrides"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    section: Mapped[str | None] = mapped_column(String(32))
    detached: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ArticleAreaOverride(Base):
    __tablename__ = "article_area_overrides"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    area: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ArticleMerge(Base):
    __tablename__ = "article_merges"
    __table_args__ = (UniqueConstraint("first_id", "second_id", name="uq_article_merge"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    second_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CarriedArticle(Base):
    __tablename__ = "carried_articles"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    issue_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    carried_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class ProcessingRow:
    """One article's processing result, as written in bulk."""

    article_id: int
    content_hash: str
    content_key: str
    signature: bytes
    shingles: int
    group_id: int
    section: str
    score: float
    reason: str
    classifier: str
    area: str | None = None
    area_where: str | None = None
    area_evidence: str | None = None
    uncertain: bool = False
    runner_up: str | None = None
    margin: float | None = None


class UnknownArticleError(XinquError):
    pass


def _require(session: Session, article_ids: Sequence[int]) -> None:
    found = set(session.scalars(select(Article.id).where(Article.id.in_(article_ids))))
    missing = [i for i in article_ids if i not in found]
    if missing:
        raise UnknownArticleError(f"no article with id {missing[0]} (see `xinqu articles list`)")


def processing_states(
    session: Session, article_ids: Iterable[int] | None = None
) -> dict[int, ArticleProcessing]:
    query = select(ArticleProcessing)
    if article_ids is not None:
        ids = list(article_ids)
        out: dict[int, ArticleProcessing] = {}
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            for row in session.scalars(query.where(ArticleProcessing.article_id.in_(chunk))):
                out[row.article_id] = row
        return out
    return {row.article_id: row for row in session.scalars(query)}


def replace_processing(session: Session, rows: Sequence[ProcessingRow]) -> None:
    """Write processing results (replacing earlier ones of the same articles) in bulk."""
    ids = [r.article_id for r in rows]
    for start in range(0, len(ids), 900):
        session.execute(
            delete(ArticleProcessing).where(
                ArticleProcessing.article_id.in_(ids[start : start + 900])
            )
        )
    stamp = now()
    if rows:
        session.execute(
            insert(ArticleProcessing),
            [{**r.__dict__, "processed_at": stamp} for r in rows],
        )


def overrides(session: Session) -> dict[int, ArticleOverride]:
    return {o.article_id: o for o in session.scalars(select(ArticleOverride))}


def area_overrides(session: Session) -> dict[int, ArticleAreaOverride]:
    return {o.article_id: o for o in session.scalars(select(ArticleAreaOverride))}


def set_area(session: Session, article_id: int, area: str) -> None:
    """The editor's area for an article (and so for its story); re-processing keeps it."""
    _require(session, [article_id])
    row = session.get(ArticleAreaOverride, article_id)
    if row is None:
        session.add(ArticleAreaOverride(article_id=article_id, area=area, updated_at=now()))
    else:
        row.area = area
        row.updated_at = now()


def merges(session: Session) -> list[tuple[int, int]]:
    return [(m.first_id, m.second_id) for m in session.scalars(select(ArticleMerge))]


def _override(session: Session, article_id: int) -> ArticleOverride:
    row = session.get(ArticleOverride, article_id)
    if row is None:
        row = ArticleOverride(article_id=article_id, section=None, detached=False, updated_at=now())
        session.add(row)
    return row


def set_section(session: Session, article_id: int, section: str) -> None:
    """The editor's section for an article (and so for its group); re-processing keeps it."""
    _require(session, [article_id])
    row = _override(session, article_id)
    row.section = section
    row.updated_at = now()


def merge_articles(session: Session, first_id: int, second_id: int) -> None:
    """Put two articles in one group (a split article still joins nothing else)."""
    if first_id == second_id:
        raise XinquError("merge needs two different article ids")
    _require(session, [first_id, second_id])
    a, b = sorted((first_id, second_id))
    exists = session.scalar(
        select(ArticleMerge.id).where(ArticleMerge.first_id == a, ArticleMerge.second_id == b)
    )
    if exists is None:
        session.add(ArticleMerge(first_id=a, second_id=b, created_at=now()))


def split_article(session: Session, article_id: int) -> None:
    """Take an article out of its group for good: no automatic merge, manual merges dropped."""
    _require(session, [article_id])
    row = _override(session, article_id)
    row.detached = True
    row.updated_at = now()
    session.execute(
        delete(ArticleMerge).where(
            or_(ArticleMerge.first_id == article_id, ArticleMerge.second_id == article_id)
        )
    )


def mark_carried(session: Session, article_ids: Iterable[int], issue_id: int) -> None:
    """Record exactly these articles as the ones an issue carries.

    Replaces the issue's earlier set, so an article a rebuild drops becomes a
    candidate again instead of being lost as "already carried".
    """
    stamp = now()
    session.execute(delete(CarriedArticle).where(CarriedArticle.issue_id == issue_id))
    for article_id in dict.fromkeys(article_ids):
        session.add(CarriedArticle(article_id=article_id, issue_id=issue_id, carried_at=stamp))
    session.flush()


def carried_ids(session: Session, *, except_issue: int | None = None) -> set[int]:
    query = select(CarriedArticle.article_id)
    if except_issue is not None:
        query = query.where(CarriedArticle.issue_id != except_issue)
    return set(session.scalars(query))


@dataclass(frozen=True)
class UncertainCall:
    """An article an issue carries whose section the classifier was unsure of."""

    article_id: int
    title: str
    section: str
    runner_up: str | None
    margin: float | None


def uncertain_in_issue(session: Session, issue_id: int) -> list[UncertainCall]:
    """The issue's carried articles whose section was an uncertain call (and not the editor's)."""
    rows = session.execute(
        select(Article.id, Article.title, ArticleProcessing)
        .join(CarriedArticle, CarriedArticle.article_id == Article.id)
        .join(ArticleProcessing, ArticleProcessing.article_id == Article.id)
        .where(CarriedArticle.issue_id == issue_id, ArticleProcessing.uncertain.is_(True))
        .order_by(Article.id)
    ).all()
    edited = {i for i, o in overrides(session).items() if o.section}
    return [
        UncertainCall(aid, title, state.section, state.runner_up, state.margin)
        for aid, title, state in rows
        if aid not in edited
    ]


def processed_articles(
    session: Session, since: datetime | None = None
) -> list[tuple[Article, ArticleProcessing]]:
    """Processed articles with their state, newest first (by published, else first seen)."""
    when = func.coalesce(Article.published_at, Article.first_seen)
    query = select(Article, ArticleProcessing).join(
        ArticleProcessing, ArticleProcessing.article_id == Article.id
    )
    if since is not None:
        query = query.where(when >= since)
    return [(a, s) for a, s in session.execute(query.order_by(when.desc(), Article.id.desc()))]


def group_members(session: Session) -> dict[int, list[int]]:
    """Each story's articles: group id (its representative) → article ids."""
    members: dict[int, list[int]] = {}
    for group_id, article_id in session.execute(
        select(ArticleProcessing.group_id, ArticleProcessing.article_id)
    ):
        members.setdefault(group_id, []).append(article_id)
    return members


def group_articles(session: Session, group_id: int) -> list[Article]:
    """The articles of one story, by id."""
    return list(
        session.scalars(
            select(Article)
            .join(ArticleProcessing, ArticleProcessing.article_id == Article.id)
            .where(ArticleProcessing.group_id == group_id)
            .order_by(Article.id)
        )
    )


def processing_state(session: Session, article_id: int) -> ArticleProcessing | None:
    return session.get(ArticleProcessing, article_id)
