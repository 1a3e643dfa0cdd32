"""`xinqu digest`: build the next issue, approve it, list and export issues (send: send.py)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from scheduler.cli.options import DAY
from xinqu.app import App
from xinqu.errors import XinquError

FORMATS = ["html", "text", "json", "eml", "pdf", "docx"]


def _counts(content_json: str) -> tuple[int, int]:
    """(items, 其他动态 entries) of an issue's frozen content."""
    sections = json.loads(content_json)["sections"]
    items = sum(len(s["items"]) for s in sections)
    more = sum(int(s.get("more_total", len(s["more"]))) for s in sections)
    return items, more


@click.group()
def digest() -> None:
    """Build, approve, list, export and send issues of the bulletin."""


@digest.command("build")
@click.option("--since", type=DAY, help="First day of the period (default: date - period_days).")
@click.option("--until", type=DAY, help="Last day of the period (default: the day before date).")
@click.option("--date", "issue_date", type=DAY, help="The issue's date (default: today).")
@click.option("--rebuild", is_flag=True, help="Select and render the draft again.")
@click.option(
    "--corrects", type=int, metavar="N", help="Make a new issue correcting the sent issue N."
)
@click.pass_obj
def build(
    app: App,
    since: date | None,
    until: date | None,
    issue_date: date | None,
    rebuild: bool,
    corrects: int | None,
) -> None:
    """Make or rebuild the draft of the next issue; a sent issue is never rebuilt."""
    from xinqu.issue.build import build_next

    built = build_next(
        app,
        issue_date=issue_date,
        since=since,
        until=until,
        rebuild=rebuild,
        corrects=corrects,
    )
    issue = built.issue
    items, more = _counts(issue.content)
    what = {"unchanged": f"{built.state}, unchanged", "corrected": f"corrects issue {corrects}"}
    click.echo(
        f"issue {issue.number} ({issue.subject}), {issue.since}…{issue.until}: "
        f"{items} items, {more} more; {what.get(built.outcome, built.outcome)}"
    )
    for line in built.unapplied:
        click.echo(f"xinqu: not applied: {line}", err=True)


EDITOR = click.option(
    "--editor",
    envvar="XINQU_EDITOR",
    required=True,
    metavar="NAME",
    help="Who acts (recorded in the log; default: $XINQU_EDITOR).",
)
ISSUE = click.option("--issue", "number", type=int, help="Issue number (default: the latest).")


@digest.command("approve")
@ISSUE
@EDITOR
@click.pass_obj
def approve(app: App, number: int | None, editor: str) -> None:
    """Approve the draft as it stands (recorded); with digest.require_approval, only an
    approved issue is sent."""
    from xinqu.issue.review import approve_issue

    issue = approve_issue(app, editor, number)
    click.echo(f"issue {issue.number} approved by {' '.join(editor.split())}")


@digest.command("reopen")
@ISSUE
@EDITOR
@click.pass_obj
def reopen(app: App, number: int | None, editor: str) -> None:
    """Make an approved issue a draft again, to edit it (recorded)."""
    from xinqu.issue.review import reopen_issue

    issue = reopen_issue(app, editor, number)
    click.echo(f"issue {issue.number} reopened: a draft again")


@digest.command("show")
@ISSUE
@click.pass_obj
def show(app: App, number: int | None) -> None:
    """The draft (or any issue) with the article id of every item and 其他动态 entry."""
    from xinqu.issue.review import draft_lines

    app.require_data_dir()
    for line in draft_lines(app, number):
        click.echo(line)


@digest.command("actions")
@ISSUE
@click.pass_obj
def actions(app: App, number: int | None) -> None:
    """The editor's log of the issue: id, when, who, what, and whether it applied."""
    from xinqu.issue.review import action_lines, find_issue, issue_titles
    from xinqu.store.editor_actions import actions_for_issue

    app.require_data_dir()
    with app.store.session() as session:
        issue = find_issue(session, number)
        log = actions_for_issue(session, issue.id)
        titles = issue_titles(issue)
    if not log:
        click.echo(f"issue {issue.number}: no editor action yet")
        return
    for line in action_lines(log, app.tz, titles):
        click.echo(line)


@digest.group("edit")
def edit() -> None:
    """Correct the draft: drop, move, pin, promote, headline, area, merge, undo.

    Each edit is recorded (who, when, what) and the draft rebuilt at once; the
    edits are replayed on every rebuild, so re-processing keeps them.
    """


def _edited(app: App, kind: str, article_id: int, **extra: Any) -> None:
    from xinqu.issue.review import edit_draft

    action, built = edit_draft(app, extra.pop("editor"), kind, article_id, **extra)
    _report_edit(built, f"action {action.id}: {kind} {article_id}")


def _report_edit(built: Any, what: str) -> None:
    items, more = _counts(built.issue.content)
    click.echo(f"{what}; issue {built.issue.number} now {items} items, {more} more")
    for line in built.unapplied:
        click.echo(f"xinqu: not applied: {line}", err=True)


ARTICLE = click.argument("article_id", type=int, metavar="ID")


@edit.command("drop")
@ARTICLE
@ISSUE
@EDITOR
@click.pass_obj
def edit_drop(app: App, article_id: int, number: int | None, editor: str) -> None:
    """Take a story out of the issue (items and 其他动态)."""
    _edited(app, "drop", article_id, number=number, editor=editor)


@edit.command("move")
@ARTICLE
@click.argument("section", metavar="SECTION")
@ISSUE
@EDITOR
@click.pass_obj
def edit_move(app: App, article_id: int, section: str, number: int | None, editor: str) -> None:
    """Carry a story in another section (key or title: reform or 改革创新)."""
    _edited(app, "move", article_id, value=section, number=number, editor=editor)


@edit.command("pin")
@ARTICLE
@ISSUE
@EDITOR
@click.pass_obj
def edit_pin(app: App, article_id: int, number: int | None, editor: str) -> None:
    """Carry a story at the top of its section."""
    _edited(app, "pin", article_id, number=number, editor=editor)


@edit.command("promote")
@ARTICLE
@ISSUE
@EDITOR
@click.pass_obj
def edit_promote(app: App, article_id: int, number: int | None, editor: str) -> None:
    """Carry a 其他动态 entry as an item of its section."""
    _edited(app, "promote", article_id, number=number, editor=editor)


@edit.command("headline")
@ARTICLE
@click.argument("text", metavar="HEADLINE")
@ISSUE
@EDITOR
@click.pass_obj
def edit_headline(app: App, article_id: int, text: str, number: int | None, editor: str) -> None:
    """Print this headline for the story, word for word."""
    _edited(app, "headline", article_id, value=text, number=number, editor=editor)


@edit.command("area")
@ARTICLE
@click.argument("area", metavar="AREA")
@ISSUE
@EDITOR
@click.pass_obj
def edit_area(app: App, article_id: int, area: str, number: int | None, editor: str) -> None:
    """Say which new area the story is about, in this issue (config/areas.yaml names)."""
    _edited(app, "area", article_id, value=area, number=number, editor=editor)


@edit.command("merge")
@ARTICLE
@click.argument("other_id", type=int, metavar="OTHER_ID")
@ISSUE
@EDITOR
@click.pass_obj
def edit_merge(app: App, article_id: int, other_id: int, number: int | None, editor: str) -> None:
    """Merge OTHER_ID's story into ID's (a possible duplicate `digest show` lists)."""
    _edited(app, "merge", article_id, other_id=other_id, number=number, editor=editor)


@edit.command("undo")
@click.argument("action_id", type=int, metavar="ACTION")
@ISSUE
@EDITOR
@click.pass_obj
def edit_undo(app: App, action_id: int, number: int | None, editor: str) -> None:
    """Withdraw an earlier edit (its id from `xinqu digest actions`)."""
    from xinqu.issue.review import undo_action

    action, built = undo_action(app, editor, action_id, number=number)
    _report_edit(built, f"action {action.id}: undo action {action_id}")


@digest.command("list")
@click.pass_obj
def list_issues(app: App) -> None:
    """Every issue: number, state, date, period, items and 其他动态 counts."""
    from xinqu.issue.build import issue_state
    from xinqu.store.issues import all_issues

    app.require_data_dir()
    with app.store.session() as session:
        rows = [(issue, issue_state(session, issue)) for issue in all_issues(session)]
        if not rows:
            click.echo("no issue built yet")
            return
        click.echo(f"{'no.':>4}  {'state':<8}  {'date':<10}  {'period':<23}  items  more")
        for issue, state in rows:
            items, more = _counts(issue.content)
            note = f"  corrects {issue.corrects}" if issue.corrects else ""
            click.echo(
                f"{issue.number:>4}  {state:<8}  {issue.issue_date}  "
                f"{issue.since}…{issue.until}  {items:>5}  {more:>4}{note}"
            )


@digest.command("export")
@click.option("--issue", "number", type=int, help="Issue number (default: the latest).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="Output format.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="File to write.")
@click.pass_obj
def export_issue(app: App, number: int | None, fmt: str, out: Path | None) -> None:
    """Write an issue as it was frozen (never builds one); to --out or standard output."""
    from xinqu.issue.export import export
    from xinqu.store.issues import issue_by_number, latest_issue

    app.require_data_dir()
    with app.store.session() as session:
        issue = latest_issue(session) if number is None else issue_by_number(session, number)
        if issue is None:
            raise XinquError(
                "no issue built yet" if number is None else f"no issue number {number}"
            )
        data = export(app.config.settings, issue, fmt)
        label = f"issue {issue.number}"
    if out is not None:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
        except OSError as exc:
            raise XinquError(f"cannot write {out}: {exc.strerror}") from None
        click.echo(f"{label} written to {out} ({fmt})", err=True)
        return
    if fmt in {"pdf", "docx"} and sys.stdout.isatty():
        raise XinquError(f"--format {fmt} is binary: give --out FILE")
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


COMMANDS = [digest]
