"""`xinqu db migrate-to URL`: a store copied into another database without loss.

The source is what `xinqu demo` leaves behind (articles, processing, an issue, its
deliveries, subscribers, the scheduler's state): every table holds real rows. The
target is another SQLite file always, and PostgreSQL when XINQU_TEST_POSTGRES_URL is
set — the move the command exists for.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from xinqu.store import open_store
from xinqu.store.articles import Article
from xinqu.store.base import DATABASE_URL_ENV, Base, resolve_database_url
from xinqu.store.copy import checksum, tables
from xinqu.store.processing import ArticleProcessing


def _xinqu(
    data: Path, *args: str, database_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("XINQU_NOW", "XINQU_CONFIG")}
    env.pop(DATABASE_URL_ENV, None)
    if database_url:
        env[DATABASE_URL_ENV] = database_url
    config = ["--config", str(data / "config")] if (data / "config").is_dir() else []
    return subprocess.run(
        [sys.executable, "-m", "scheduler.cli", *config, "--data", str(data), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("demo") / "var"
    done = _xinqu(data, "demo")
    assert done.returncode == 0, done.stderr
    return data / "demo"  # the demo's own data and config folder


@pytest.fixture
def source(demo_data: Path, tmp_path: Path) -> Path:
    data = tmp_path / "var"
    shutil.copytree(demo_data, data)
    return data


@pytest.fixture(params=["sqlite", "postgresql"])
def target_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'target.db'}"
    else:
        yield request.getfixturevalue("postgres_url")


def _contents(url: str) -> dict[str, tuple[int, str]]:
    store = open_store(url)
    try:
        return {table.name: checksum(store, table) for table in tables()}
    finally:
        store.dispose()


def _articles(url: str) -> list[tuple[object, ...]]:
    """Every article as the ORM reads it: a check that does not go through the checksum."""
    store = open_store(url)
    try:
        with store.session() as session:
            rows = session.scalars(select(Article).order_by(Article.id)).all()
            return [
                (a.id, a.url, a.title, a.text, a.html, a.published_at, a.first_seen) for a in rows
            ]
    finally:
        store.dispose()


def test_every_row_arrives_and_the_product_runs_on_the_copy(source: Path, target_url: str) -> None:
    done = _xinqu(source, "db", "migrate-to", target_url)
    assert done.returncode == 0, done.stderr
    assert "row counts and checksums agree" in done.stdout
    before = _contents(resolve_database_url(source))
    assert before["articles"][0] > 0 and before["deliveries"][0] > 0
    assert _contents(target_url) == before
    assert _articles(target_url) == _articles(resolve_database_url(source))
    listed = _xinqu(source, "articles", "list")
    on_copy = _xinqu(source, "articles", "list", database_url=target_url)
    assert on_copy.returncode == 0, on_copy.stderr
    assert on_copy.stdout == listed.stdout
    # New rows go in after the copied ones (PostgreSQL's sequences were moved on).
    added = _xinqu(source, "subscribers", "add", "new.reader@example.org", database_url=target_url)
    assert added.returncode == 0, added.stderr


def test_a_target_with_rows_is_refused_unless_resuming(source: Path, target_url: str) -> None:
    assert _xinqu(source, "db", "migrate-to", target_url).returncode == 0
    again = _xinqu(source, "db", "migrate-to", target_url)
    assert again.returncode == 2
    (line,) = again.stderr.strip().splitlines()
    assert "already holds rows" in line and "--resume" in line and "articles" in line


def test_a_copy_cut_off_part_way_is_finished_by_resume(source: Path, target_url: str) -> None:
    assert _xinqu(source, "db", "migrate-to", target_url).returncode == 0
    # As if the copy had stopped inside article_processing, before the tables after it
    # (deliveries and the other tables no table refers to) got their rows.
    store = open_store(target_url)
    try:
        with store.session() as session:
            cut = session.scalar(select(func.min(ArticleProcessing.article_id))) or 0
            session.execute(delete(ArticleProcessing).where(ArticleProcessing.article_id > cut + 2))
            for name in ("deliveries", "carried_articles", "duplicate_evidence", "source_runs"):
                session.execute(delete(Base.metadata.tables[name]))
    finally:
        store.dispose()
    resumed = _xinqu(source, "db", "migrate-to", target_url, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert "already there" in resumed.stdout
    assert _contents(target_url) == _contents(resolve_database_url(source))


def test_a_row_that_differs_is_reported_not_hidden(source: Path, target_url: str) -> None:
    assert _xinqu(source, "db", "migrate-to", target_url).returncode == 0
    store = open_store(target_url)
    try:
        with store.session() as session:
            first = session.scalar(select(func.min(Article.id)))
            session.execute(update(Article).where(Article.id == first).values(title="改过的标题"))
    finally:
        store.dispose()
    resumed = _xinqu(source, "db", "migrate-to", target_url, "--resume")
    assert resumed.returncode == 1
    assert "differs" in resumed.stderr and "articles" in resumed.stderr
    assert "Traceback" not in resumed.stderr
