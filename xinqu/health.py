"""Source health: what each source's recent crawls say, and the flags an editor must see.

A source is flagged when it failed ``health.failures_in_row`` runs in a row
(anti-bot blocks count, and are named as such), when it normally yields but has
found nothing new for ``health.silent_days`` days (the usual sign of a site
redesign), or when it has never yielded anything in that many runs. Runs cut
short by our own shutdown or hang limit ("interrupted") neither count as a
failure nor break a series of failures.

Flags appear in `xinqu status`, in the health footer of each issue's editor copy,
and are mailed to the editor once per condition (``xinqu.mail.notices.alert_new_flags``): a
condition mails again only after it has cleared.

The editor copy's flags are those of the moment the issue was built: building
freezes them (:func:`freeze_issue_health`) in the service state under
``issue-health:<issue id>``, beside the issue rather than inside its content, so
the issue's JSON stays exactly product.md's and what readers get (and every export
of it) is untouched. Sending the editor copy only reads them back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from xinqu import clock
from xinqu.config import Config
from xinqu.store.articles import SourceRun, newest_article_per_source, recent_source_runs
from xinqu.store.locks import get_state, set_state

log = logging.getLogger(__name__)

FAILED = frozenset({"failed", "blocked"})
NOT_COUNTED = frozenset({"interrupted", "running"})
#: How many recent runs per source the flags look at.
HISTORY = 200


@dataclass(frozen=True)
class Flag:
    kind: str  # failing | silent | empty
    text: str


@dataclass
class SourceHealth:
    name: str
    area: str
    enabled: bool
    runs: int = 0
    last_run: datetime | None = None
    last_status: str | None = None
    last_new: int = 0
    last_errors: int = 0
    last_error: str | None = None
    anti_bot: str | None = None
    consecutive_failures: int = 0
    last_new_item: datetime | None = None
    days_since_new: int | None = None
    flags: list[Flag] = field(default_factory=list)

    @property
    def status_text(self) -> str:
        if self.last_status is None:
            return "never crawled"
        if self.last_status == "blocked":
            return f"blocked by anti-bot ({self.anti_bot or 'unknown'})"
        return self.last_status


def source_health(
    session: Session, config: Config, at: datetime | None = None
) -> list[SourceHealth]:
    """The health of every configured source, in configuration order."""
    at = at or clock.now()
    rules = config.settings.health
    newest = newest_article_per_source(session)
    out = []
    for source in config.sources:
        health = SourceHealth(source.name, source.area, source.enabled)
        runs = recent_source_runs(session, source.name, HISTORY)
        health.runs = len(runs)
        if runs:
            last = runs[0]
            health.last_run = last.started_at
            health.last_status = last.status
            health.last_new = last.new
            health.last_errors = last.errors
            health.last_error = last.error_message
            health.anti_bot = last.anti_bot
        health.consecutive_failures = _failures_in_row(runs)
        health.last_new_item = newest.get(source.name)
        if health.last_new_item is not None:
            health.days_since_new = (at - health.last_new_item).days
        yielding_runs = sum(1 for r in runs if r.new > 0)
        finished_runs = [r for r in runs if r.status not in NOT_COUNTED]
        if health.consecutive_failures >= rules.failures_in_row:
            blocked = next((r.anti_bot for r in runs if r.status == "blocked"), None)
            why = f" (blocked by anti-bot: {blocked})" if blocked else ""
            message = f" — {health.last_error}" if health.last_error else ""
            health.flags.append(
                Flag("failing", f"failed {health.consecutive_failures} runs in a row{why}{message}")
            )
        if (
            health.days_since_new is not None
            and health.days_since_new >= rules.silent_days
            and yielding_runs >= 2
        ):
            health.flags.append(
                Flag("silent", f"no new article for {health.days_since_new} days (site redesign?)")
            )
        if (
            health.last_new_item is None
            and len(finished_runs) >= rules.failures_in_row
            and not health.flags
        ):
            health.flags.append(
                Flag("empty", f"{len(finished_runs)} runs and never an article (selectors?)")
            )
        out.append(health)
    return out


def _failures_in_row(runs: Iterable[SourceRun]) -> int:
    count = 0
    for run in runs:
        if run.status in NOT_COUNTED:
            continue
        if run.status not in FAILED:
            break
        count += 1
    return count


def flag_lines(healths: Iterable[SourceHealth]) -> list[str]:
    """One line per flag, e.g. for the issue's health footer in the editor copy."""
    return [f"{h.name} ({h.area}): {f.text}" for h in healths for f in h.flags]


ISSUE_HEALTH_PREFIX = "issue-health:"


@dataclass(frozen=True)
class IssueHealth:
    """The flag lines frozen when an issue was built, and when that was."""

    checked_at: datetime
    lines: list[str]


def freeze_issue_health(session: Session, config: Config, issue_id: int) -> IssueHealth:
    """Record the sources' flags now, for the issue's editor copy (in the caller's session)."""
    frozen = IssueHealth(clock.now(), flag_lines(source_health(session, config)))
    value = {"checked_at": frozen.checked_at.isoformat(), "lines": frozen.lines}
    set_state(session, f"{ISSUE_HEALTH_PREFIX}{issue_id}", json.dumps(value, ensure_ascii=False))
    return frozen


def issue_health(session: Session, issue_id: int) -> IssueHealth | None:
    """What :func:`freeze_issue_health` recorded for the issue, or None (built before it)."""
    value = get_state(session, f"{ISSUE_HEALTH_PREFIX}{issue_id}")
    if value is None:
        return None
    data = json.loads(value)
    return IssueHealth(datetime.fromisoformat(data["checked_at"]), list(data["lines"]))
