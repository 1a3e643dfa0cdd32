"""The issue record: built once per period, numbered, frozen; the `digest build` command."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from scheduler.cli import main
from xinqu.app import App
from xinqu.issue import build_issue
from xinqu.issue.build import INCOMPLETE_NOTE, EmptyIssueError
from xinqu.issue.render import rerender
from xinqu.mail import send_issue
from xinqu.process import candidates, run_process
from xinqu.store.articles import ArticleRecord, save_article
from xinqu.store.issues import UNSUBSCRIBE_PLACEHOLDER, Issue
from xinqu.store.subscribers import upsert_subscriber

pytestmark = pytest.mark.usefixtures("store_backend")

TZ = ZoneInfo("Asia/Shanghai")
SEED = Path(__file__).parent / "fixtures" / "issue" / "seed_articles.json"

#: Real stories (the seed bulletin's nine) plus three more from areas already
#: there, so the per-area limit has something to do.
STORIES: list[dict[str, str]] = [
    *json.loads(SEED.read_text(encoding="utf-8")),
    {
        "area": "贵安新区",
        "title": "华为云贵安数据中心二期项目开工建设",
        "text": "11月18日，华为云贵安数据中心二期项目正式开工建设，总投资约80亿元，"
        "建成后将新增服务器50万台。\n项目位于贵安新区电子信息产业园，预计2028年投入运营。",
    },
    {
        "area": "浦东新区",
        "title": "张江集成电路设计产业园新增签约企业42家",
        "text": "张江集成电路设计产业园今年新增签约企业42家，园区累计入驻企业超过300家。"
        "\n集成电路设计产业销售规模突破1500亿元，同比增长18%。",
    },
    {
        "area": "两江新区",
        "title": "两江数字经济产业园集中签约智能网联汽车项目12个",
        "text": "两江数字经济产业园近日集中签约智能网联汽车项目12个，总投资65亿元，"
        "涵盖车载芯片、激光雷达和高精度地图等环节。",
    },
]


@pytest.fixture
def app(make_config: Any, frozen_now: str, tmp_path: Path) -> Iterator[App]:
    config = make_config(
        [
            {
                "name": "demo",
                "area": "西咸新区",
                "site_name": "西咸新区官网",
                "list_urls": ["https://example.gov.cn/"],
            }
        ],
        digest={"max_items_per_section": 3, "max_items_per_area": 1},
    )
    application = App(config_dir=config, data_dir=tmp_path / "data")
    yield application
    application.close()


def add(app: App, n: int, day: date, incomplete: str | None = None) -> str:
    """Store story ``n`` as published on ``day``; returns its URL."""
    story = STORIES[n]
    url = f"https://example.gov.cn/{day:%Y%m}/{n}.html"
    with app.store.session() as session:
        save_article(
            session,
            ArticleRecord(
                url=url,
                source="demo",
                area=story["area"],
                site_name=f"{story['area']}官网",
                title=story["title"],
                published_at=datetime(day.year, day.month, day.day, 9, tzinfo=TZ),
                text=story["text"],
                incomplete=incomplete,
            ),
        )
    return url


def build(app: App, **kwargs: Any) -> Issue:
    """Process what was stored, then build: each step reads what the previous stored."""
    run_process(app)
    return build_issue(app, **kwargs)


def in_period_candidates(app: App, issue: Issue) -> set[str]:
    """Every story the processing step offers any section for the issue's period."""
    since, until = issue.since, issue.until
    start = datetime(since.year, since.month, since.day, tzinfo=TZ)
    end = datetime(until.year, until.month, until.day, tzinfo=TZ) + timedelta(days=1)
    with app.store.session() as session:
        return {
            c.article.url
            for key in ("industry", "reform")
            for c in candidates(session, key, start, end, except_issue=issue.id)
        }


def urls(issue: Issue, part: str) -> set[str]:
    content = json.loads(issue.content)
    return {entry["url"] for s in content["sections"] for entry in s[part]}


def test_every_in_period_candidate_is_in_items_or_more(app: App) -> None:
    inside = {add(app, n, date(2026, 11, 11 + n)) for n in (*range(9), 11)}
    outside = {add(app, 9, date(2026, 11, 10)), add(app, 10, date(2026, 11, 25))}
    issue = build(app)
    assert (issue.since, issue.until, issue.issue_date) == (
        date(2026, 11, 11),
        date(2026, 11, 24),
        date(2026, 11, 25),
    )
    offered = in_period_candidates(app, issue)
    assert len(offered) >= 8 and offered <= inside
    assert urls(issue, "items") | urls(issue, "more") == offered
    assert not (urls(issue, "items") & urls(issue, "more"))
    assert not outside & (urls(issue, "items") | urls(issue, "more"))
    sections = json.loads(issue.content)["sections"]
    assert max(len(s["items"]) for s in sections) == 3
    for section in sections:
        areas = [item["area"] for item in section["items"]]
        assert len(areas) == len(set(areas)) <= 3


def test_issue_json_is_exactly_product_md(app: App) -> None:
    add(app, 10, date(2026, 11, 20))
    content = json.loads(build(app).content)
    assert set(content) == {"issue", "date", "period", "sections"}
    assert set(content["period"]) == {"since", "until"}
    assert [s["key"] for s in content["sections"]] == ["industry", "reform"]
    for section in content["sections"]:
        assert set(section) == {"key", "title", "items", "more", "more_total"}
    [item] = [item for s in content["sections"] for item in s["items"]]
    assert set(item) == {
        "id",  # the representative article: what the editor's actions name (docs/editing.md)
        "headline",
        "area",
        "site_name",
        "url",
        "published_at",
        "text",
        "also_at",
    }
    assert item["published_at"] == "2026-11-20T09:00:00+08:00"
    # 张江 is Pudong's (config/areas.yaml): the headline names its area already.
    assert item["headline"] == "张江集成电路设计产业园新增签约企业42家"
    assert item["area"] == "浦东新区"
    assert item["site_name"] == "浦东新区官网"


def test_a_partial_text_says_so_in_every_edition(app: App) -> None:
    partial = add(app, 10, date(2026, 11, 20), incomplete="page 2 failed (HTTP 500)")
    whole = add(app, 11, date(2026, 11, 21))
    issue = build(app)
    items = {i["url"]: i for s in json.loads(issue.content)["sections"] for i in s["items"]}
    assert items[partial]["text"].splitlines()[-1] == INCOMPLETE_NOTE
    assert INCOMPLETE_NOTE not in items[whole]["text"]
    assert issue.text.count(INCOMPLETE_NOTE) == issue.html.count(INCOMPLETE_NOTE) == 1
    assert "HTTP 500" not in issue.text + issue.html, "the operator's note stays in the store"


def test_built_once_frozen_and_rebuilt_only_when_asked(app: App) -> None:
    add(app, 1, date(2026, 11, 20))
    first = build(app)
    assert (first.number, first.year, first.year_number) == (1, 2026, 1)
    assert UNSUBSCRIBE_PLACEHOLDER in first.html
    assert UNSUBSCRIBE_PLACEHOLDER in first.text
    assert first.subject == "西咸研究 2026年第1期（总第1期）"

    late = add(app, 0, date(2026, 11, 21))
    again = build(app)
    assert again.id == first.id
    assert late not in urls(again, "items")
    parts = rerender(app.config.settings, again)
    assert (parts.subject, parts.text, parts.html) == (again.subject, again.text, again.html)

    rebuilt = build(app, rebuild=True)
    assert (rebuilt.id, rebuilt.number, rebuilt.year_number) == (first.id, 1, 1)
    assert urls(rebuilt, "items") == urls(first, "items") | {late}
    with app.store.session() as session:
        assert [i.id for i in session.scalars(select(Issue))] == [first.id]


def sent(app: App, issue: Issue) -> Issue:
    """Send the issue (outbox) to one reader: from then on it is never rebuilt."""
    with app.store.session() as session:
        upsert_subscriber(session, "reader@example.org")
    report = send_issue(app, issue.id)
    assert report.complete and report.sent == ["reader@example.org"]
    return issue


def test_numbering_runs_on_and_restarts_each_year(app: App) -> None:
    add(app, 0, date(2026, 12, 20))
    add(app, 1, date(2027, 1, 2))
    add(app, 2, date(2027, 1, 9))
    numbers = [
        (i.number, i.year, i.year_number)
        for i in (
            sent(app, build(app, issue_date=date(2026, 12, 29))),
            sent(app, build(app, issue_date=date(2027, 1, 5))),
            sent(app, build(app, issue_date=date(2027, 1, 12))),
        )
    ]
    assert numbers == [(1, 2026, 1), (2, 2027, 1), (3, 2027, 2)]


def test_a_new_period_rebuilds_the_unsent_draft_instead_of_adding_an_issue(app: App) -> None:
    add(app, 0, date(2026, 11, 20))
    add(app, 1, date(2026, 11, 24))
    first = build(app, issue_date=date(2026, 11, 22))
    again = build(app, issue_date=date(2026, 11, 26))
    assert (again.id, again.number) == (first.id, 1)
    assert (again.since, again.until) == (date(2026, 11, 12), date(2026, 11, 25))
    with app.store.session() as session:
        assert [i.number for i in session.scalars(select(Issue))] == [1]


def test_an_article_is_carried_once_across_overlapping_periods(app: App) -> None:
    for n in range(5):
        add(app, n, date(2026, 11, 20 + n % 3))
    first = sent(app, build(app, issue_date=date(2026, 11, 25)))
    second = build(app, issue_date=date(2026, 11, 26))
    assert first.id != second.id
    carried = urls(first, "items")
    sections = json.loads(first.content)["sections"]
    assert carried and all(len(s["items"]) <= 3 for s in sections)
    assert any(s["more"] for s in sections), "the per-section cap leaves stories for later"
    assert not carried & (urls(second, "items") | urls(second, "more"))
    assert urls(first, "more") == urls(second, "items") | urls(second, "more")


def test_empty_period_is_one_clear_error(app: App) -> None:
    with pytest.raises(EmptyIssueError, match="nothing to carry between 2026-11-11 and 2026-11-24"):
        build_issue(app)


def invoke(app: App, *args: str) -> Any:
    return CliRunner().invoke(
        main,
        ["--config", str(app.config_dir), "--data", str(app.data_dir), "digest", "build", *args],
    )


def digest_cli(app: App, *args: str) -> Any:
    return CliRunner().invoke(
        main, ["--config", str(app.config_dir), "--data", str(app.data_dir), "digest", *args]
    )


def test_cli_build_prints_summary_and_export_writes_formats(app: App, tmp_path: Path) -> None:
    add(app, 1, date(2026, 11, 20))
    run_process(app)
    result = invoke(app, "--since", "2026-11-15", "--until", "2026-11-21")
    assert result.exit_code == 0, result.output
    assert "issue 1" in result.stdout and "1 items, 0 more; built" in result.stdout

    as_json = digest_cli(app, "export", "--issue", "1", "--format", "json")
    assert json.loads(as_json.stdout)["period"] == {"since": "2026-11-15", "until": "2026-11-21"}

    text = digest_cli(app, "export", "--issue", "1", "--format", "text")
    assert "（来源：贵安新区官网）" in text.stdout
    assert UNSUBSCRIBE_PLACEHOLDER not in text.stdout
    assert "http://localhost:8000/unsubscribe" in text.stdout

    pdf = tmp_path / "out" / "issue.pdf"
    written = digest_cli(app, "export", "--format", "pdf", "--out", str(pdf))
    assert written.exit_code == 0, written.output
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_cli_reports_an_empty_period_in_one_line(app: App) -> None:
    result = invoke(app, "--date", "2026-11-25")
    assert result.exit_code == 2
    assert result.stderr == (
        f"xinqu: created data folder {app.data_dir}\n"
        "xinqu: nothing to carry between 2026-11-11 and 2026-11-24: crawl and process first\n"
    )


def test_cli_rejects_a_reversed_period(app: App) -> None:
    result = invoke(app, "--since", "2026-11-20", "--until", "2026-11-10")
    assert result.exit_code == 2
    assert "empty period" in result.stderr
