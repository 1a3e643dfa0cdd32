"""`xinqu scheduler`, `status`, `run-once` and `demo`: the cycle, on a schedule or now."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import FrameType

import click

from xinqu.app import App
from xinqu.errors import XinquError


def _verbose() -> int:
    return int(click.get_current_context().find_root().params.get("verbose", 0))


@contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """SIGTERM/SIGINT set the event: the current step finishes cleanly and the run stops."""
    stop = threading.Event()

    def handler(signum: int, _frame: FrameType | None) -> None:
        click.echo(f"xinqu: {signal.strsignal(signum)}: finishing the current step", err=True)
        stop.set()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


@click.command("scheduler")
@click.option("--wait", is_flag=True, help="If another scheduler runs, wait for it to stop.")
@click.pass_obj
def scheduler_command(app: App, wait: bool) -> None:
    """Long-running service on the configured schedule (stop with SIGTERM or Ctrl-C)."""
    from scheduler.service import Service
    from xinqu.logs import console_shows_info

    console_shows_info()
    Service(app, verbose=_verbose()).serve(wait=wait)


@click.command("run-once")
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="NAME",
    help="Only crawl this source (repeatable).",
)
@click.pass_obj
def run_once(app: App, sources: tuple[str, ...]) -> None:
    """Crawl → process → build the issue → deliver it, once, reporting each step."""
    from scheduler.steps import resume_unfinished, run_cycle
    from xinqu.store.locks import Lease

    for name in sources:
        app.config.source(name)
    lease = Lease(app.store, ttl=app.config.settings.schedule.lock_ttl_seconds)
    with _stop_on_signals() as stop:
        try:
            resume_unfinished(app, lease, stop=stop, report=click.echo)
            run_cycle(
                app, lease=lease, stop=stop, names=sources, verbose=_verbose(), report=click.echo
            )
        finally:
            lease.close()
        if stop.is_set():
            raise XinquError("interrupted; run it again to resume the unfinished step")


@click.command("demo")
@click.pass_obj
def demo(app: App) -> None:
    """The same cycle against the bundled fixture sites on 127.0.0.1 (offline)."""
    from scheduler.demo import run_demo

    with _stop_on_signals() as stop:
        result = run_demo(app, stop=stop, verbose=_verbose(), report=click.echo)
    click.echo("")
    click.echo(f"demo data folder: {result.data_dir}")
    for label, path in result.files:
        click.echo(f"  {label:<6} {path}")
    if not result.eml:
        click.echo("  (no .eml in the outbox: no recipients)")
    for path in result.eml:
        label = "editor" if ".editor." in path.name else "eml"
        click.echo(f"  {label:<6} {path}")


def _when(value: datetime | None, app: App) -> str:
    """A moment in the bulletin's zone, marked: ``2026-11-25 10:00+08:00``."""
    if value is None:
        return "-"
    local = value.astimezone(app.tz)
    return local.strftime("%Y-%m-%d %H:%M") + local.isoformat()[-6:]


@click.command("status")
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 (saying why) when a source is flagged, a step failed or no scheduler runs.",
)
@click.pass_obj
def status(app: App, check: bool) -> None:
    """Sources' health, last runs, next jobs, the last issue and its deliveries, failed steps."""
    from scheduler.service import LEADER_LOCK, desired_jobs
    from scheduler.steps import step_failures
    from xinqu import clock
    from xinqu.health import source_health
    from xinqu.issue.build import issue_state
    from xinqu.mail.editor import editor_copy_state
    from xinqu.store.deliveries import delivery_counts
    from xinqu.store.issues import latest_issue
    from xinqu.store.locks import holder, scheduled_jobs

    app.require_data_dir()
    with app.store.session() as session:
        healths = source_health(session, app.config)
        leader = holder(session, LEADER_LOCK)
        stored = scheduled_jobs(session)
        issue = latest_issue(session)
        counts = delivery_counts(session, issue.id) if issue else None
        issue_now = issue_state(session, issue) if issue else None
    failures = step_failures(app)
    editor_copy = (
        editor_copy_state(app, issue.id) if issue and app.config.settings.mail.editor else None
    )

    click.echo(f"scheduler: {'running, ' + leader.describe() if leader else 'not running'}")
    click.echo("")
    click.echo(
        f"{'source':<16} {'last crawl':<22} {'status':<12} {'new':>4} {'err':>4} "
        f"{'fails':>5} {'days since new':>14}  flags"
    )
    for h in healths:
        days = "-" if h.days_since_new is None else str(h.days_since_new)
        state = h.status_text if h.enabled else "disabled"
        flags = "; ".join(f.text for f in h.flags) or "-"
        click.echo(
            f"{h.name:<16} {_when(h.last_run, app):<22} {state:<12} {h.last_new:>4} "
            f"{h.last_errors:>4} {h.consecutive_failures:>5} {days:>14}  {flags}"
        )
    for h in healths:
        if h.last_errors and h.last_error:
            more = f" (and {h.last_errors - 1} more: see the log)" if h.last_errors > 1 else ""
            click.echo(f"  {h.name} — its crawl's first error: {h.last_error}{more}")
    click.echo("")
    for spec in desired_jobs(app.config).values():
        if (timestamp := stored.get(spec.id)) is not None:
            next_run = _when(datetime.fromtimestamp(timestamp, UTC), app)
        elif spec.id in stored:
            next_run = "paused"
        else:
            fire = spec.trigger(app.config).get_next_fire_time(None, clock.now(app.tz))
            next_run = f"{_when(fire, app)} (not yet scheduled: start `xinqu scheduler`)"
        click.echo(f"job {spec.id:<20} {spec.cron:<16} next run {next_run}")
    click.echo("")
    if issue is None:
        click.echo("last issue: none yet")
    else:
        deliveries = " ".join(f"{k}={v}" for k, v in (counts or {}).items()) or "none"
        click.echo(
            f"last issue: no. {issue.number} of {issue.issue_date} "
            f"({issue.since} – {issue.until}), {issue_now}; deliveries: {deliveries}"
            + (
                f"; editor copy: {editor_copy or 'not sent'}"
                if app.config.settings.mail.editor
                else ""
            )
        )
    for name, (when, message) in failures.items():
        stamp = _when(datetime.fromisoformat(when), app) if when else "-"
        click.echo(f"last {name}: FAILED at {stamp}: {message}")
    if not check:
        return
    reasons = [f"source {h.name}: {'; '.join(f.text for f in h.flags)}" for h in healths if h.flags]
    reasons += [f"step {name} failed: {message}" for name, (_, message) in failures.items()]
    if leader is None:
        reasons.append("no scheduler is running (start `xinqu scheduler`)")
    if reasons:
        click.echo("")
        click.echo(f"check failed ({len(reasons)}):")
        for reason in reasons:
            click.echo(f"  - {reason}")
        raise click.exceptions.Exit(1)
    click.echo("")
    click.echo("check passed")


COMMANDS = [scheduler_command, status, run_once, demo]
