"""What the issue selects from: the processing step's candidates, in one shape.

The processing step (``scheduler.process.candidates``) dedupes and classifies;
this module only adapts its records to :class:`Candidate`. Until that package is
present, an interim reader takes the period's stored articles and sorts them
into sections with a few keywords, so ``digest build`` works on its own; it is
dropped as soon as ``scheduler.process`` provides ``candidates``.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.store.articles import Article
from scheduler.store.issues import Issue


@dataclass(frozen=True)
class Candidate:
    """One story the issue may carry: its representative article and where else it ran."""

    article: Article
    section: str
    score: float = 0.0
    reason: str = ""
    also_at: tuple[str, ...] = field(default_factory=tuple)


def _process_candidates() -> Callable[..., Sequence[Any]] | None:
    try:
        module = importlib.import_module("scheduler.process")
    except ImportError:
        return None
    return getattr(module, "candidates", None)


def _adapt(record: Any, section_key: str) -> Candidate:
    article = getattr(record, "article", record)
    also_at = tuple(str(u) for u in (getattr(record, "also_at", None) or ()))
    return Candidate(
        article=article,
        section=getattr(record, "section", None) or section_key,
        score=float(getattr(record, "score", 0.0) or 0.0),
        reason=str(getattr(record, "reason", "") or ""),
        also_at=also_at,
    )


def carried_urls(session: Session, *, except_issue: int | None = None) -> set[str]:
    """URLs of the items earlier issues carried (so nothing is carried twice)."""
    query = select(Issue.id, Issue.content)
    urls: set[str] = set()
    for issue_id, content in session.execute(query):
        if issue_id == except_issue:
            continue
        for section in json.loads(content).get("sections", []):
            urls.update(item["url"] for item in section.get("items", []))
    return urls


def section_candidates(
    session: Session,
    section_key: str,
    since_dt: datetime,
    until_dt: datetime,
    section_keys: Sequence[str],
) -> list[Candidate]:
    """The section's candidates published in ``[since_dt, until_dt)``."""
    provider = _process_candidates()
    if provider is not None:
        return [_adapt(r, section_key) for r in provider(session, section_key, since_dt, until_dt)]
    return [
        c
        for c in _interim_candidates(session, since_dt, until_dt, section_keys)
        if c.section == section_key
    ]


_REFORM_WORDS = ("改革", "营商环境", "试点", "试验区", "放管服", "审批", "创新服务", "体制", "机制")


def _interim_section(article: Article, section_keys: Sequence[str]) -> str:
    """Interim only (until scheduler.process lands): reform by keyword, else industry."""
    if "reform" in section_keys and any(w in article.title for w in _REFORM_WORDS):
        return "reform"
    return "industry" if "industry" in section_keys else section_keys[0]


def _interim_candidates(
    session: Session, since_dt: datetime, until_dt: datetime, section_keys: Sequence[str]
) -> list[Candidate]:
    rows = session.scalars(
        select(Article)
        .where(Article.published_at >= since_dt, Article.published_at < until_dt)
        .order_by(Article.id)
    )
    return [Candidate(article=a, section=_interim_section(a, section_keys)) for a in rows]
