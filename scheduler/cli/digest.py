"""`xinqu digest`: build and send issues."""

from __future__ import annotations

import click


@click.group()
def digest() -> None:
    """Build and send issues of the bulletin."""


COMMANDS = [digest]
