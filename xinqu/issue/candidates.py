"""What the issue selects from: the processing step's candidates, in one shape.

The processing step (``xinqu.process.candidates``) dedupes, classifies and
leaves out what earlier issues carried; this module only adapts its records to
:class:`Candidate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from xinqu.process import candidates as process_candidates
from xinqu.store.articles import Article


@dataclass(frozen=True)
class Candidate:
    """One story the issue may carry: its representative article and where else it ran."""

    article: Article
    section: str
    score: float = 0.0
    reason: str = ""
    also_at: tuple[str, ...] = field(default_factory=tuple)


def _adapt(record: Any, section_key: str) -> Candidate:
    return Candidate(
        article=record.article,
        section=record.section or section_key,
        score=float(record.score or 0.0),
        reason=str(record.reason or ""),
        also_at=tuple(str(u) for u in (record.also_at or ())),
    )


def section_candidates(
    session: Session,
    section_key: str,
    since_dt: datetime,
    until_dt: datetime,
    *,
    except_issue: int | None = None,
) -> list[Candidate]:
    """The section's candidates published in ``[since_dt, until_dt)``, not yet carried.

    ``except_issue``: an issue being rebuilt, whose own items are offered again.
    """
    records = process_candidates(
        session, section_key, since_dt, until_dt, except_issue=except_issue
    )
    return [_adapt(r, section_key) for r in records]
