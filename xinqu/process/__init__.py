"""Processing: dedupe and classify stored articles into candidates for an issue.

``run_process`` reads the store (it never fetches), groups duplicates, classifies,
decides each story's area (xinqu.process.area) and writes the results through
``xinqu.store.processing``; ``candidates`` is what the issue selects from. Editors'
overrides (section, area, merge, split) live in their own tables and are applied on
every run, so re-processing never undoes them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, load_only

from xinqu.app import App
from xinqu.process.area import EDITOR, SITE, AreaIndex, shipped_index
from xinqu.process.classify import OUT, Classifier, build_classifier
from xinqu.process.dedupe import DedupeParams, Doc, candidate_pairs, exact_near_duplicate, group
from xinqu.process.minhash import Hashes, shingle_hashes, signature
from xinqu.process.normalize import codes, key_of_letters, letters
from xinqu.process.story import SAME, Evidence, StoryJudge, day_span
from xinqu.store.articles import Article
from xinqu.store.duplicates import EvidenceRow, replace_evidence
from xinqu.store.processing import (
    ArticleProcessing,
    ProcessingRow,
    area_overrides,
    carried_ids,
    merges,
    overrides,
    replace_processing,
)

__all__ = ["Candidate", "ProcessReport", "candidates", "candidates_by_section", "run_process"]

log = logging.getLogger(__name__)
#: Below this many letters the title joins the text for dedupe.
SHORT_TEXT = 60


@dataclass
class ProcessReport:
    """What one ``run_process`` did: articles read, signatures reused, stories by section."""

    articles: int = 0
    reused: int = 0
    groups: int = 0
    exact_duplicates: int = 0
    near_duplicates: int = 0
    possible_duplicates: int = 0
    classified: int = 0
    sections: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        parts = ", ".join(f"{k}={v}" for k, v in sorted(self.sections.items()))
        return (
            f"processed {self.articles} articles in {self.seconds:.1f}s: {self.groups} stories "
            f"({self.exact_duplicates} exact and {self.near_duplicates} near duplicates merged, "
            f"{self.possible_duplicates} possible duplicates for the editor), "
            f"{self.classified} classified anew; stories by section: {parts or 'none'}"
        )


@dataclass(frozen=True)
class Candidate:
    """A story an issue may carry: its representative article and the rest of its group.

    ``also_at``: the other members' URLs; ``group``: every member's article id;
    ``overridden``: an editor set the section (score 1.0, reason "set by the editor");
    ``area``: the area the story is about, ``area_where`` the evidence for it.
    """

    article: Article
    section: str
    score: float = 0.0
    reason: str = ""
    also_at: tuple[str, ...] = ()
    group: tuple[int, ...] = ()
    overridden: bool = False
    uncertain: bool = False
    area: str = ""
    area_where: str = ""

    @property
    def story_area(self) -> str:
        """The area the story is about (processing's or the editor's), else the site's."""
        return self.area or self.article.area


OFFICIAL_SITE = ("官网", "门户网站", "政府网", "管委会")


def is_official_for(site_name: str, area: str, title: str, text: str) -> bool:
    """The article comes from an official site of its area and is about that area."""
    if not site_name.endswith(OFFICIAL_SITE):
        return False
    short = area.removesuffix("新区")
    names = {short, short[:2]} if len(short) > 2 else {short}
    head = title + text[:300]
    return any(name and name in head for name in names)


def _classifier(app: App) -> Classifier:
    sections = app.config.sections
    return build_classifier(
        sections.classifier,
        sections.keys,
        config_dir=app.config.directory,
        cache_dir=app.data_dir / "models",
    )


def run_process(app: App, *, since: datetime | None = None) -> ProcessReport:
    """Dedupe and classify the stored articles (those first seen or published since ``since``)."""
    started = time.perf_counter()
    classifier = _classifier(app)
    with app.store.session() as session:
        report = process_session(
            session, classifier, since=since, areas=AreaIndex(app.config.areas)
        )
    report.seconds = time.perf_counter() - started
    log.info(report.summary())
    return report


def process_session(
    session: Session,
    classifier: Classifier,
    *,
    since: datetime | None = None,
    params: DedupeParams | None = None,
    areas: AreaIndex | None = None,
) -> ProcessReport:
    params = params or DedupeParams()
    areas = areas or shipped_index()
    query = select(
        Article.id,
        Article.site_name,
        Article.area,
        Article.title,
        Article.text,
        Article.published_at,
        Article.first_seen,
        Article.content_hash,
    )
    if since is not None:
        query = query.where(func.coalesce(Article.published_at, Article.first_seen) >= since)
    clock = _Stopwatch()
    articles = session.execute(query.order_by(Article.id)).all()
    report = ProcessReport(articles=len(articles))
    if not articles:
        return report
    old = {
        row.article_id: row
        for row in session.execute(
            select(
                ArticleProcessing.article_id,
                ArticleProcessing.content_hash,
                ArticleProcessing.content_key,
                ArticleProcessing.signature,
                ArticleProcessing.shingles,
                ArticleProcessing.section,
                ArticleProcessing.score,
                ArticleProcessing.reason,
                ArticleProcessing.classifier,
                ArticleProcessing.uncertain,
                ArticleProcessing.runner_up,
                ArticleProcessing.margin,
            )
        )
    }
    edits = overrides(session)
    detached = {i for i, o in edits.items() if o.detached}

    docs: list[Doc] = []
    for a in articles:
        prev = old.get(a.id)
        if prev is not None and prev.content_hash == a.content_hash:
            sig = np.frombuffer(prev.signature, dtype=np.uint32)
            docs.append(Doc(a.id, prev.content_key, sig, prev.shingles, a.id in detached))
            report.reused += 1
            continue
        content = letters(codes(a.text))
        if content.size < SHORT_TEXT:
            content = letters(codes(a.title + "\n" + a.text))
        hashes = shingle_hashes(content, params.shingle)
        docs.append(
            Doc(
                a.id, key_of_letters(content), signature(hashes), int(hashes.size), a.id in detached
            )
        )

    clock.lap("read and sign")
    meta = {a.id: a for a in articles}

    def rank(article_id: int) -> tuple[bool, datetime, int]:
        a = meta[article_id]
        official = is_official_for(a.site_name, a.area, a.title, a.text)
        return (not official, a.published_at or a.first_seen, article_id)

    shingle_cache: dict[int, Hashes] = {}

    def shingles_of(article_id: int) -> Hashes:
        if article_id not in shingle_cache:
            a = meta[article_id]
            content = letters(codes(a.text))
            if content.size < SHORT_TEXT:
                content = letters(codes(a.title + "\n" + a.text))
            shingle_cache[article_id] = shingle_hashes(content, params.shingle)
        return shingle_cache[article_id]

    def verify(x: int, y: int) -> bool:
        return exact_near_duplicate(shingles_of(x), shingles_of(y), params)

    evidence = judge_stories(articles, docs, params, detached)
    same = [pair for pair, ev in evidence.items() if ev.verdict == SAME]
    clock.lap("story evidence")
    rep_of = group(
        docs,
        params,
        merges=[*same, *merges(session)],
        representative=lambda m: min(m, key=rank),
        verify=verify,
    )
    clock.lap("group")
    keys = {d.id: d.key for d in docs}
    reps = set(rep_of.values())
    report.groups = len(reps)
    for member, rep in rep_of.items():
        if member != rep:
            if keys[member] == keys[rep]:
                report.exact_duplicates += 1
            else:
                report.near_duplicates += 1

    version = classifier.version
    todo = [
        a
        for a in articles
        if (prev := old.get(a.id)) is None
        or prev.content_hash != a.content_hash
        or prev.classifier != version
    ]
    decided = {}
    for start in range(0, len(todo), 2000):
        chunk = todo[start : start + 2000]
        for a, call in zip(
            chunk, classifier.classify([(a.title, a.text) for a in chunk]), strict=True
        ):
            decided[a.id] = (
                call.section,
                call.score,
                call.reason,
                call.uncertain,
                call.runner_up,
                call.margin,
            )
    report.classified = len(decided)
    clock.lap("classify")

    rows = []
    for d in docs:
        a = meta[d.id]
        if d.id in decided:
            section, score, reason, uncertain, runner_up, margin = decided[d.id]
        else:
            prev = old[d.id]
            section, score, reason = prev.section, prev.score, prev.reason
            uncertain, runner_up, margin = prev.uncertain, prev.runner_up, prev.margin
        place = areas.decide(a.title, a.text, a.area)
        rows.append(
            ProcessingRow(
                article_id=d.id,
                content_hash=a.content_hash,
                content_key=d.key,
                signature=d.signature.astype(np.uint32).tobytes(),
                shingles=d.size,
                group_id=rep_of[d.id],
                section=section,
                score=score,
                reason=reason,
                classifier=version,
                area=place.area,
                area_where=place.where,
                area_evidence="、".join(place.evidence),
                uncertain=uncertain,
                runner_up=runner_up,
                margin=margin,
            )
        )
    replace_processing(session, rows)
    replace_evidence(
        session,
        [a.id for a in articles],
        [evidence_row(pair, ev) for pair, ev in evidence.items()],
    )
    report.possible_duplicates = sum(ev.verdict != SAME for ev in evidence.values())
    clock.lap("write")
    by_id = {r.article_id: r for r in rows}
    members: dict[int, list[int]] = {}
    for member, rep in rep_of.items():
        members.setdefault(rep, []).append(member)
    for rep, group_members in members.items():
        section = _effective_section(by_id[rep].section, group_members, edits)
        report.sections[section] = report.sections.get(section, 0) + 1
    return report


def places_of(areas: set[str]) -> list[str]:
    """The short names of the stored articles' new areas (浦东新区 → 浦东, 舟山群岛新区 → 舟山)."""
    out = set()
    for area in areas:
        if area.endswith("新区") and len(area) > 2:
            out.add(area.removesuffix("新区").removesuffix("群岛"))
    return sorted(out)


def judge_stories(
    articles: Sequence[Any], docs: list[Doc], params: DedupeParams, detached: set[int]
) -> dict[tuple[int, int], Evidence]:
    """Story-level evidence over the whole store: blocking plus the MinHash-LSH pairs."""
    judge = StoryJudge(places_of({a.area for a in articles}))
    for a in articles:
        judge.add(a.id, a.title, a.text, day_span(a.published_at))
    live = [d for d in docs if not d.detached]
    extra: list[tuple[int, int]] = []
    if len(live) > 1:
        coded = candidate_pairs(np.stack([d.signature for d in live]), params.lsh_threshold)
        extra = [
            (live[i].id, live[j].id)
            for i, j in zip((coded >> 32).tolist(), (coded & 0xFFFFFFFF).tolist(), strict=True)
        ]
    return judge.judge(extra, skip=lambda i: i in detached)


def evidence_row(pair: tuple[int, int], ev: Evidence) -> EvidenceRow:
    return EvidenceRow(
        first_id=pair[0],
        second_id=pair[1],
        verdict=ev.verdict,
        containment=ev.containment,
        lead=ev.lead,
        shared_facts="、".join(ev.shared_facts),
        conflict=ev.conflict,
        reason=ev.reason(),
    )


class _Stopwatch:
    """Logs how long each stage took (``xinqu -vv process``)."""

    def __init__(self) -> None:
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        log.debug("process: %s %.2fs", stage, now - self.last)
        self.last = now


def _effective_section(own: str, group_members: list[int], edits: dict[int, Any]) -> str:
    chosen = [edits[m] for m in group_members if m in edits and edits[m].section]
    if not chosen:
        return own
    section: str = max(chosen, key=lambda o: o.updated_at).section
    return section


def effective_area(
    state: ArticleProcessing | None,
    article: Article,
    group_members: list[int],
    edits: dict,  # type: ignore[type-arg]
) -> tuple[str, str]:
    """(area, where) of a story: the editor's (latest in its group), else processing's."""
    chosen = [edits[m] for m in group_members if m in edits]
    if chosen:
        return max(chosen, key=lambda o: o.updated_at).area, EDITOR
    if state is not None and state.area:
        return state.area, state.area_where or ""
    return article.area, SITE


#: The article columns an issue reads from a candidate (never the stored page HTML).
CANDIDATE_COLUMNS = (
    Article.id,
    Article.url,
    Article.source,
    Article.area,
    Article.site_name,
    Article.title,
    Article.published_at,
    Article.first_seen,
    Article.text,
    Article.incomplete,
)


def candidates(
    session: Session,
    section_key: str,
    since_dt: datetime | None,
    until_dt: datetime | None,
    *,
    except_issue: int | None = None,
) -> list[Candidate]:
    """Stories of a section published in [since_dt, until_dt), best first
    (see ``candidates_by_section``)."""
    found = candidates_by_section(
        session, [section_key], since_dt, until_dt, except_issue=except_issue
    )
    return found[section_key]


def candidates_by_section(
    session: Session,
    section_keys: Sequence[str],
    since_dt: datetime | None,
    until_dt: datetime | None,
    *,
    except_issue: int | None = None,
) -> dict[str, list[Candidate]]:
    """Stories of each section published in [since_dt, until_dt), best first, read once.

    One record per dedupe group: its representative article (only the columns an
    issue uses, ``CANDIDATE_COLUMNS``), with the URLs of the
    other members as ``also_at``. Stories of which any article was carried by an
    issue (other than ``except_issue``, for rebuilding that issue) are left out;
    editors' section overrides are honoured.
    """
    when = func.coalesce(Article.published_at, Article.first_seen)
    query = (
        select(Article, ArticleProcessing)
        .options(load_only(*CANDIDATE_COLUMNS, raiseload=True))
        .join(ArticleProcessing, ArticleProcessing.article_id == Article.id)
        .where(ArticleProcessing.group_id == Article.id)
    )
    if since_dt is not None:
        query = query.where(when >= since_dt)
    if until_dt is not None:
        query = query.where(when < until_dt)
    reps = session.execute(query).all()
    out: dict[str, list[Candidate]] = {key: [] for key in section_keys}
    if not reps:
        return out
    group_ids = [article.id for article, _ in reps]
    member_rows: list[Any] = []
    for start in range(0, len(group_ids), 900):
        chunk = group_ids[start : start + 900]
        member_rows += session.execute(
            select(ArticleProcessing.group_id, Article.id, Article.url, when.label("when"))
            .join(Article, Article.id == ArticleProcessing.article_id)
            .where(ArticleProcessing.group_id.in_(chunk))
        ).all()
    members: dict[int, list[tuple[int, str, datetime]]] = {}
    for gid, article_id, url, stamp in member_rows:
        members.setdefault(gid, []).append((article_id, url, stamp))
    edits = overrides(session)
    area_edits = area_overrides(session)
    carried = carried_ids(session, except_issue=except_issue)
    for article, state in reps:
        group_members = sorted(members.get(article.id, []), key=lambda m: (m[2], m[0]))
        ids = [m[0] for m in group_members]
        if carried.intersection(ids):
            continue
        section = _effective_section(state.section, ids, edits)
        if section not in out:
            continue
        overridden = section != state.section or any(m in edits and edits[m].section for m in ids)
        area, area_where = effective_area(state, article, ids, area_edits)
        out[section].append(
            Candidate(
                article=article,
                section=section,
                score=1.0 if overridden else state.score,
                reason="set by the editor" if overridden else state.reason,
                also_at=tuple(url for i, url, _ in group_members if i != article.id),
                group=tuple(ids),
                overridden=overridden,
                area=area,
                area_where=area_where,
                uncertain=state.uncertain and not overridden,
            )
        )
    for found in out.values():
        found.sort(
            key=lambda c: (-c.score, c.article.published_at or c.article.first_seen, c.article.id)
        )
    return out


def section_keys(app: App) -> list[str]:
    return [*app.config.sections.keys, OUT]
