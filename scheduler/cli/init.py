"""`xinqu init DIR`: an editable copy of the shipped configuration for a new installation.

The shipped configuration is package data and is never edited in place (an installed
wheel's files belong to pip); an installation keeps its own copy and names it with
``--config DIR`` or ``XINQU_CONFIG``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from xinqu.config import SHIPPED_CONFIG_DIR, load_config
from xinqu.errors import ConfigError


def shipped_files() -> list[Path]:
    return sorted(SHIPPED_CONFIG_DIR.glob("*.yaml"))


def copy_shipped_config(directory: Path, *, force: bool = False) -> list[Path]:
    """Copy every shipped YAML file into ``directory``; returns the files written."""
    if directory.exists() and not directory.is_dir():
        raise ConfigError(f"{directory}: exists and is not a folder")
    existing = [directory / p.name for p in shipped_files() if (directory / p.name).exists()]
    if existing and not force:
        names = ", ".join(p.name for p in existing)
        raise ConfigError(f"{directory}: already holds {names} (--force overwrites them)")
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for source in shipped_files():
        target = directory / source.name
        shutil.copyfile(source, target)
        written.append(target)
    load_config(directory)
    return written


@click.command("init")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite configuration files already there.")
def init(directory: Path, force: bool) -> None:
    """Write an editable copy of the shipped configuration into DIRECTORY."""
    for path in copy_shipped_config(directory, force=force):
        click.echo(f"wrote {path}")
    click.echo(f"edit them, then run xinqu with --config {directory} (or XINQU_CONFIG={directory})")


COMMANDS = [init]
