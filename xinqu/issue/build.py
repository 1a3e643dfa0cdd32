"""Building an issue: period, selection, numbering, frozen content.

An issue covers ``digest.period_days`` days before its date (or the given
``since``/``until``, both inclusive). It is built once per period: asking again
returns the stored issue unless ``rebuild`` is set, which selects and renders
anew under the same numbers, and only while it is a draft: once its sending
began it never changes (a correction is a new issue, ``corrects``). Its content
(product.md's JSON), its rendered subject, text and HTML and its web copy are
frozen in the ``issues`` table; the sources' health flags of that moment are
frozen beside it for the editor copy (xinqu.health).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from xinqu.app import App
from xinqu.clock import now
from xinqu.config import Config
from xinqu.errors import XinquError
from xinqu.health import freeze_issue_health
from xinqu.issue.actions import apply_actions
from xinqu.issue.headline import headline
from xinqu.issue.render import render_issue
from xinqu.issue.select import Scored, choose, rank
from xinqu.issue.text import paragraphs, safe_url
from xinqu.process import Candidate, candidates_by_section
from xinqu.process.area import AreaIndex
from xinqu.store.deliveries import delivery_counts
from xinqu.store.editor_actions import ActionRecord, actions_for_issue, set_notes
from xinqu.store.issues import (
    Issue,
    correction_of,
    issue_by_number,
    issue_for_period,
    latest_issue,
)
from xinqu.store.processing import mark_carried
from xinqu.text import clean_line

log = logging.getLogger(__name__)


class EmptyIssueError(XinquError):
    """No candidate at all in the period: there is nothing to number and send."""


def issue_period(
    tz: ZoneInfo,
    period_days: int,
    *,
    issue_date: date | None = None,
    since: date | None = None,
    until: date | None = None,
) -> tuple[date, date, date]:
    """(issue date, first day, last day): by default the period_days before the date."""
    day = issue_date or now(tz).date()
    last = until or day - timedelta(days=1)
    first = since or last - timedelta(days=period_days - 1)
    if first > last:
        raise XinquError(f"empty period: --since {first} is after --until {last}")
    return day, first, last


def period_bounds(tz: ZoneInfo, first: date, last: date) -> tuple[datetime, datetime]:
    """The period as ``[since_dt, until_dt)`` in the bulletin's time zone."""
    return (
        datetime.combine(first, time(), tzinfo=tz),
        datetime.combine(last + timedelta(days=1), time(), tzinfo=tz),
    )


def _iso(value: datetime | None, tz: ZoneInfo) -> str | None:
    return value.astimezone(tz).isoformat(timespec="seconds") if value else None


def more_json(
    c: Candidate, tz: ZoneInfo, areas: AreaIndex | None = None, title: str | None = None
) -> dict[str, Any]:
    """A headline-and-link entry (the section's `more`); `area` is the story's, `id` its
    representative article (what the editor's actions name); ``title``: the editor's
    headline, printed as given."""
    a = c.article
    return {
        "id": a.id,
        "headline": clean_line(title) if title else headline(a.title, c.story_area, areas),
        "area": clean_line(c.story_area),
        "site_name": clean_line(a.site_name),
        "url": safe_url(a.url),
        "published_at": _iso(a.published_at, tz),
    }


#: Closes the text of an article whose continuation pages could not all be fetched:
#: the reader learns the text is partial and where the whole is (the item's link).
INCOMPLETE_NOTE = "（原文分页刊出，部分页面未能获取，全文请见原文链接。）"


def item_json(
    c: Candidate, tz: ZoneInfo, areas: AreaIndex | None = None, title: str | None = None
) -> dict[str, Any]:
    """A carried item: the headline entry plus its text and where else it ran."""
    url = c.article.url
    text = paragraphs(c.article.text)
    if c.article.incomplete:
        text.append(INCOMPLETE_NOTE)
    return {
        **more_json(c, tz, areas, title),
        "text": "\n".join(text),
        "also_at": sorted({u for u in map(safe_url, c.also_at) if u and u != url}),
    }


class DuplicateStoryError(XinquError):
    """An assembled issue would carry one story twice: a defect, never shipped."""


def _headline_key(title: str | None) -> str:
    """A headline folded for comparison: letters and digits only, case-folded."""
    return "".join(ch for ch in clean_line(title).casefold() if ch.isalnum())


def check_no_story_twice(content: Mapping[str, Any]) -> None:
    """The invariant of an issue: no link and no headline in it twice, in any section,
    item or 其他动态 list (an item's ``also_at`` links count as that item's)."""
    seen_urls: dict[str, str] = {}
    seen_headlines: dict[str, str] = {}
    for section in content["sections"]:
        for kind in ("items", "more"):
            for entry in section[kind]:
                where = f"{section['key']} {kind}"
                links = [entry.get("url"), *entry.get("also_at", [])]
                for url in filter(None, links):
                    if url in seen_urls:
                        raise DuplicateStoryError(
                            f"issue {content['issue']}: {url} both in {seen_urls[url]} and {where}"
                        )
                    seen_urls[url] = where
                key = _headline_key(entry.get("headline"))
                if key and key in seen_headlines:
                    raise DuplicateStoryError(
                        f"issue {content['issue']}: headline {entry['headline']!r} both in "
                        f"{seen_headlines[key]} and {where}"
                    )
                seen_headlines[key] = where


class _Placed:
    """What an issue being assembled already carries: story members, links, headlines."""

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.urls: set[str] = set()
        self.headlines: set[str] = set()

    def fresh(self, c: Candidate) -> bool:
        """True (and recorded) when nothing of ``c`` is in the issue yet."""
        ids = set(c.group) | ({c.article.id} if c.article.id is not None else set())
        urls = {u for u in (safe_url(c.article.url), *map(safe_url, c.also_at)) if u}
        heading = _headline_key(c.article.title)
        if ids & self.ids or urls & self.urls or (heading and heading in self.headlines):
            return False
        self.ids |= ids
        self.urls |= urls
        if heading:
            self.headlines.add(heading)
        return True


@dataclass(frozen=True)
class Assembled:
    """An issue's JSON (product.md), its chosen items, each section's whole 其他动态 list,
    and what became of each editor action (id → None when applied, else why not)."""

    content: dict[str, Any]
    chosen: list[Scored]
    full_more: dict[str, list[dict[str, Any]]]
    notes: dict[int, str | None] = field(default_factory=dict)


def assemble(
    config: Config,
    *,
    number: int,
    issue_date: date,
    since: date,
    until: date,
    candidates: Mapping[str, Sequence[Candidate]],
) -> tuple[dict[str, Any], list[Scored]]:
    """The issue's JSON (product.md) and the chosen items (see ``assemble_issue``)."""
    done = assemble_issue(
        config,
        number=number,
        issue_date=issue_date,
        since=since,
        until=until,
        candidates=candidates,
    )
    return done.content, done.chosen


def assemble_issue(
    config: Config,
    *,
    number: int,
    issue_date: date,
    since: date,
    until: date,
    candidates: Mapping[str, Sequence[Candidate]],
    corrects: int = 0,
    actions: Sequence[ActionRecord] = (),
) -> Assembled:
    """The issue's JSON (product.md), the chosen items, and each section's whole
    其他动态 list (for the web copy).

    Each story stands once: a candidate sharing a member article, a link or a headline
    with one already placed (in this section, ranked better, or in an earlier one) is
    left out, whatever the classifier and the caps did; ``check_no_story_twice``
    then verifies the result. A section's 其他动态 keeps its best
    ``digest.max_more_per_section`` entries (``more_total`` counts them all).
    The editor's ``actions`` are replayed on the candidates first (xinqu.issue.actions).
    """
    settings = config.settings
    tz = settings.tz
    since_dt, until_dt = period_bounds(tz, since, until)
    priorities = {s.name: s.priority for s in config.sources}
    areas = AreaIndex(config.areas)
    edited = apply_actions(
        candidates,
        actions,
        sections=[s.key for s in config.sections.sections],
        areas=[*config.areas.areas, config.areas.several],
    )
    placed = _Placed()
    sections = []
    full_more: dict[str, list[dict[str, Any]]] = {}
    chosen: list[Scored] = []
    cap = settings.digest.max_more_per_section
    for section in config.sections.sections:
        ranked = [
            s
            for s in rank(edited.candidates.get(section.key, ()), since_dt, until_dt, priorities)
            if placed.fresh(s.candidate)
        ]
        items, more = choose(
            ranked,
            max_items=settings.digest.max_items_per_section,
            max_per_area=settings.digest.max_items_per_area,
            carried=edited.carried.get(section.key, ()),
        )
        pins = edited.pinned.get(section.key, [])
        items.sort(
            key=lambda s: (
                pins.index(s.candidate.article.id) if s.candidate.article.id in pins else len(pins)
            )
        )
        chosen.extend(items)
        titles = edited.headlines
        every_more = [
            more_json(s.candidate, tz, areas, titles.get(s.candidate.article.id)) for s in more
        ]
        full_more[section.key] = every_more
        sections.append(
            {
                "key": section.key,
                "title": section.title,
                "items": [
                    item_json(s.candidate, tz, areas, titles.get(s.candidate.article.id))
                    for s in items
                ],
                "more": every_more[:cap],
                "more_total": len(every_more),
            }
        )
    content: dict[str, Any] = {
        "issue": number,
        "date": issue_date.isoformat(),
        "period": {"since": since.isoformat(), "until": until.isoformat()},
        "sections": sections,
    }
    if corrects:
        content["corrects"] = corrects
    check_no_story_twice(content)
    return Assembled(content, chosen, full_more, edited.notes)


def web_content(
    content: Mapping[str, Any], full_more: Mapping[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    """The content as the web copy shows it: every 其他动态 entry."""
    return {
        **content,
        "sections": [
            {**s, "more": full_more.get(s["key"], s["more"])} for s in content["sections"]
        ],
    }


def content_json(content: dict[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False, indent=2) + "\n"


def _next_numbers(session: Session, year: int) -> tuple[int, int]:
    number = (session.scalar(select(func.max(Issue.number))) or 0) + 1
    in_year = session.scalar(select(func.max(Issue.year_number)).where(Issue.year == year)) or 0
    return number, in_year + 1


#: The states of an issue (`digest list`): built, approved by the editor, being sent, sent.
DRAFT, APPROVED, SENDING, SENT = "draft", "approved", "sending", "sent"


def issue_state(session: Session, issue: Issue) -> str:
    """Where an issue stands: its sending began once any delivery was planned for it."""
    counts = delivery_counts(session, issue.id)
    if not sum(counts.values()):
        return APPROVED if issue.status == APPROVED else DRAFT
    return SENDING if counts["pending"] + counts["failed"] else SENT


class SentIssueError(XinquError):
    """A sent (or sending) issue is never rebuilt: a correction is a new issue."""


def _refuse_rebuild(issue: Issue, state: str) -> SentIssueError:
    return SentIssueError(
        f"issue {issue.number} is {state} and is never rebuilt; "
        f"`xinqu digest build --corrects {issue.number}` makes a new issue that corrects it"
    )


@dataclass(frozen=True)
class Built:
    """What ``build_issue`` did: ``outcome`` is built, rebuilt, unchanged or corrected;
    ``unapplied``: one line per editor action the build could not apply."""

    issue: Issue
    outcome: str
    state: str
    unapplied: tuple[str, ...] = ()


def build_issue(
    app: App,
    *,
    issue_date: date | None = None,
    since: date | None = None,
    until: date | None = None,
    rebuild: bool = False,
    corrects: int | None = None,
) -> Issue:
    """The issue of the period (see ``build_next``), as the scheduler and tests want it."""
    return build_next(
        app, issue_date=issue_date, since=since, until=until, rebuild=rebuild, corrects=corrects
    ).issue


def build_next(
    app: App,
    *,
    issue_date: date | None = None,
    since: date | None = None,
    until: date | None = None,
    rebuild: bool = False,
    corrects: int | None = None,
) -> Built:
    """Make or rebuild the draft of the next issue; never touch one whose sending began.

    The issue of the period is returned as it is unless ``rebuild``; a rebuild of a
    sent or sending issue is refused (``SentIssueError``). A new period while the
    latest issue is still a draft (or approved) rebuilds that draft for it, under
    its numbers: there is one next issue, not one per build. ``corrects=N`` makes a
    new issue for the period of the sent issue N, saying it corrects it.
    """
    try:
        return _build_issue(
            app,
            issue_date=issue_date,
            since=since,
            until=until,
            rebuild=rebuild,
            corrects=corrects or 0,
        )
    except IntegrityError:
        # Another process built this period, or took the next number, at the same moment.
        tz = app.config.settings.tz
        _, first, last = issue_period(
            tz,
            app.config.settings.digest.period_days,
            issue_date=issue_date,
            since=since,
            until=until,
        )
        with app.store.session() as session:
            existing = issue_for_period(session, first, last)
            state = issue_state(session, existing) if existing is not None else ""
        if existing is None or corrects:
            raise XinquError(
                "another issue was numbered at the same moment: run `digest build` again"
            ) from None
        return Built(existing, "unchanged", state)


def _build_issue(
    app: App,
    *,
    issue_date: date | None,
    since: date | None,
    until: date | None,
    rebuild: bool,
    corrects: int,
) -> Built:
    config: Config = app.config
    settings = config.settings
    tz = settings.tz
    keys = [s.key for s in config.sections.sections]
    with app.store.session() as session:
        corrected = issue_by_number(session, corrects) if corrects else None
        if corrects:
            if corrected is None:
                raise XinquError(f"no issue number {corrects} to correct")
            if issue_state(session, corrected) not in (SENDING, SENT):
                raise XinquError(
                    f"issue {corrects} was not sent: rebuild it (`digest build --rebuild`) "
                    "instead of correcting it"
                )
            if correction_of(session, corrects) is not None:
                raise XinquError(f"issue {corrects} already has a correction")
            day, first, last = now(tz).date(), corrected.since, corrected.until
            existing = None
        else:
            day, first, last = issue_period(
                tz, settings.digest.period_days, issue_date=issue_date, since=since, until=until
            )
            existing = issue_for_period(session, first, last)
        outcome = "built"
        same_period = existing is not None
        if existing is not None:
            state = issue_state(session, existing)
            if state in (SENDING, SENT) and rebuild:
                raise _refuse_rebuild(existing, state)
            if state in (SENDING, SENT) or not rebuild:
                return Built(existing, "unchanged", state)
            outcome = "rebuilt"
        elif not corrects:
            latest = latest_issue(session)
            if latest is not None and issue_state(session, latest) in (DRAFT, APPROVED):
                existing, outcome = latest, "rebuilt"
        since_dt, until_dt = period_bounds(tz, first, last)
        except_issue = corrected.id if corrected is not None else None
        if existing is not None:
            except_issue = existing.id
        by_section = candidates_by_section(
            session, keys, since_dt, until_dt, except_issue=except_issue
        )
        if not any(by_section.values()):
            raise EmptyIssueError(
                f"nothing to carry between {first} and {last}: crawl and process first"
            )
        if existing is not None and same_period:
            number, year_number, day = existing.number, existing.year_number, existing.issue_date
        elif existing is not None:
            number, year_number = existing.number, existing.year_number
            if day.year != existing.year:
                year_number = _next_numbers(session, day.year)[1]
        else:
            number, year_number = _next_numbers(session, day.year)
        actions = actions_for_issue(session, existing.id) if existing is not None else []
        done = assemble_issue(
            config,
            number=number,
            issue_date=day,
            since=first,
            until=last,
            candidates=by_section,
            corrects=corrects,
            actions=actions,
        )
        content, chosen = done.content, done.chosen
        parts = render_issue(settings, content, year_number=year_number)
        web = render_issue(
            settings, web_content(content, done.full_more), year_number=year_number, web=True
        )
        issue = existing or Issue(number=number, year=day.year, year_number=year_number)
        issue.year, issue.year_number = day.year, year_number
        issue.issue_date = day
        issue.since = first
        issue.until = last
        issue.corrects = corrects
        issue.built_at = now()
        issue.status = DRAFT
        issue.content = content_json(content)
        issue.subject = parts.subject
        issue.text = parts.text
        issue.html = parts.html
        issue.web_html = web.html
        if existing is None:
            session.add(issue)
        session.flush()
        mark_carried(session, [s.candidate.article.id for s in chosen], issue.id)
        set_notes(session, issue.id, done.notes)
        for action in actions:
            note = done.notes.get(action.id)
            if note and note != "undone":
                log.info("issue %s: editor action %s not applied: %s", number, action.id, note)
        freeze_issue_health(session, config, issue.id)
        log.info(
            "issue %s %s: %d items, %d more",
            number,
            outcome if not corrects else f"built (corrects issue {corrects})",
            len(chosen),
            sum(s["more_total"] for s in content["sections"]),
        )
        unapplied = tuple(
            f"action {a.id} ({a.kind} {a.article_id}): {done.notes[a.id]}"
            for a in actions
            if done.notes.get(a.id) not in (None, "undone")
        )
        return Built(issue, "corrected" if corrects else outcome, DRAFT, unapplied)
