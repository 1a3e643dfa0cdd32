"""Story-level dedupe through the real path: store, `xinqu process`, issue, CLI.

The texts are real reposts from tests/fixtures/dedupe (taken from the benchmark).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from mailkit import add_subscribers, parse

from scheduler.cli import main
from xinqu.app import App
from xinqu.issue import build_issue
from xinqu.mail import send_issue
from xinqu.process import run_process
from xinqu.store.articles import ArticleRecord, save_article

pytestmark = pytest.mark.usefixtures("store_backend")

TZ = ZoneInfo("Asia/Shanghai")
EDITOR, READER = "editor@example.org", "wang.fang@example.org"
STORIES = json.loads(
    (Path(__file__).parent / "fixtures" / "dedupe" / "reposts.json").read_text("utf-8")
)
BY_ID = {s["benchmark_id"]: s for s in STORIES}
ORIGINAL, REPOST = BY_ID["lg-2206-11projects/0"], BY_ID["lg-2206-11projects/2"]
SIGNING_2021, SIGNING_2025 = BY_ID["lg-2108-42signing/0"], BY_ID["lg-2508-6signing/0"]
HARBIN_XINHUA, HARBIN_TRAD = BY_ID["hrb-1512-approval/2"], BY_ID["hrb-1512-approval/1"]
BOE_START, BOE_PROGRESS = BY_ID["lj-1812-boe-b12-start/0"], BY_ID["lj-2003-boe-b12-progress/0"]
SOURCE = {"浦东新区": "pudong", "哈尔滨新区": "harbin", "两江新区": "liangjiang"}


@pytest.fixture
def app(make_config: Any, frozen_now: str, tmp_path: Path) -> Iterator[App]:
    sites = [
        {"name": "pudong", "area": "浦东新区", "site_name": "浦东新区官网",
         "list_urls": ["https://www.pudong.gov.cn/"]},
        {"name": "harbin", "area": "哈尔滨新区", "site_name": "哈尔滨新区官网",
         "list_urls": ["https://www.hrbxq.gov.cn/"]},
        {"name": "liangjiang", "area": "两江新区", "site_name": "两江新区官网",
         "list_urls": ["https://www.liangjiang.gov.cn/"]},
    ]  # fmt: skip
    config = make_config(sites, mail={"editor": f"编辑 <{EDITOR}>"})
    application = App(config_dir=config, data_dir=tmp_path / "data")
    add_subscribers(application, (READER, None, None, "active"))
    with application.store.session() as session:
        for story in STORIES:
            save_article(
                session,
                ArticleRecord(
                    url=story["url"],
                    source=SOURCE[story["area"]],
                    area=story["area"],
                    site_name=story["outlet"],
                    title=story["title"],
                    published_at=datetime(2026, 11, story["day"], 9, tzinfo=TZ),
                    text=story["text"],
                ),
            )
    run_process(application)
    yield application
    application.close()


@pytest.fixture
def xinqu(app: App) -> Callable[..., str]:
    def run(*args: str) -> str:
        result = CliRunner().invoke(
            main, ["--config", str(app.config_dir), "--data", str(app.data_dir), *args]
        )
        assert result.exit_code == 0, result.output
        return result.output

    return run


def entries(app: App) -> list[dict[str, Any]]:
    content = json.loads(build_issue(app).content)
    return [e for s in content["sections"] for part in ("items", "more") for e in s[part]]


def test_a_repost_with_a_new_headline_appears_once_in_the_issue(
    app: App, xinqu: Callable[..., str]
) -> None:
    # The section is the classifier's business (it calls this one out); the editor
    # files it under industry so the issue shows what dedupe decided.
    xinqu("articles", "set-section", "1", "industry")
    shown = [e for e in entries(app) if e["url"] in (ORIGINAL["url"], REPOST["url"])]
    assert len(shown) == 1
    assert {shown[0]["url"], *shown[0]["also_at"]} == {ORIGINAL["url"], REPOST["url"]}


def test_two_signing_ceremonies_of_one_area_stay_two_stories(xinqu: Callable[..., str]) -> None:
    ids = {}
    for line in xinqu("articles", "list", "--all").splitlines():
        for story in (SIGNING_2021, SIGNING_2025):
            if story["title"][:12] in line:
                ids[story["benchmark_id"]] = line.split()[0]
    assert len(ids) == 2
    for article_id in ids.values():
        shown = json.loads(xinqu("articles", "show", article_id, "--json"))
        assert len(shown["group"]) == 1
        assert all(e["verdict"] != "same" for e in shown["duplicate_evidence"])


def test_possible_duplicates_are_listed_for_the_editor_not_merged(
    xinqu: Callable[..., str],
) -> None:
    listing = xinqu("articles", "list", "--possible-duplicates")
    assert BOE_START["title"][:10] in listing and BOE_PROGRESS["title"][:10] in listing
    assert HARBIN_XINHUA["title"][:10] not in listing
    assert "共同数字" in listing and "xinqu articles merge" in listing
    first = listing.split()[0]
    shown = json.loads(xinqu("articles", "show", first, "--json"))
    assert len(shown["group"]) == 1
    assert [e["verdict"] for e in shown["duplicate_evidence"]] == ["possible"]


def test_show_explains_why_a_repost_joined_its_story(xinqu: Callable[..., str]) -> None:
    line = next(
        line
        for line in xinqu("articles", "list", "--all").splitlines()
        if "(dup of" in line and "臨港" in line
    )
    text = xinqu("articles", "show", line.split()[0])
    assert "same story as" in text and "118.7亿元" in text


def test_the_editor_copy_lists_possible_duplicates_and_readers_do_not_see_them(
    app: App, xinqu: Callable[..., str]
) -> None:
    listing = xinqu("articles", "list", "--possible-duplicates")
    pair = listing.splitlines()[0].split()[0], listing.splitlines()[1].split()[0]
    for article_id in pair:
        xinqu("articles", "set-section", article_id, "industry")
    send_issue(app, build_issue(app).id)
    copies = {}
    for path in app.outbox_dir.glob("*.eml"):
        message = parse(path.read_bytes())
        body = message.get_body(("plain",))
        assert body is not None
        copies[message["To"].addresses[0].addr_spec] = body.get_content()
    assert "可能重复（未自动合并，请编辑判断）：1 对" in copies[EDITOR]
    assert f"xinqu articles merge {min(pair, key=int)} {max(pair, key=int)}" in copies[EDITOR]
    assert "可能重复" not in copies[READER]


def test_a_report_and_its_repost_with_a_dateline_are_one_story(xinqu: Callable[..., str]) -> None:
    line = next(
        line
        for line in xinqu("articles", "list", "--all").splitlines()
        if HARBIN_TRAD["title"][:8] in line or HARBIN_XINHUA["title"][:8] in line
    )
    shown = json.loads(xinqu("articles", "show", line.split()[0], "--json"))
    assert len(shown["group"]) == 2
