"""Building an issue: period, selection, numbering, frozen content.

An issue covers ``digest.period_days`` days before its date (or the given
``since``/``until``, both inclusive). It is built once per period: asking again
returns the stored issue unless ``rebuild`` is set, which selects and renders
anew under the same numbers. Its content (product.md's JSON) and its rendered
subject, text and HTML are frozen in the ``issues`` table; the sources' health
flags of that moment are frozen beside it for the editor copy (xinqu.health).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
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
from xinqu.issue.headline import headline
from xinqu.issue.render import render_issue
from xinqu.issue.select import Scored, choose, rank
from xinqu.issue.text import paragraphs, safe_url
from xinqu.process import Candidate
from xinqu.process import candidates as section_candidates
from xinqu.process.area import AreaIndex
from xinqu.store.issues import Issue
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


def more_json(c: Candidate, tz: ZoneInfo, areas: AreaIndex | None = None) -> dict[str, Any]:
    """A headline-and-link entry (the section's `more`); `area` is the story's."""
    a = c.article
    return {
        "headline": headline(a.title, c.story_area, areas),
        "area": clean_line(c.story_area),
        "site_name": clean_line(a.site_name),
        "url": safe_url(a.url),
        "published_at": _iso(a.published_at, tz),
    }


#: Closes the text of an article whose continuation pages could not all be fetched:
#: the reader learns the text is partial and where the whole is (the item's link).
INCOMPLETE_NOTE = "（原文分页刊出，部分页面未能获取，全文请见原文链接。）"


def item_json(c: Candidate, tz: ZoneInfo, areas: AreaIndex | None = None) -> dict[str, Any]:
    """A carried item: the headline entry plus its text and where else it ran."""
    url = c.article.url
    text = paragraphs(c.article.text)
    if c.article.incomplete:
        text.append(INCOMPLETE_NOTE)
    return {
        **more_json(c, tz, areas),
        "text": "\n".join(text),
        "also_at": sorted({u for u in map(safe_url, c.also_at) if u and u != url}),
    }


def assemble(
    config: Config,
    *,
    number: int,
    issue_date: date,
    since: date,
    until: date,
    candidates: Mapping[str, Sequence[Candidate]],
) -> tuple[dict[str, Any], list[Scored]]:
    """The issue's JSON (product.md) and the chosen items, from candidates by section.

    A story offered to more than one section is placed in the first one only.
    """
    settings = config.settings
    tz = settings.tz
    since_dt, until_dt = period_bounds(tz, since, until)
    priorities = {s.name: s.priority for s in config.sources}
    areas = AreaIndex(config.areas)
    placed: set[int | str] = set()
    sections = []
    chosen: list[Scored] = []
    for section in config.sections.sections:
        fresh = []
        for c in candidates.get(section.key, ()):
            key = c.article.id if c.article.id is not None else c.article.url
            if key not in placed:
                placed.add(key)
                fresh.append(c)
        ranked = rank(fresh, since_dt, until_dt, priorities)
        items, more = choose(
            ranked,
            max_items=settings.digest.max_items_per_section,
            max_per_area=settings.digest.max_items_per_area,
        )
        chosen.extend(items)
        sections.append(
            {
                "key": section.key,
                "title": section.title,
                "items": [item_json(s.candidate, tz, areas) for s in items],
                "more": [more_json(s.candidate, tz, areas) for s in more],
            }
        )
    content = {
        "issue": number,
        "date": issue_date.isoformat(),
        "period": {"since": since.isoformat(), "until": until.isoformat()},
        "sections": sections,
    }
    return content, chosen


def content_json(content: dict[str, Any]) -> str:
    return json.dumps(content, ensure_ascii=False, indent=2) + "\n"


def _next_numbers(session: Session, year: int) -> tuple[int, int]:
    number = (session.scalar(select(func.max(Issue.number))) or 0) + 1
    in_year = session.scalar(select(func.max(Issue.year_number)).where(Issue.year == year)) or 0
    return number, in_year + 1


def build_issue(
    app: App,
    *,
    issue_date: date | None = None,
    since: date | None = None,
    until: date | None = None,
    rebuild: bool = False,
) -> Issue:
    """The issue of the period, built now unless it already exists (or ``rebuild``)."""
    try:
        return _build_issue(app, issue_date=issue_date, since=since, until=until, rebuild=rebuild)
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
            existing = session.scalar(
                select(Issue).where(Issue.since == first, Issue.until == last)
            )
        if existing is None:
            raise XinquError(
                "another issue was numbered at the same moment: run `digest build` again"
            ) from None
        return existing


def _build_issue(
    app: App,
    *,
    issue_date: date | None,
    since: date | None,
    until: date | None,
    rebuild: bool,
) -> Issue:
    config: Config = app.config
    settings = config.settings
    tz = settings.tz
    day, first, last = issue_period(
        tz, settings.digest.period_days, issue_date=issue_date, since=since, until=until
    )
    since_dt, until_dt = period_bounds(tz, first, last)
    keys = [s.key for s in config.sections.sections]
    with app.store.session() as session:
        existing = session.scalar(select(Issue).where(Issue.since == first, Issue.until == last))
        if existing is not None and not rebuild:
            return existing
        except_issue = existing.id if existing else None
        by_section = {
            key: section_candidates(session, key, since_dt, until_dt, except_issue=except_issue)
            for key in keys
        }
        if not any(by_section.values()):
            raise EmptyIssueError(
                f"nothing to carry between {first} and {last}: crawl and process first"
            )
        if existing is not None:
            number, year_number = existing.number, existing.year_number
            day = existing.issue_date
        else:
            number, year_number = _next_numbers(session, day.year)
        content, chosen = assemble(
            config, number=number, issue_date=day, since=first, until=last, candidates=by_section
        )
        parts = render_issue(settings, content, year_number=year_number)
        issue = existing or Issue(number=number, year=day.year, year_number=year_number)
        issue.issue_date = day
        issue.since = first
        issue.until = last
        issue.built_at = now()
        issue.status = "built"
        issue.content = content_json(content)
        issue.subject = parts.subject
        issue.text = parts.text
        issue.html = parts.html
        if existing is None:
            session.add(issue)
        session.flush()
        mark_carried(session, [s.candidate.article.id for s in chosen], issue.id)
        freeze_issue_health(session, config, issue.id)
        log.info(
            "issue %s built: %d items, %d more",
            number,
            len(chosen),
            sum(len(s["more"]) for s in content["sections"]),
        )
        return issue
