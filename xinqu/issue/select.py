"""Choosing a section's items like the editor did.

Candidates are ranked by substance (figures in 亿元 and %, named projects and
companies, named documents 《…》, approvals and signings), then recency, then
the source's priority; the processing step's own score is added in. The top
ones go into the section, at most ``max_items_per_area`` per area and
``max_items_per_section`` in all; every other candidate is listed under
``more``, so nothing in the period is lost silently. The area counted is the one
the story is about (xinqu.process.area), not the carrying site's; stories about
several areas are capped as one group of their own.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from xinqu.process import Candidate

_FIGURE = re.compile(r"\d[\d.,]*\s*(?:亿|万亿|千亿|百亿)(?:元|美元)?|\d[\d.]*\s*(?:%|％)")
_DOCUMENT = re.compile(r"《[^《》]{2,60}》")
_NAMED = re.compile(r"(?:公司|集团|项目|产业园|基地|园区|平台|中心|实验室)")
_APPROVAL = re.compile(
    r"(?:获批|批复|批准|签约|签订|落地|开工建设|项目开工|正式开工|集中开工|投产|竣工|揭牌|入选|授牌|出台|印发)"
)


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    score: float
    reason: str


def substance(title: str, text: str) -> tuple[float, list[str]]:
    """Points for concrete content; the title counts double."""
    points = 0.0
    why: list[str] = []
    for label, pattern, weight, cap in (
        ("figures", _FIGURE, 1.0, 5),
        ("documents", _DOCUMENT, 1.5, 2),
        ("named", _NAMED, 0.5, 4),
        ("approvals", _APPROVAL, 1.0, 3),
    ):
        found = min(len(pattern.findall(text)), cap) + 2 * min(len(pattern.findall(title)), 2)
        if found:
            points += weight * found
            why.append(f"{label}×{found}")
    return points, why


def recency(published_at: datetime | None, since: datetime, until: datetime) -> float:
    """0 for the period's first moment, 2 for its last."""
    if published_at is None:
        return 0.0
    span = (until - since).total_seconds() or 1.0
    return 2.0 * max(0.0, min(1.0, (published_at - since).total_seconds() / span))


def rank(
    candidates: Iterable[Candidate],
    since: datetime,
    until: datetime,
    priorities: Mapping[str, int],
) -> list[Scored]:
    """Best first; ties broken by date (newer first) then URL, so the order is stable."""
    scored = []
    for c in candidates:
        points, why = substance(c.article.title or "", c.article.text or "")
        fresh = recency(c.article.published_at, since, until)
        priority = float(priorities.get(c.article.source, 0))
        total = points + fresh + priority + c.score
        why.append(f"recency {fresh:.1f}")
        if priority:
            why.append(f"priority {priority:g}")
        if c.score:
            why.append(f"process {c.score:g}")
        scored.append(Scored(c, round(total, 6), ", ".join(why)))
    epoch = datetime.min.replace(tzinfo=since.tzinfo)
    return sorted(
        scored,
        key=lambda s: (
            -s.score,
            -((s.candidate.article.published_at or epoch) - epoch).total_seconds(),
            s.candidate.article.url,
        ),
    )


def choose(
    ranked: list[Scored],
    *,
    max_items: int,
    max_per_area: int,
    carried: Collection[int] = (),
) -> tuple[list[Scored], list[Scored]]:
    """Split ranked candidates into (items, more) under the section and area limits.

    ``carried``: representative ids the editor wants carried (xinqu.issue.actions):
    always items, they take their places first; the others fill what is left.
    """
    forced = [s for s in ranked if s.candidate.article.id in carried]
    per_area: Counter[str] = Counter(s.candidate.story_area for s in forced)
    places = max_items - len(forced)
    items: list[Scored] = []
    more: list[Scored] = []
    for s in ranked:
        area = s.candidate.story_area
        if s.candidate.article.id in carried:
            items.append(s)
        elif places > 0 and per_area[area] < max_per_area:
            items.append(s)
            per_area[area] += 1
            places -= 1
        else:
            more.append(s)
    return items, more
