"""What list discovery yields: one article link of a list page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ListEntry:
    """One article link found on a list page."""

    url: str
    title: str
    published_at: datetime | None = None
    #: Where the date came from: time, element, url, text or json (see rowdate.py).
    date_from: str | None = None
