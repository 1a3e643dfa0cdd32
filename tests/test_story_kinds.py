"""Story-level verdicts on real pairs of the benchmark's dev split, one test per kind.

Each pair is judged in a store holding the labelled news as background (the document
frequencies of a real store), with the publication days the pages give.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from bench.dedupe import AREAS, day_span_of, load
from xinqu.process.story import SAME, StoryJudge

ROWS = {
    r["id"]: r
    for r in map(
        json.loads,
        (Path(__file__).parent / "data" / "dedupe" / "texts.jsonl").read_text("utf-8").splitlines(),
    )
}


@cache
def background() -> tuple[tuple[str, str], ...]:
    return tuple((r["title"], r["text"]) for r in load("dev")[1])


def verdict(a: str, b: str) -> str:
    judge = StoryJudge(AREAS)
    for i, key in enumerate((a, b)):
        row = ROWS[key]
        judge.add(i, row["title"], row["text"], day_span_of(row["date"]))
    for i, (title, text) in enumerate(background(), start=2):
        judge.add(i, title, text)
    evidence = judge.judge([(0, 1)]).get((0, 1))
    return evidence.verdict if evidence else "different"


def test_independent_write_ups_of_one_event_within_days_are_one_story() -> None:
    # 中新网 and 南方日报 on Wanda's launch in Qingdao: new headline, lead and order
    assert verdict("xha-1309-oriental-launch/0", "xha-1309-oriental-launch/3") == SAME
    # 央视 flash and 新华社 report of the airport's opening day
    assert verdict("tf-2106-airport-opening/0", "tf-2106-airport-opening/1") == SAME


def test_a_machine_rewritten_repost_is_its_story() -> None:
    # 洗稿: advertising words inserted, synonyms swapped (美圆, 效劳), lines broken
    assert verdict("jb-1603-tsmc-signing/0", "jb-1603-tsmc-signing/1") == SAME


def test_a_report_with_a_dateline_and_its_traditional_repost_are_one_story() -> None:
    assert verdict("lg-1901-tesla-groundbreak/0", "lg-1901-tesla-groundbreak/5") == SAME


def test_one_projects_signing_and_its_ground_breaking_stay_apart() -> None:
    assert verdict("lg-1807-tesla-signing/0", "lg-1901-tesla-groundbreak/2") != SAME
    assert verdict("jb-1603-tsmc-signing/0", "jb-1607-tsmc-groundbreak/0") != SAME


def test_one_projects_reports_months_apart_stay_apart() -> None:
    assert verdict("lj-1812-boe-b12-start/0", "lj-2003-boe-b12-progress/0") != SAME


def test_a_preview_and_the_report_of_the_same_week_stay_apart() -> None:
    assert verdict("pd-1606-disney-ceremony-plan/0", "pd-1606-disney-opening/0") != SAME


def test_two_areas_approvals_from_one_template_stay_apart() -> None:
    assert verdict("fz-1509-approval/0", "dz-1509-approval/0") != SAME


def test_two_signing_ceremonies_of_one_area_stay_apart() -> None:
    assert verdict("lg-2108-42signing/0", "lg-2508-6signing/0") != SAME
