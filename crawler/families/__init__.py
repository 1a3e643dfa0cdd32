"""CMS-family profiles, chosen per source by ``family:`` (default: generic)."""

from __future__ import annotations

from crawler.families.base import Family, ListEntry, ListPage
from scheduler.errors import ConfigError

FAMILIES: dict[str, type[Family]] = {"generic": Family}


def get_family(name: str | None) -> Family:
    try:
        return FAMILIES[name or "generic"]()
    except KeyError:
        known = ", ".join(sorted(FAMILIES))
        raise ConfigError(f"unknown family {name!r} (known: {known})") from None


__all__ = ["FAMILIES", "Family", "ListEntry", "ListPage", "get_family"]
