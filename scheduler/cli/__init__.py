"""The `xinqu` command line.

Each command group lives in its own module here; this module owns the global
options (--config, --data, -v) and turns every ``XinquError`` into one line on
stderr with a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from xinqu.app import App
from xinqu.errors import XinquError
from xinqu.logs import setup_logging


class XinquGroup(click.Group):
    """Reports a user's mistake as one line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except XinquError as exc:
            click.echo(f"xinqu: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("xinqu: interrupted", err=True)
            sys.exit(130)


@click.group(cls=XinquGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="XINQU_CONFIG",
    help="Configuration folder (default: the shipped config/).",
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="XINQU_DATA",
    default=Path("var"),
    show_default=True,
    help="Where state lives: database, outbox, logs.",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.pass_context
def main(ctx: click.Context, config_dir: Path | None, data_dir: Path, verbose: int) -> None:
    """xinqu-digest: the national new areas' bulletin, crawled, selected and mailed."""
    app = App(
        config_dir=config_dir,
        data_dir=data_dir,
        on_created=lambda path: click.echo(f"xinqu: created data folder {path}", err=True),
    )
    ctx.obj = app
    ctx.call_on_close(app.close)
    setup_logging(app.log_dir, verbose=verbose)


def _register() -> None:
    from scheduler.cli import (
        articles,
        crawl,
        digest,
        extract,
        init,
        process,
        send,
        serve,
        service,
        source_new,
        sources,
        subscribers,
    )

    for module in (
        init,
        crawl,
        process,
        articles,
        digest,
        extract,
        sources,
        source_new,
        send,
        serve,
        subscribers,
        service,
    ):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
