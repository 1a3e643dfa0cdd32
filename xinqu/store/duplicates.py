"""Story-level duplicate evidence between articles, as the last processing judged it.

This module owns the table ``duplicate_evidence``: one row per pair of articles that
processing judged the same story (merged into one group) or possibly the same (shown
to the editor as a possible duplicate, never merged without the editor). Each run
replaces the rows of the articles it processed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, Text, delete, insert, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from xinqu.clock import now
from xinqu.store.articles import Article
from xinqu.store.base import Base, UTCDateTime


class DuplicateEvidence(Base):
    __tablename__ = "duplicate_evidence"

    first_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    second_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    verdict: Mapped[str] = mapped_column(String(16), index=True, doc="same or possible")
    containment: Mapped[float] = mapped_column(Float)
    lead: Mapped[float] = mapped_column(Float)
    shared_facts: Mapped[str] = mapped_column(Text, default="", doc="、-separated")
    conflict: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    judged_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class EvidenceRow:
    first_id: int
    second_id: int
    verdict: str
    containment: float
    lead: float
    shared_facts: str
    conflict: str
    reason: str


def replace_evidence(
    session: Session, article_ids: Sequence[int], rows: Iterable[EvidenceRow]
) -> None:
    """Drop the evidence touching these articles and write the new rows."""
    for start in range(0, len(article_ids), 900):
        chunk = article_ids[start : start + 900]
        session.execute(
            delete(DuplicateEvidence).where(
                or_(DuplicateEvidence.first_id.in_(chunk), DuplicateEvidence.second_id.in_(chunk))
            )
        )
    stamp = now()
    values = [{**r.__dict__, "judged_at": stamp} for r in rows]
    if values:
        session.execute(insert(DuplicateEvidence), values)


def evidence_for(session: Session, article_id: int) -> list[DuplicateEvidence]:
    """Every pair this article is in, strongest first."""
    query = select(DuplicateEvidence).where(
        or_(DuplicateEvidence.first_id == article_id, DuplicateEvidence.second_id == article_id)
    )
    return sorted(session.scalars(query), key=lambda e: (e.verdict != "same", -e.containment))


def possible_pairs(session: Session) -> list[DuplicateEvidence]:
    query = select(DuplicateEvidence).where(DuplicateEvidence.verdict == "possible")
    return sorted(session.scalars(query), key=lambda e: -e.containment)


def possible_lines(session: Session, urls: set[str]) -> list[str]:
    """One line per possible duplicate that touches an article at these URLs."""
    if not urls:
        return []
    ids = {
        row.id: row.title
        for row in session.execute(select(Article.id, Article.title).where(Article.url.in_(urls)))
    }
    lines = []
    for e in possible_pairs(session):
        if e.first_id not in ids and e.second_id not in ids:
            continue
        other = e.second_id if e.first_id in ids else e.first_id
        mine = e.first_id if other == e.second_id else e.second_id
        title = session.get(Article, other)
        lines.append(
            f"{ids[mine]}（{mine}）与 {title.title if title else other}（{other}）："
            f"{e.reason}；合并：xinqu articles merge {e.first_id} {e.second_id}"
        )
    return lines
