"""`xinqu process`: dedupe and classify what was crawled."""

from __future__ import annotations

from datetime import date, datetime

import click

from scheduler.cli.articles import parse_day
from scheduler.cli.options import DAY
from xinqu.app import App


@click.command()
@click.option("--since", type=DAY, help="Only articles published (or first seen) since.")
@click.pass_obj
def process(app: App, since: date | None) -> None:
    """Dedupe and classify the stored articles (re-running is safe)."""
    from xinqu.process import run_process

    start: datetime | None = parse_day(since, app.tz) if since else None
    report = run_process(app, since=start)
    click.echo(report.summary())


COMMANDS = [process]
