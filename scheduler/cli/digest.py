"""`xinqu digest`: build and send issues."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click

from xinqu.app import App
from xinqu.errors import XinquError

_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


@click.group()
def digest() -> None:
    """Build and send issues of the bulletin."""


@digest.command("build")
@click.option("--since", type=_DATE, help="First day of the period (default: date - period_days).")
@click.option("--until", type=_DATE, help="Last day of the period (default: the day before date).")
@click.option("--date", "issue_date", type=_DATE, help="The issue's date (default: today).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "text", "json", "eml", "pdf", "docx"]),
    help="Write the issue in this format (to --out, or to standard output).",
)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="File to write.")
@click.option("--rebuild", is_flag=True, help="Select and render again an issue already built.")
@click.pass_obj
def build(
    app: App,
    since: datetime | None,
    until: datetime | None,
    issue_date: datetime | None,
    fmt: str | None,
    out: Path | None,
    rebuild: bool,
) -> None:
    """Build the issue of a period (once; --rebuild to redo it) and write it out."""
    import json

    from xinqu.issue import build_issue
    from xinqu.issue.export import export

    issue = build_issue(
        app,
        issue_date=_day(issue_date),
        since=_day(since),
        until=_day(until),
        rebuild=rebuild,
    )
    content = json.loads(issue.content)
    items = sum(len(s["items"]) for s in content["sections"])
    more = sum(len(s["more"]) for s in content["sections"])
    summary = (
        f"issue {issue.number} ({issue.subject}), {issue.since}…{issue.until}: "
        f"{items} items, {more} more"
    )
    if fmt is None:
        click.echo(summary)
        return
    data = export(app.config.settings, issue, fmt)
    if out is not None:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
        except OSError as exc:
            raise XinquError(f"cannot write {out}: {exc.strerror}") from None
        click.echo(f"{summary}; written to {out}", err=True)
        return
    if fmt in {"pdf", "docx"} and sys.stdout.isatty():
        raise XinquError(f"--format {fmt} is binary: give --out FILE")
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


COMMANDS = [digest]
