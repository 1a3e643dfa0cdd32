"""Saving crawled articles: new, known, updated, in batches."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from xinqu.store import open_store
from xinqu.store.articles import Article, ArticleRecord, save_article, save_articles
from xinqu.store.base import resolve_database_url

pytestmark = pytest.mark.usefixtures("store_backend")

TZ = ZoneInfo("Asia/Shanghai")


def record(url: str, text: str = "正文一段。", title: str = "标题") -> ArticleRecord:
    return ArticleRecord(
        url=url,
        source="s",
        area="a",
        site_name="官网",
        title=title,
        published_at=datetime(2026, 11, 20, 9, 30, tzinfo=TZ),
        text=text,
    )


def test_batch_outcomes_and_canonical_identity(tmp_path, frozen_now):
    store = open_store(resolve_database_url(tmp_path))
    with store.session() as session:
        assert save_articles(
            session,
            [
                record("https://www.x.gov.cn/a/1.html"),
                record("http://www.x.gov.cn/a/1.html?utm_source=wx"),  # the same article
                record("https://www.x.gov.cn/a/2.html"),
            ],
        ) == ["new", "known", "new"]
    with store.session() as session:
        assert save_articles(
            session,
            [
                record("https://www.x.gov.cn/a/1.html"),
                record("https://www.x.gov.cn/a/2.html", text="正文改过了。"),
            ],
        ) == ["known", "updated"]
        assert save_article(session, record("https://www.x.gov.cn/a/3.html")) == "new"
    with store.session() as session:
        rows = {a.canonical_url: a for a in session.query(Article)}
    assert sorted(rows) == [f"http://www.x.gov.cn/a/{n}.html" for n in (1, 2, 3)]
    assert rows["http://www.x.gov.cn/a/2.html"].text == "正文改过了。"
    assert rows["http://www.x.gov.cn/a/2.html"].updated_at is not None
    assert rows["http://www.x.gov.cn/a/1.html"].updated_at is None
    store.dispose()


def test_naive_dates_are_refused(tmp_path):
    store = open_store(resolve_database_url(tmp_path))
    naive = ArticleRecord("http://x.cn/1", "s", "a", "n", "t", datetime(2026, 11, 20), "x")
    with store.session() as session, pytest.raises(ValueError, match="timezone-aware"):
        save_articles(session, [naive])
    store.dispose()
