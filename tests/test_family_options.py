"""``family_options`` are checked by the family's own model: a typo is one line, not silence."""

from __future__ import annotations

from typing import Any

import pytest
from support import run_xinqu

from crawler.families import FAMILIES, FamilyOptions, family_for
from crawler.families.gkmlpt import GkmlptOptions
from crawler.families.pudong import PudongOptions
from xinqu.config import load_config
from xinqu.errors import ConfigError

PUDONG = {
    "name": "pudong",
    "area": "浦东新区",
    "site_name": "浦东新区官网",
    "list_urls": ["https://www.pudong.gov.cn/zwgk/zxxxgk/index.html"],
    "family": "pudong",
}
GUIAN = {
    "name": "guian",
    "area": "贵安新区",
    "site_name": "贵安新区官网",
    "list_urls": ["https://www.gaxq.gov.cn/xwdt/gayw/index.html"],
    "family": "trs",
}


def bind(make_config, entry: dict[str, Any]) -> None:
    folder = make_config([GUIAN, entry])
    config = load_config(folder)
    family_for(config, config.source(entry["name"]))


def test_every_shipped_source_passes_its_family():
    config = load_config()
    for source in config.sources:
        assert family_for(config, source).name == (source.family or "generic")


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"chanels": ["5144"]}, "chanels: unknown key (pudong takes endpoint, channels, "
                                "page_size)"),
        ({"endpoint": "afair"}, "endpoint: expected input should be 'search' or 'affair'"),
        ({"page_size": "twenty"}, "page_size: expected input should be a valid integer, "
                                  "unable to parse string as an integer"),
        ({"channels": "5144"}, "channels: expected input should be a valid list"),
    ],
)  # fmt: skip
def test_a_mistake_names_file_source_and_key(make_config, tmp_path, options, problem):
    with pytest.raises(ConfigError) as caught:
        bind(make_config, {**PUDONG, "family_options": options})
    path = tmp_path / "config" / "sources.yaml"
    assert str(caught.value) == f"{path}: sources[1] (pudong).family_options.{problem}"


def test_a_family_without_options_takes_none(make_config, tmp_path):
    with pytest.raises(ConfigError) as caught:
        bind(make_config, {**GUIAN, "name": "guian2", "family_options": {"sid": "1"}})
    assert str(caught.value) == (
        f"{tmp_path / 'config' / 'sources.yaml'}: sources[1] (guian2).family_options.sid: "
        "unknown key (trs takes no family_options)"
    )


def test_an_unknown_family_names_file_and_source(make_config, tmp_path):
    with pytest.raises(ConfigError) as caught:
        bind(make_config, {**PUDONG, "family": "pudogn"})
    assert str(caught.value).startswith(
        f"{tmp_path / 'config' / 'sources.yaml'}: sources[1] (pudong).family: "
        "unknown family 'pudogn' (known: chengdu, chinadaily, generic, gkmlpt, hanweb,"
    )


def test_ids_written_as_numbers_are_read_as_text():
    assert PudongOptions.model_validate({"channels": [5144]}).channels == ["5144"]
    assert GkmlptOptions.model_validate({"sid": 200011}).sid == "200011"


def test_every_family_declares_its_options_as_a_strict_model():
    for family in FAMILIES.values():
        assert issubclass(family.options, FamilyOptions)
        assert family.options.model_config["extra"] == "forbid"


def test_a_crawl_stops_before_it_starts_on_a_typo(make_config, tmp_path):
    config = make_config([GUIAN, {**PUDONG, "family_options": {"chanels": ["5144"]}}])
    result = run_xinqu(config, tmp_path / "data", "crawl")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"xinqu: {config / 'sources.yaml'}: sources[1] (pudong).family_options.chanels: "
        "unknown key (pudong takes endpoint, channels, page_size)"
    )
