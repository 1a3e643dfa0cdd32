"""The `xinqu` command line.

Each command group lives in its own module here; this module owns the global
options (--config, --data, -v) and turns every ``XinquError`` into one line on
stderr with a non-zero exit status, never a traceback.

Commands load lazily (click's "lazily loading subcommands" pattern): a command's
module, and the store, the classifier or Scrapy it imports, is imported only when
that command runs, so `xinqu --help` answers at once. ``COMMANDS`` below names each
command's modules and its one-line help; `tests/test_cli_lazy.py` checks it against
the commands themselves.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from xinqu.errors import ConfigError, XinquError

#: name → (one-line help, the modules under scheduler/cli/ that define it; the first
#: holds the command in its ``COMMANDS``, the others add subcommands to it).
COMMANDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "init": ("Write an editable copy of the shipped configuration into DIRECTORY.", ("init",)),
    "crawl": (
        "Run the spiders now; exits 1 naming each source that failed or was blocked.",
        ("crawl",),
    ),
    "process": ("Dedupe and classify the stored articles (re-running is safe).", ("process",)),
    "articles": (
        "List stored articles with their section and area; fix sections, areas and groups.",
        ("articles",),
    ),
    "digest": (
        "Build, approve, list, export and send issues of the bulletin.",
        ("digest", "send"),
    ),
    "extract": (
        "What the article extractor makes of one page, followed over its continuation pages.",
        ("extract",),
    ),
    "sources": ("List, check and add news sources.", ("sources", "source_new")),
    "db": ("The store: copy it into another database.", ("db",)),
    "serve": ("Serve the unsubscribe / confirm links (put it behind web.base_url).", ("serve",)),
    "subscribers": ("Add, remove, list and import the bulletin's readers.", ("subscribers",)),
    "scheduler": (
        "Long-running service on the configured schedule (stop with SIGTERM or Ctrl-C).",
        ("service",),
    ),
    "status": (
        "Sources' health, last runs, next jobs, the last issue and its deliveries, failed steps.",
        ("service",),
    ),
    "run-once": (
        "Crawl → process → build the issue → deliver it, once, reporting each step.",
        ("service",),
    ),
    "demo": (
        "The same cycle against the bundled fixture sites on 127.0.0.1 (offline).",
        ("service",),
    ),
}


def load_command(name: str) -> click.Command:
    """Import the modules of command ``name`` and return it."""
    first, *extra = (importlib.import_module(f"scheduler.cli.{m}") for m in COMMANDS[name][1])
    del extra  # imported for the subcommands they attach
    commands: list[click.Command] = first.COMMANDS
    for command in commands:
        if command.name == name:
            return command
    raise LookupError(f"scheduler.cli.{COMMANDS[name][1][0]} defines no command {name!r}")


class XinquGroup(click.Group):
    """Loads commands when used; reports a user's mistake as one line, not a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return load_command(cmd_name) if cmd_name in COMMANDS else None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from ``COMMANDS``, without importing any command."""
        rows = [(name, help_line) for name, (help_line, _) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

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
    from xinqu import clock
    from xinqu.app import App
    from xinqu.logs import setup_logging

    try:
        clock.check_frozen()
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    app = App(
        config_dir=config_dir,
        data_dir=data_dir,
        on_created=lambda path: click.echo(f"xinqu: created data folder {path}", err=True),
    )
    ctx.obj = app
    ctx.call_on_close(app.close)
    setup_logging(app.log_dir, verbose=verbose)
