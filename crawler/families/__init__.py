"""CMS-family profiles, chosen per source by ``family:`` (default: generic)."""

from __future__ import annotations

from crawler.extract.listing import ListEntry
from crawler.families.base import Family, ListPage
from crawler.families.chengdu import ChengduFamily
from crawler.families.chinadaily import ChinaDailyFamily
from crawler.families.gkmlpt import GkmlptFamily
from crawler.families.hanweb import HanwebFamily
from crawler.families.pudong import PudongFamily
from crawler.families.siteserver import SiteServerFamily
from crawler.families.trs import TrsFamily
from crawler.families.xinhua import XinhuaFamily
from xinqu.errors import ConfigError

FAMILIES: dict[str, type[Family]] = {
    family.name: family
    for family in (
        Family,
        TrsFamily,
        HanwebFamily,
        SiteServerFamily,
        XinhuaFamily,
        ChinaDailyFamily,
        ChengduFamily,
        GkmlptFamily,
        PudongFamily,
    )
}


def get_family(name: str | None) -> Family:
    try:
        return FAMILIES[name or "generic"]()
    except KeyError:
        known = ", ".join(sorted(FAMILIES))
        raise ConfigError(f"unknown family {name!r} (known: {known})") from None


__all__ = ["FAMILIES", "Family", "ListEntry", "ListPage", "get_family"]
