"""`xinqu crawl`: run the spiders now and print a per-source summary."""

from __future__ import annotations

import click

from xinqu.app import App


@click.command()
@click.option(
    "--source", "sources", multiple=True, metavar="NAME", help="Only this source (repeatable)."
)
@click.option(
    "--refresh",
    is_flag=True,
    help="Fetch articles again even when already stored, and links that failed before.",
)
@click.option(
    "--worker",
    is_flag=True,
    help="Work on the distributed crawl announced in crawl.redis_url, then exit.",
)
@click.option(
    "--wait",
    type=float,
    default=None,
    metavar="SECONDS",
    help="With --worker: wait at most this long for a crawl to be announced.",
)
@click.pass_obj
def crawl(
    app: App, sources: tuple[str, ...], refresh: bool, worker: bool, wait: float | None
) -> None:
    """Run the spiders now; exits 1 naming each source that failed or was blocked.

    With crawl.redis_url set, this process coordinates: `xinqu crawl --worker`
    processes (on this machine or others, same config and database) fetch.
    """
    from crawler.extensions import record_interrupted
    from crawler.runner import run_crawl, run_worker
    from scheduler.orphans import die_with_parent

    die_with_parent(
        before_force=lambda: record_interrupted("stopped: the scheduler that started it was gone")
    )

    verbose = click.get_current_context().find_root().params.get("verbose", 0)
    if worker:
        if not app.config.settings.crawl.redis_url:
            raise click.UsageError("--worker needs crawl.redis_url in settings.yaml")
        run_id = run_worker(app, wait_seconds=wait, verbose=verbose)
        if run_id is None:
            click.echo(f"xinqu: no crawl was announced in {wait:.0f} s", err=True)
            raise click.exceptions.Exit(1)
        click.echo(f"worked on crawl run {run_id}")
        return
    for name in sources:
        app.config.source(name)
    runs = run_crawl(app, sources, refresh=refresh, verbose=verbose)
    failed: list[str] = []
    for run in runs:
        line = (
            f"{run.source:<16} {run.status:<8} requests={run.requests} new={run.new} "
            f"updated={run.updated} known={run.known} errors={run.errors}"
        )
        if run.dead:
            line += f" dead={run.dead}"
        if run.error_message:
            line += f"  — {run.error_message}"
        click.echo(line)
        if run.status in ("failed", "blocked"):
            failed.append(f"{run.source} ({run.status})")
    if failed:
        click.echo(
            f"xinqu: {len(failed)} of {len(runs)} sources failed: {', '.join(failed)}", err=True
        )
        raise click.exceptions.Exit(1)


COMMANDS = [crawl]
