"""The one place that reads the wall clock.

Tests and demos freeze time by setting ``XINQU_NOW`` to an ISO 8601 timestamp
(with offset); everything that needs "now" calls :func:`now`, so a child process
(a crawl started by the scheduler) sees the same frozen clock. A malformed value is
a ValueError here; the command line checks it first (:func:`check_frozen`) and
reports it as one line.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, tzinfo

_EXAMPLE = "e.g. 2026-11-25T09:00:00+08:00"


def now(tz: tzinfo | None = None) -> datetime:
    """The current time, timezone-aware (UTC unless ``tz`` is given)."""
    frozen = os.environ.get("XINQU_NOW")
    if frozen:
        try:
            value = datetime.fromisoformat(frozen.strip())
        except ValueError:
            raise ValueError(
                f"XINQU_NOW={frozen!r} is not an ISO 8601 time with a UTC offset ({_EXAMPLE})"
            ) from None
        if value.tzinfo is None:
            raise ValueError(f"XINQU_NOW must carry a UTC offset ({_EXAMPLE})")
    else:
        value = datetime.now(UTC)
    return value.astimezone(tz or UTC)


def check_frozen() -> None:
    """Raise ValueError (one sentence) when ``XINQU_NOW`` is set but malformed."""
    now()
