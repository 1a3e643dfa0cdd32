"""`run_process` and `candidates` on a real store: groups, representatives, carried, overrides."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import opencc
import pytest

from xinqu.app import App
from xinqu.process import candidates, run_process
from xinqu.resources import labelled_data
from xinqu.store.articles import ArticleRecord, save_article
from xinqu.store.processing import mark_carried, merge_articles, set_section, split_article

pytestmark = pytest.mark.usefixtures("store_backend")

DATA = labelled_data()
ROWS = {r["id"]: r for r in map(json.loads, DATA.read_text("utf-8").splitlines())}
DAY = datetime.fromisoformat("2026-11-20T09:00:00+08:00")
SOURCES = [
    {"name": "liangjiang", "area": "两江新区", "site_name": "两江新区官网",
     "list_urls": ["https://www.liangjiang.gov.cn/xwzx/"]},
    {"name": "xiangjiang", "area": "湘江新区", "site_name": "湘江新区官网",
     "list_urls": ["http://www.hnxjxq.gov.cn/xwzx/"]},
    {"name": "pudong", "area": "浦东新区", "site_name": "浦东新区官网",
     "list_urls": ["https://www.pudong.gov.cn/xwzx/"]},
]  # fmt: skip


@pytest.fixture
def app(make_config: Callable[..., Path], tmp_path: Path, frozen_now: str) -> Iterator[App]:
    application = App(config_dir=make_config(SOURCES), data_dir=tmp_path / "data")
    yield application
    application.close()


def add(app: App, url: str, row_id: str, *, source: str, when: datetime, **edit: Any) -> int:
    row = ROWS[row_id]
    names = {s["name"]: s for s in SOURCES}
    record = ArticleRecord(
        url=url,
        source=source,
        area=names[source]["area"],
        site_name=names[source]["site_name"],
        title=edit.get("title", row["title"]),
        published_at=when,
        text=edit.get("text", row["text"]),
    )
    with app.store.session() as session:
        save_article(session, record)
        from sqlalchemy import select

        from xinqu.store.articles import Article

        return int(session.scalar(select(Article.id).where(Article.url == url)))


def window(app: App, section: str) -> list:  # type: ignore[type-arg]
    with app.store.session() as session:
        return candidates(session, section, DAY - timedelta(days=7), DAY + timedelta(days=7))


def test_a_story_reposted_by_three_sites_appears_once_from_the_official_site(app: App) -> None:
    text = ROWS["L154"]["text"]
    trad = opencc.OpenCC("s2t").convert(text)
    repost = add(app, "https://www.pudong.gov.cn/a/1.html", "L154", source="pudong", when=DAY,
                 title="湘江新区营商环境做法", text="据湘江新区消息，" + text[:2500])  # fmt: skip
    official = add(app, "http://www.hnxjxq.gov.cn/a/2.html", "L154", source="xiangjiang",
                   when=DAY + timedelta(hours=3))  # fmt: skip
    third = add(app, "https://www.liangjiang.gov.cn/a/3.html", "L154", source="liangjiang",
                when=DAY - timedelta(hours=1), text=trad)  # fmt: skip
    other = add(app, "http://www.hnxjxq.gov.cn/a/4.html", "L010", source="xiangjiang", when=DAY)

    report = run_process(app)
    assert report.articles == 4 and report.groups == 2
    # the traditional-character repost equals the original once folded
    assert (report.exact_duplicates, report.near_duplicates) == (1, 1)

    (story,) = [c for c in window(app, "reform") if c.article.id in (repost, official, third)]
    assert story.article.id == official
    assert sorted(story.also_at) == sorted(
        ["https://www.pudong.gov.cn/a/1.html", "https://www.liangjiang.gov.cn/a/3.html"]
    )
    assert story.reason and 0 < story.score <= 1
    assert other not in {c.article.id for c in window(app, "reform") + window(app, "industry")}


def test_carried_stories_are_never_offered_again(app: App) -> None:
    first = add(app, "http://www.hnxjxq.gov.cn/a/2.html", "L154", source="xiangjiang", when=DAY)
    repost = add(app, "https://www.pudong.gov.cn/a/9.html", "L154", source="pudong",
                 when=DAY + timedelta(days=1), text=ROWS["L154"]["text"][:2000])  # fmt: skip
    run_process(app)
    with app.store.session() as session:
        mark_carried(session, [first], issue_id=1)
    assert window(app, "reform") == []
    with app.store.session() as session:
        again = candidates(session, "reform", None, None, except_issue=1)
    assert [c.article.id for c in again] == [first]
    assert repost in again[0].group


def test_editor_overrides_survive_reprocessing(app: App) -> None:
    meeting = add(app, "http://www.hnxjxq.gov.cn/a/5.html", "L010", source="xiangjiang", when=DAY)
    a = add(app, "http://www.hnxjxq.gov.cn/a/6.html", "L154", source="xiangjiang", when=DAY)
    b = add(app, "https://www.pudong.gov.cn/a/7.html", "L154", source="pudong", when=DAY,
            text="本报讯 " + ROWS["L154"]["text"])  # fmt: skip
    c = add(app, "https://www.liangjiang.gov.cn/a/8.html", "L130", source="liangjiang", when=DAY)
    run_process(app)
    with app.store.session() as session:
        set_section(session, meeting, "industry")
        split_article(session, b)
        merge_articles(session, a, c)
    for _ in range(2):
        run_process(app)
        industry = {x.article.id: x for x in window(app, "industry")}
        assert meeting in industry and industry[meeting].overridden
        stories = {x.article.id: x for x in window(app, "reform") + list(industry.values())}
        groups = [sorted(x.group) for x in stories.values()]
        assert [b] in groups
        assert sorted([a, c]) in groups
