"""Option types shared by the commands: one spelling for dates (``YYYY-MM-DD``)."""

from __future__ import annotations

from datetime import date

import click


class Day(click.ParamType[date]):
    """A calendar day written ``2026-11-18``: every date option of every command."""

    name = "DATE"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"expected a date like 2026-11-18 (YYYY-MM-DD), got {value!r}", param, ctx)


DAY = Day()
