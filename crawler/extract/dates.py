"""Dates in the forms Chinese government sites use.

``2026-11-15``, ``2026/11/15 09:30``, ``2026年11月15日 09:30``, ``2026.11.15``,
``2007-08-20-23:59:59`` (gov.cn's ``firstpublishedtime``), ISO 8601 with an offset,
two-digit years (``26-11-15``), ``[11-15]`` or ``11-15`` on list pages (the year
inferred from "now": the most recent such date not in the future), labelled lines
(``发布时间：…``), and epoch seconds or milliseconds from JSON APIs. Naive times are
in the site's zone ``tz``; every result is aware and expressed in ``tz``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from xinqu.clock import now as clock_now

_TIME = (
    r"(?:\s*(?:T|-|\s)?\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})"
    r"(?:\s*[:：分]\s*(?P<S>\d{1,2})(?:\.\d+)?)?\s*秒?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2}(?!\d))?)?"
)
_FULL = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?P<sep>[-/.年])\s*(?P<m>\d{1,2})\s*[-/.月]\s*"
    r"(?P<d>\d{1,2})(?!\d)\s*日?" + _TIME
)
_SHORT_YEAR = re.compile(
    r"(?<![\d\-/.])(?P<y>\d{2})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d\-/.])"
    + _TIME
)
_MONTH_DAY = re.compile(
    r"(?<![\d\-/.])(?:(?P<m>\d{1,2})\s*(?:[-/]|月)\s*(?P<d>\d{1,2})(?:\s*日)?"
    r"|(?P<m2>\d{2})\.(?P<d2>\d{2}))(?![\d\-/.%月])" + _TIME
)
#: ``9/17/2004 5:54:13 AM``: month first, as ASP and .NET pages print it by default.
_US = re.compile(
    r"(?<![\d/])(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>(?:19|20)\d{2})(?![\d/])"
    r"(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?\s*(?P<ampm>[AP]M)?)?",
    re.I,
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_NAME = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_CLOCK = (
    r"(?:,?\s*(?:at\s*)?(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?\s*"
    r"(?P<ampm>[ap]\.?m\.?)?)?"
)
#: English pages (Chinese media's included): ``May 13, 2024 1:17 p.m.``, ``20 May 2024``.
_ENGLISH = re.compile(
    r"\b(?:" + _MONTH_NAME + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{2})"
    r"|(?P<d2>\d{1,2})\s+"
    + _MONTH_NAME.replace("mon", "mon2")
    + r"\s+(?P<y2>(?:19|20)\d{2}))\b"
    + _CLOCK,
    re.I,
)
_EPOCH = re.compile(r"^\s*(?P<n>\d{10}|\d{13})(?:\.\d+)?\s*$")
_HAS_TIME = re.compile(r"\d{1,2}\s*[:：时]\s*\d{2}")


def _offset(text: str | None) -> tzinfo | None:
    if not text:
        return None
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _build(tz: tzinfo, y: int, m: int, d: int, groups: dict[str, str | None]) -> datetime | None:
    try:
        day = datetime(y, m, d, tzinfo=tz)
    except ValueError:
        return None
    if groups.get("H") is None:
        return day
    try:
        moment = datetime(
            y,
            m,
            d,
            int(groups["H"] or 0),
            int(groups["M"] or 0),
            int(groups.get("S") or 0),
            tzinfo=_offset(groups.get("tz")) or tz,
        )
    except ValueError:
        return day
    return moment.astimezone(tz)


def has_time(value: str) -> bool:
    """Whether a date string carries a time of day (``09:30``, ``9时30分``)."""
    return bool(_HAS_TIME.search(value))


def parse_datetime(
    value: str | int | float | None, tz: tzinfo, now: datetime | None = None
) -> datetime | None:
    """The first date (with time, if given) found in ``value``, aware in ``tz``.

    ``now`` (default: the product clock) only serves to infer the year of ``MM-DD``
    dates. Returns None when ``value`` holds no valid date.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
        seconds = number / 1000 if number > 1e11 else number
        try:
            return datetime.fromtimestamp(seconds, UTC).astimezone(tz)
        except (OverflowError, OSError, ValueError):
            return None
    text = value.strip()
    if not text:
        return None
    epoch = _EPOCH.match(text)
    if epoch:
        return parse_datetime(int(epoch.group("n")), tz, now)
    for full in _FULL.finditer(text):
        if full["sep"] == "年" or full[0].count(full["sep"]) >= 2 or "月" in full[0]:
            found = _build(tz, int(full["y"]), int(full["m"]), int(full["d"]), full.groupdict())
            if found is not None:
                return found
    for english in _ENGLISH.finditer(text):
        groups = english.groupdict()
        month = _MONTHS[(groups["mon"] or groups["mon2"]).lower()]
        day, year = int(groups["d"] or groups["d2"]), int(groups["y"] or groups["y2"])
        if groups["H"] is not None and groups["ampm"]:
            pm = groups["ampm"].lower().startswith("p")
            groups["H"] = str(int(groups["H"]) % 12 + (12 if pm else 0))
        found = _build(tz, year, month, day, groups)
        if found is not None:
            return found
    for us in _US.finditer(text):
        groups = us.groupdict()
        if groups["H"] is not None and groups["ampm"]:
            hour = int(groups["H"]) % 12 + (12 if groups["ampm"].upper() == "PM" else 0)
            groups["H"] = str(hour)
        found = _build(tz, int(us["y"]), int(us["m"]), int(us["d"]), groups)
        if found is not None:
            return found
    for short in _SHORT_YEAR.finditer(text):
        found = _build(
            tz, 2000 + int(short["y"]), int(short["m"]), int(short["d"]), short.groupdict()
        )
        if found is not None:
            return found
    for month_day in _MONTH_DAY.finditer(text):
        month = int(month_day["m"] or month_day["m2"])
        day = int(month_day["d"] or month_day["d2"])
        if not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        today = (now or clock_now()).astimezone(tz)
        groups = month_day.groupdict()
        guess = _build(tz, today.year, month, day, groups)
        if guess is None or guess.date() > today.date():
            guess = _build(tz, today.year - 1, month, day, groups)
        if guess is not None:
            return guess
    return None
