"""`xinqu digest`: build the next issue, approve it, list and export issues (send: send.py)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

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


@digest.command("approve")
@click.option("--issue", "number", type=int, required=True, help="Issue number.")
@click.pass_obj
def approve(app: App, number: int) -> None:
    """Mark a draft as approved by the editor."""
    from xinqu.issue.build import approve_issue

    issue = approve_issue(app, number)
    click.echo(f"issue {issue.number} approved")


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
