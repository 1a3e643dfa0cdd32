"""The editor's review of a draft: edit it, approve it, reopen it; each step logged.

Every action is recorded first (xinqu/store/editor_actions.py: who, when, what),
then the draft is rebuilt for its own period so the frozen bodies show the edit
(the build replays the whole log, xinqu.issue.actions). Only a draft is edited:
an approved issue is reopened first, so what was approved is what is sent; a
sent (or sending) issue never changes. A mistake is one line naming the bad id,
section or area.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from xinqu.app import App
from xinqu.config import Config
from xinqu.errors import XinquError
from xinqu.issue.build import (
    APPROVED,
    DRAFT,
    SENDING,
    SENT,
    Built,
    build_next,
    issue_state,
    period_bounds,
)
from xinqu.process import candidates_by_section
from xinqu.store.duplicates import possible_pairs
from xinqu.store.editor_actions import (
    APPROVE,
    REOPEN,
    ActionRecord,
    actions_for_issue,
    delete_action,
    record_action,
)
from xinqu.store.issues import Issue, issue_by_number, latest_issue

#: What each edit takes besides the article: (needs a second article, needs a value).
EDITS: dict[str, tuple[bool, bool]] = {
    "drop": (False, False),
    "move": (False, True),
    "pin": (False, False),
    "promote": (False, False),
    "headline": (False, True),
    "area": (False, True),
    "merge": (True, False),
}


class ReviewError(XinquError):
    """A review step the issue's state or the arguments do not allow (one line)."""


def find_issue(session: Session, number: int | None) -> Issue:
    """Issue ``number``, or the latest one; a clear line when there is none."""
    issue = latest_issue(session) if number is None else issue_by_number(session, number)
    if issue is None:
        raise ReviewError(
            "no issue built yet; run `xinqu digest build` first"
            if number is None
            else f"no issue number {number}"
        )
    return issue


def _editor(name: str) -> str:
    editor = " ".join(name.split())
    if not editor:
        raise ReviewError("--editor NAME: say who you are (it goes into the log)")
    return editor


def section_key(config: Config, name: str) -> str:
    """A section by key or title (`reform` or `改革创新`); a clear line otherwise."""
    for s in config.sections.sections:
        if name in (s.key, s.title):
            return s.key
    known = ", ".join(f"{s.key} ({s.title})" for s in config.sections.sections)
    raise ReviewError(f"unknown section {name!r} (known: {known})")


def _area(config: Config, name: str) -> str:
    known = [*config.areas.areas, config.areas.several]
    if name not in known:
        raise ReviewError(f"unknown area {name!r} (known: {', '.join(known)})")
    return name


def candidate_ids(session: Session, config: Config, issue: Issue) -> set[int]:
    """Every article an edit of this draft may name: the members of each story the
    draft selects from (its items, its whole 其他动态 lists, their merged members)."""
    since_dt, until_dt = period_bounds(config.settings.tz, issue.since, issue.until)
    keys = [s.key for s in config.sections.sections]
    pools = candidates_by_section(session, keys, since_dt, until_dt, except_issue=issue.id)
    return {aid for pool in pools.values() for c in pool for aid in (c.article.id, *c.group)}


def _editable(session: Session, issue: Issue) -> None:
    state = issue_state(session, issue)
    if state == APPROVED:
        raise ReviewError(
            f"issue {issue.number} is approved; `xinqu digest reopen` it before editing"
        )
    if state in (SENDING, SENT):
        raise ReviewError(
            f"issue {issue.number} is {state} and never changes; "
            f"`xinqu digest build --corrects {issue.number}` makes a correction"
        )
    if issue.corrects:
        raise ReviewError(
            f"issue {issue.number} corrects issue {issue.corrects}: edit the articles "
            "(`xinqu articles`) and rebuild it instead"
        )


def _rebuild(app: App, issue: Issue) -> Built:
    """The draft selected again for its own period, the whole log replayed."""
    return build_next(
        app, issue_date=issue.issue_date, since=issue.since, until=issue.until, rebuild=True
    )


def edit_draft(
    app: App,
    editor: str,
    kind: str,
    article_id: int,
    *,
    other_id: int | None = None,
    value: str | None = None,
    number: int | None = None,
) -> tuple[ActionRecord, Built]:
    """Record one edit of the draft (default: the latest issue) and rebuild it."""
    who = _editor(editor)
    if kind not in EDITS:
        raise ReviewError(f"unknown edit {kind!r} (known: {', '.join(EDITS)}, undo)")
    needs_other, needs_value = EDITS[kind]
    config = app.config
    if needs_value and not (value or "").strip():
        raise ReviewError(f"{kind} {article_id}: give the new {kind}")
    if kind == "move":
        value = section_key(config, value or "")
    elif kind == "area":
        value = _area(config, (value or "").strip())
    elif kind == "headline":
        value = " ".join((value or "").split())
    with app.store.session() as session:
        issue = find_issue(session, number)
        _editable(session, issue)
        known = candidate_ids(session, config, issue)
        for aid in (article_id, other_id) if needs_other else (article_id,):
            if aid not in known:
                raise ReviewError(
                    f"article {aid} is not in the draft of issue {issue.number} "
                    "(`xinqu digest show` lists the ids)"
                )
        if needs_other and other_id == article_id:
            raise ReviewError(f"merge {article_id} {other_id}: give two different articles")
        action = record_action(
            session, issue.id, who, kind, article_id=article_id, other_id=other_id, value=value
        )
        session.expunge(issue)
    return action, _rebuild_or_forget(app, issue, action)


def undo_action(
    app: App, editor: str, action_id: int, *, number: int | None = None
) -> tuple[ActionRecord, Built]:
    """Withdraw an earlier edit (recorded as an ``undo``) and rebuild the draft."""
    who = _editor(editor)
    with app.store.session() as session:
        issue = find_issue(session, number)
        _editable(session, issue)
        log = actions_for_issue(session, issue.id)
        undone = {a.other_id for a in log if a.kind == "undo"}
        target = next((a for a in log if a.id == action_id), None)
        if target is None or target.kind not in EDITS:
            raise ReviewError(
                f"issue {issue.number} has no edit {action_id} (`xinqu digest actions` lists them)"
            )
        if action_id in undone:
            raise ReviewError(f"action {action_id} is undone already")
        action = record_action(session, issue.id, who, "undo", other_id=action_id)
        session.expunge(issue)
    return action, _rebuild_or_forget(app, issue, action)


def _rebuild_or_forget(app: App, issue: Issue, action: ActionRecord) -> Built:
    """Rebuild with the new action; if the rebuild fails, the action is not kept."""
    try:
        return _rebuild(app, issue)
    except BaseException:
        with app.store.session() as session:
            delete_action(session, action.id)
        raise


def approve_issue(app: App, editor: str, number: int | None = None) -> Issue:
    """Approve a draft (default: the latest issue); recorded with who approved it.

    A rebuild (`digest build --rebuild`) makes it a draft again, to be approved anew.
    """
    who = _editor(editor)
    with app.store.session() as session:
        issue = find_issue(session, number)
        state = issue_state(session, issue)
        if state in (SENDING, SENT):
            raise ReviewError(f"issue {issue.number} is already {state}")
        if state == APPROVED:
            raise ReviewError(f"issue {issue.number} is approved already")
        issue.status = APPROVED
        record_action(session, issue.id, who, APPROVE)
        return issue


def reopen_issue(app: App, editor: str, number: int | None = None) -> Issue:
    """Make an approved issue a draft again, to edit it (recorded)."""
    who = _editor(editor)
    with app.store.session() as session:
        issue = find_issue(session, number)
        state = issue_state(session, issue)
        if state in (SENDING, SENT):
            raise ReviewError(f"issue {issue.number} is {state} and cannot be reopened")
        if state == DRAFT:
            raise ReviewError(f"issue {issue.number} is a draft already")
        issue.status = DRAFT
        record_action(session, issue.id, who, REOPEN)
        return issue


def describe(action: ActionRecord, titles: dict[int, str] | None = None) -> str:
    """What an action did, in one line (``titles``: article id → headline)."""
    names = titles or {}

    def art(aid: int | None) -> str:
        title = names.get(aid) if aid is not None else None
        return f"{aid}「{title}」" if title else str(aid)

    kind = action.kind
    if kind in (APPROVE, REOPEN):
        return kind
    if kind == "undo":
        return f"undo action {action.other_id}"
    if kind == "merge":
        return f"merge {art(action.other_id)} into {art(action.article_id)}"
    if kind in ("move", "headline", "area"):
        return f"{kind} {art(action.article_id)} → {action.value}"
    return f"{kind} {art(action.article_id)}"


def action_lines(
    actions: Sequence[ActionRecord], tz: ZoneInfo, titles: dict[int, str] | None = None
) -> list[str]:
    """The log as lines: when, who, what, and whether the last build applied it."""
    lines = []
    for a in actions:
        when = a.at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        note = f"（未生效：{a.note}）" if a.note and a.note != "undone" else ""
        if a.note == "undone":
            note = "（已撤销）"
        lines.append(f"{a.id} {when} {a.editor}: {describe(a, titles)}{note}")
    return lines


def issue_titles(issue: Issue) -> dict[int, str]:
    """Article id → headline as the draft shows it."""
    content = json.loads(issue.content)
    return {
        int(entry["id"]): str(entry["headline"])
        for section in content.get("sections", [])
        for kind in ("items", "more")
        for entry in section.get(kind, [])
        if entry.get("id") is not None
    }


def draft_lines(app: App, number: int | None = None) -> list[str]:
    """`xinqu digest show`: the issue as the editor reviews it, one entry a line.

    Each item and 其他动态 entry starts with its article id (what the edits name);
    pinned items say so; possible duplicates among the draft's stories are listed with
    the edit that merges them; then the log's size and any edit the last build could
    not apply.
    """
    with app.store.session() as session:
        issue = find_issue(session, number)
        state = issue_state(session, issue)
        log = actions_for_issue(session, issue.id)
        content = json.loads(issue.content)
        titles = issue_titles(issue)
        pairs = [
            (e.first_id, e.second_id, e.reason)
            for e in possible_pairs(session)
            if e.first_id in titles and e.second_id in titles
        ]
    undone = {a.other_id for a in log if a.kind == "undo"}
    pinned = {
        a.article_id for a in log if a.kind == "pin" and a.note is None and a.id not in undone
    }
    lines = [
        f"issue {issue.number} ({issue.subject}), {issue.since}…{issue.until}: {state}",
    ]
    for section in content["sections"]:
        lines.append(f"{section['title']} ({section['key']}): {len(section['items'])} items")
        for entry in section["items"]:
            mark = " [pinned]" if entry.get("id") in pinned else ""
            lines.append(
                f"  {entry.get('id', '-'):>6}{mark}  {entry['headline']}  ({entry['site_name']})"
            )
        total = int(section.get("more_total", len(section["more"])))
        if total:
            lines.append(f"  其他动态: {total}")
        for entry in section["more"]:
            lines.append(
                f"  {entry.get('id', '-'):>6}  · {entry['headline']}  ({entry['site_name']})"
            )
        if total > len(section["more"]):
            lines.append(f"          … {total - len(section['more'])} more in the web copy")
    if pairs:
        lines.append(f"possible duplicates: {len(pairs)}")
        for first, second, reason in pairs:
            lines.append(
                f"  {first} ~ {second}: {reason}; merge: xinqu digest edit merge {first} {second}"
            )
    skipped = [a for a in log if a.note and a.note != "undone"]
    lines.append(f"editor actions: {len(log)} (xinqu digest actions)")
    for a in skipped:
        lines.append(f"  not applied: action {a.id} ({describe(a, titles)}): {a.note}")
    return lines
