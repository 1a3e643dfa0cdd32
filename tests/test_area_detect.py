"""Each kind of area decision, on the shipped config/areas.yaml."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import FIXTURES

from xinqu.issue.headline import headline
from xinqu.process.area import shipped_index

DATA = json.loads((FIXTURES / "area" / "cases.json").read_text("utf-8"))


@pytest.mark.parametrize("case", DATA["cases"], ids=[c["kind"] for c in DATA["cases"]])
def test_area_decision(case: dict[str, Any]) -> None:
    decision = shipped_index().decide(case["title"], case["text"], case["site"])
    assert (decision.area, decision.where, list(decision.evidence)) == (
        case["area"],
        case["where"],
        case["evidence"],
    )


@pytest.mark.parametrize("case", DATA["headlines"], ids=[c["want"] for c in DATA["headlines"]])
def test_headline_gains_the_area_only_when_it_names_none(case: dict[str, str]) -> None:
    assert headline(case["title"], case["area"]) == case["want"]


def test_explanation_says_which_name_and_where() -> None:
    index = shipped_index()
    assert index.decide("临港46个项目签约", "", "西海岸新区").explain() == "临港 in the headline"
    assert "carrying site" in index.decide("招商大会召开", "", "西海岸新区").explain()
