"""Dates in the forms Chinese government sites use.

``2026-11-15``, ``2026/11/15 09:30``, ``2026年11月15日``, ``2026.11.15``,
``[11-15]`` or ``11-15`` on list pages (the year inferred from "now": the most
recent such date not in the future), ``发布时间：…`` lines, and epoch
milliseconds from JSON APIs. Naive times are in the site's zone ``tz``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

from scheduler.clock import now as clock_now

_FULL = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?:T|\s)?\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?)?"
)
_SHORT_YEAR = re.compile(r"(?<!\d)(?P<y>\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)")
_MONTH_DAY = re.compile(r"(?<![\d\-/.])(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?(?![\d\-/.])")
_EPOCH = re.compile(r"^\s*(?P<n>\d{10}|\d{13})\s*$")


def _build(
    tz: tzinfo, y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0
) -> datetime | None:
    try:
        return datetime(y, m, d, hh, mm, ss, tzinfo=tz)
    except ValueError:
        return None


def parse_datetime(
    value: str | int | float | None, tz: tzinfo, now: datetime | None = None
) -> datetime | None:
    """The first date (with time, if given) found in ``value``, aware in ``tz``."""
    if value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
        seconds = number / 1000 if number > 1e11 else number
        return datetime.fromtimestamp(seconds, UTC).astimezone(tz)
    text = value.strip()
    if not text:
        return None
    epoch = _EPOCH.match(text)
    if epoch:
        return parse_datetime(int(epoch.group("n")), tz, now)
    full = _FULL.search(text)
    if full:
        g = full.groupdict()
        return _build(
            tz,
            int(g["y"]),
            int(g["m"]),
            int(g["d"]),
            int(g["H"] or 0),
            int(g["M"] or 0),
            int(g["S"] or 0),
        )
    short = _SHORT_YEAR.search(text)
    if short:
        return _build(tz, 2000 + int(short["y"]), int(short["m"]), int(short["d"]))
    month_day = _MONTH_DAY.search(text)
    if month_day:
        today = (now or clock_now()).astimezone(tz)
        month, day = int(month_day["m"]), int(month_day["d"])
        guess = _build(tz, today.year, month, day)
        if guess is not None and guess.date() > today.date():
            guess = _build(tz, today.year - 1, month, day)
        return guess
    return None
