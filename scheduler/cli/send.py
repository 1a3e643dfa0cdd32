"""`xinqu digest send`: deliver an issue; safe to interrupt and to run again.

SIGTERM or Ctrl-C lets the message being sent finish and records it, then stops;
even a SIGKILL loses nothing (see xinqu/store/deliveries.py). Exit status 0
when every subscriber has the issue (bounces are reported, not retried), 1 when
some are left for a later run, in doubt, or the issue is held because the server
refuses the message itself; 3 when another send of the issue runs on the database.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

import click

from scheduler.cli.digest import digest
from xinqu.app import App
from xinqu.errors import XinquError


@contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        click.echo(f"xinqu: {signal.Signals(signum).name}: finishing the current message", err=True)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _show_progress(done: int, total: int) -> None:
    click.echo(f"\rsending {done + 1}/{total}", err=True, nl=False)


def _issue_id(app: App, number: int | None) -> int:
    from xinqu.store.issues import issue_by_number, latest_issue

    with app.store.session() as session:
        issue = latest_issue(session) if number is None else issue_by_number(session, number)
        if issue is None and number is None:
            raise XinquError("no issue built yet; run `xinqu digest build` first")
        if issue is None:
            raise XinquError(f"no issue number {number}")
        return issue.id


@digest.command("send")
@click.option("--issue", "number", type=int, help="Issue number (default: the latest).")
@click.option("--dry-run", is_flag=True, help="Show who would get it; send and record nothing.")
@click.option(
    "--to",
    "preview_to",
    metavar="ADDRESS",
    help="With --dry-run: print the exact message this reader would get.",
)
@click.option(
    "--resend-in-doubt",
    is_flag=True,
    help="Also resend messages whose acceptance was never confirmed (same Message-ID).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Send processes, each its own SMTP connection (default: mail.workers).",
)
@click.pass_obj
def send(
    app: App,
    number: int | None,
    dry_run: bool,
    preview_to: str | None,
    resend_in_doubt: bool,
    workers: int | None,
) -> None:
    """Deliver an issue to every active subscriber exactly once, each their sections."""
    from xinqu.mail import send_issue

    if preview_to is not None and not dry_run:
        raise XinquError("--to previews one reader's mail and sends nothing: add --dry-run")
    issue_id = _issue_id(app, number)
    if preview_to is not None:
        from xinqu.mail.editions import preview_for

        sys.stdout.buffer.write(preview_for(app, issue_id, preview_to.strip().lower()))
        sys.stdout.buffer.flush()
        return
    progress = _show_progress if sys.stderr.isatty() else None
    with _stop_on_signals() as stop:
        report = send_issue(
            app,
            issue_id,
            dry_run=dry_run,
            stop=stop,
            resend_in_doubt=resend_in_doubt,
            progress=progress,
            workers=workers or app.config.settings.mail.workers,
        )
    if progress is not None:
        click.echo("\r\x1b[K", err=True, nl=False)
    for email in report.would_send:
        click.echo(f"would send to {email}")
    for email, reason in report.bounced:
        click.echo(f"bounced  {email}: {reason}")
    refused = dict(report.rejected)
    for email, reason in report.failed:
        if email in refused:
            click.echo(f"refused  {email}: {reason} (the message, not the address)")
        else:
            click.echo(f"deferred {email}: {reason}")
    for email in report.in_doubt:
        click.echo(f"in doubt {email} (not counted as sent; --resend-in-doubt sends it again)")
    for email in report.taken:
        click.echo(f"skipped  {email}: another send on this database has it")
    click.echo(report.summary())
    if not dry_run and not report.complete:
        raise click.exceptions.Exit(1)


COMMANDS: list[click.Command] = []
