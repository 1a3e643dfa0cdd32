"""The whole cycle on PostgreSQL: any SQLAlchemy URL works, not only the SQLite default."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from xinqu.store import open_store
from xinqu.store.articles import Article
from xinqu.store.deliveries import delivery_counts
from xinqu.store.issues import Issue

pytestmark = pytest.mark.postgres


def test_run_once_on_postgres_crawls_processes_builds_and_sends_once(
    site_server, make_config, frozen_now, postgres_url: str, tmp_path: Path
) -> None:
    sites = {name: site_server(name) for name in ("guian", "binhai")}
    shipped = {
        "guian": ("贵安新区", "贵安新区官网", "trs", "xwdt/gayw/index.html"),
        "binhai": ("滨海新区", "滨海新区官网", "siteserver", "channels/6346.html"),
    }
    config = make_config(
        [
            {
                "name": name,
                "area": area,
                "site_name": site_name,
                "family": family,
                "list_urls": [sites[name].url(path)],
                "obey_robots": False,
            }
            for name, (area, site_name, family, path) in shipped.items()
        ],
        database_url=postgres_url,
    )
    data = tmp_path / "data"
    base = [sys.executable, "-m", "scheduler.cli", "--config", str(config), "--data", str(data)]

    def xinqu(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*base, *args], capture_output=True, text=True, timeout=180, check=False
        )

    assert xinqu("subscribers", "add", "reader@example.org").returncode == 0
    run = xinqu("run-once")
    assert run.returncode == 0, run.stdout + run.stderr
    assert not (data / "xinqu.db").exists()

    store = open_store(postgres_url)
    try:
        with store.session() as session:
            articles = session.scalar(select(func.count(Article.id)))
            issue = session.scalars(select(Issue)).one()
            counts = delivery_counts(session, issue.id)
        assert articles == 4
        content = json.loads(issue.content)
        carried = [item for s in content["sections"] for item in [*s["items"], *s["more"]]]
        assert {item["area"] for item in carried} <= {"贵安新区", "滨海新区"}
        assert carried and all(item["published_at"].endswith("+08:00") for item in carried)
        assert counts["sent"] == 1 and counts["pending"] == 0
    finally:
        store.dispose()
    assert len(list((data / "outbox").rglob("*.eml"))) == 1

    again = xinqu("run-once")
    assert again.returncode == 0, again.stderr
    assert len(list((data / "outbox").rglob("*.eml"))) == 1
