"""CMS-family profiles, chosen per source by ``family:`` (default: generic)."""

from __future__ import annotations

from pydantic import ValidationError

from crawler.extract.listing import ListEntry
from crawler.families.base import Family, FamilyOptions, ListPage
from crawler.families.chengdu import ChengduFamily
from crawler.families.chinadaily import ChinaDailyFamily
from crawler.families.generic import GenericFamily
from crawler.families.gkmlpt import GkmlptFamily
from crawler.families.hanweb import HanwebFamily
from crawler.families.pudong import PudongFamily
from crawler.families.siteserver import SiteServerFamily
from crawler.families.trs import TrsFamily
from crawler.families.xinhua import XinhuaFamily
from xinqu.config import Config, Source, invalid_part
from xinqu.errors import ConfigError

FAMILIES: dict[str, type[Family]] = {
    family.name: family
    for family in (
        GenericFamily,
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


def family_for(config: Config, source: Source) -> Family:
    """The source's family, its name and ``family_options`` checked against the family.

    A mistake is one line naming the file, the source and the key, e.g.
    ``config/sources.yaml: sources[0] (pudong).family_options.chanels: unknown key
    (pudong takes endpoint, channels, page_size)``.
    """
    path = config.directory / "sources.yaml"
    index = next((i for i, s in enumerate(config.sources) if s.name == source.name), None)
    where = f"sources[{index}] ({source.name})" if index is not None else f"source {source.name}"
    family_class = FAMILIES.get(source.family or "generic")
    if family_class is None:
        known = ", ".join(sorted(FAMILIES))
        unknown = f"unknown family {source.family!r} (known: {known})"
        raise ConfigError(f"{path}: {where}.family: {unknown}")
    model = family_class.options
    takes = ", ".join(model.model_fields) or "no family_options"
    try:
        model.of(source)
    except ValidationError as exc:
        unknown = f"unknown key ({family_class.name} takes {takes})"
        raise invalid_part(path, exc, f"{where}.family_options", unknown) from None
    return family_class()


__all__ = [
    "FAMILIES",
    "Family",
    "FamilyOptions",
    "ListEntry",
    "ListPage",
    "family_for",
    "get_family",
]
