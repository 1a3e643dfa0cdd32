"""Selection: ranking by substance, recency and priority; limits; nothing lost."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from xinqu.issue.select import choose, rank, substance
from xinqu.process import Candidate
from xinqu.store.articles import Article

pytestmark = pytest.mark.usefixtures("store_backend")

TZ = ZoneInfo("Asia/Shanghai")
SINCE = datetime(2026, 11, 11, tzinfo=TZ)
UNTIL = datetime(2026, 11, 25, tzinfo=TZ)


def candidate(
    n: int, title: str, *, area: str = "贵安新区", text: str = "", day: int = 20, **kw: object
) -> Candidate:
    article = Article(
        id=n,
        url=f"https://example.gov.cn/{n}.html",
        source=str(kw.get("source", "guian")),
        area=area,
        site_name=f"{area}官网",
        title=title,
        text=text,
        published_at=datetime(2026, 11, day, 9, tzinfo=TZ),
    )
    return Candidate(article=article, section="industry", score=float(kw.get("score", 0.0)))


def test_substance_counts_figures_documents_named_things_and_approvals() -> None:
    plain, _ = substance("新区召开工作会议", "会议强调要提高认识。")
    rich, why = substance(
        "新区签约华为数据中心项目，总投资120亿元",
        "项目获批后开工，同比增长10.5%，依据《数字经济促进办法》。",
    )
    assert plain == 0
    assert rich > 8
    assert {w.split("×")[0] for w in why} == {"figures", "documents", "named", "approvals"}


def test_rank_puts_substance_first_then_recency() -> None:
    dull_new = candidate(1, "新区召开工作会议", day=24)
    rich_old = candidate(2, "大数据产业规模完成387.47亿元，同比增长10.85%", day=12)
    dull_old = candidate(3, "新区召开另一次工作会议", day=12)
    order = [s.candidate.article.id for s in rank([dull_old, dull_new, rich_old], SINCE, UNTIL, {})]
    assert order == [2, 1, 3]


def test_source_priority_and_process_score_lift_a_story() -> None:
    a = candidate(1, "新区召开工作会议", source="low")
    b = candidate(2, "新区召开工作会议", source="high")
    c = candidate(3, "新区召开工作会议", source="low", score=5)
    order = [s.candidate.article.id for s in rank([a, b, c], SINCE, UNTIL, {"high": 3})]
    assert order == [3, 2, 1]


def test_rank_is_stable_for_equal_scores() -> None:
    items = [candidate(n, "同样的标题", day=20) for n in (3, 1, 2)]
    first = [s.candidate.article.url for s in rank(items, SINCE, UNTIL, {})]
    again = [s.candidate.article.url for s in rank(list(reversed(items)), SINCE, UNTIL, {})]
    assert first == again == sorted(first)


def test_choose_caps_per_area_and_per_section_and_keeps_the_rest_as_more() -> None:
    areas = ["贵安新区", "贵安新区", "浦东新区", "天府新区", "湘江新区", "浦东新区", "两江新区"]
    cands = [
        candidate(n, f"项目签约{100 - n}亿元", area=area, day=24 - n)
        for n, area in enumerate(areas)
    ]
    ranked = rank(cands, SINCE, UNTIL, {})
    items, more = choose(ranked, max_items=4, max_per_area=1)
    item_areas = [s.candidate.article.area for s in items]
    assert item_areas == ["贵安新区", "浦东新区", "天府新区", "湘江新区"]
    assert len(set(item_areas)) == len(item_areas)
    ids = sorted(s.candidate.article.id for s in items + more)
    assert ids == list(range(len(areas)))


@pytest.mark.parametrize(("max_items", "max_per_area"), [(1, 1), (3, 1), (5, 2), (50, 50)])
def test_nothing_is_lost(max_items: int, max_per_area: int) -> None:
    cands = [
        candidate(n, f"标题{n}", area=["浦东新区", "贵安新区", "两江新区"][n % 3], day=11 + n % 14)
        for n in range(40)
    ]
    items, more = choose(
        rank(cands, SINCE, UNTIL, {}), max_items=max_items, max_per_area=max_per_area
    )
    assert len(items) == min(max_items, 3 * max_per_area, 40)
    assert sorted(s.candidate.article.id for s in items + more) == list(range(40))


def test_recency_never_leaves_the_period_scale() -> None:
    late = candidate(1, "x")
    late.article.published_at = UNTIL + timedelta(days=3)
    early = candidate(2, "x")
    early.article.published_at = SINCE - timedelta(days=3)
    scores = {s.candidate.article.id: s.score for s in rank([late, early], SINCE, UNTIL, {})}
    assert scores == {1: 2.0, 2: 0.0}
