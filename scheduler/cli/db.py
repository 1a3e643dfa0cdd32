"""`xinqu db`: the store itself — moving it into another database."""

from __future__ import annotations

import sys

import click

from xinqu.app import App


@click.group()
def db() -> None:
    """The store: copy it into another database."""


@db.command("migrate-to")
@click.argument("url")
@click.option(
    "--resume",
    is_flag=True,
    help="Go on with a copy cut off part-way: rows already in the target are kept.",
)
@click.pass_obj
def migrate_to(app: App, url: str, resume: bool) -> None:
    """Copy this installation's store into the database at URL, without loss.

    Every table is copied, then its row count and a checksum of its contents are
    compared on both sides. Stop the scheduler first. Afterwards point
    XINQU_DATABASE_URL (or settings' database_url) at URL.
    """
    from xinqu.store import open_store
    from xinqu.store.copy import copy_store

    app.require_data_dir()
    source = app.store
    target = open_store(url)
    try:
        report = copy_store(
            source, target, resume=resume, progress=lambda table: click.echo(table.line())
        )
    finally:
        target.dispose()
    if not report.complete:
        click.echo(
            f"xinqu: the copy differs from {source.safe_url} in {', '.join(report.differing)}: "
            "run it again with --resume (with the scheduler stopped)",
            err=True,
        )
        sys.exit(1)
    click.echo(
        f"copied {sum(t.source_rows for t in report.tables)} rows of {len(report.tables)} "
        f"tables into {target.safe_url}; row counts and checksums agree. Point "
        "XINQU_DATABASE_URL (or database_url in settings.yaml) at it."
    )


COMMANDS = [db]
