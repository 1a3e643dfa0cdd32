"""A story's area is the one it is about, through store → `xinqu process` → `digest build`."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support import FIXTURES

from scheduler.cli import main
from xinqu.app import App
from xinqu.store.articles import ArticleRecord, save_article

WORLD = json.loads((FIXTURES / "area" / "stories.json").read_text("utf-8"))
DAY = datetime.fromisoformat("2026-11-20T09:00:00+08:00")


@pytest.fixture
def world(
    make_config: Callable[..., Path], tmp_path: Path, frozen_now: str
) -> Iterator[tuple[Callable[..., str], dict[str, int], Path]]:
    """The fixture's stories stored, every one pinned to industry (sections are not tested)."""
    config, data = make_config(WORLD["sources"]), tmp_path / "data"
    app = App(config_dir=config, data_dir=data)
    ids: dict[str, int] = {}
    with app.store.session() as session:
        for n, story in enumerate(WORLD["stories"]):
            site = next(s for s in WORLD["sources"] if s["name"] == story["source"])
            save_article(
                session,
                ArticleRecord(
                    url=story["url"],
                    source=story["source"],
                    area=site["area"],
                    site_name=site["site_name"],
                    title=story["title"],
                    published_at=DAY + timedelta(hours=n),
                    text=story["text"],
                ),
            )
    app.close()

    def run(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(main, ["--config", str(config), "--data", str(data), *args])
        assert result.exit_code == code, result.output
        return result.output

    run("process")
    for line in run("articles", "list").splitlines():
        article_id = int(line.split()[0])
        shown = json.loads(run("articles", "show", str(article_id), "--json"))
        ids[next(s["key"] for s in WORLD["stories"] if s["url"] == shown["url"])] = article_id
        run("articles", "set-section", str(article_id), "industry")
    yield run, ids, config


def entries(run: Callable[..., str], *extra: str) -> dict[str, dict[str, Any]]:
    run("digest", "build", "--since", "2026-11-14", "--until", "2026-11-27", *extra)
    out = run("digest", "export", "--format", "json")
    issue = json.loads(out[out.index("{") :])
    [industry] = [s for s in issue["sections"] if s["key"] == "industry"]
    found = {}
    for kind in ("items", "more"):
        for entry in industry[kind]:
            key = next(s["key"] for s in WORLD["stories"] if s["url"] == entry["url"])
            found[key] = {**entry, "kind": kind}
    return found


def test_a_pudong_story_on_another_areas_site_is_pudongs(world: Any) -> None:
    run, ids, _ = world
    got = entries(run)
    lingang = got["lingang_on_xihaian"]
    assert lingang["area"] == "浦东新区"
    assert "西海岸新区" not in lingang["headline"]
    assert lingang["headline"] == "46个项目落地 临港总投资超210亿元"
    # Capped as Pudong's: one of the two Pudong stories waits under `more`,
    # and 西海岸新区's own story is not crowded out by it.
    pudong = [k for k in ("lingang_on_xihaian", "pudong_own") if got[k]["kind"] == "items"]
    assert len(pudong) == 1
    assert got["xihaian_own"]["kind"] == "items"
    assert got["xihaian_own"]["area"] == "西海岸新区"
    assert got["xihaian_own"]["headline"] == "西海岸新区：12个影视产业项目集中开工 总投资85亿元"

    shown = run("articles", "show", str(ids["lingang_on_xihaian"]))
    assert "area: 浦东新区 — 临港 in the headline" in shown
    assert "西海岸新区 · 西海岸新区官网" in shown


def test_a_national_plan_is_about_several_areas(world: Any) -> None:
    run, ids, _ = world
    national = entries(run)["national_on_lanzhou"]
    assert national["area"] == "多个新区"
    assert national["kind"] == "items", "several areas are capped as their own group"
    assert national["headline"] == "国家发展改革委印发《促进国家级新区高质量建设行动计划》"
    shown = json.loads(run("articles", "show", str(ids["national_on_lanzhou"]), "--json"))
    assert (shown["area"], shown["area_where"]) == ("多个新区", "headline")
    assert shown["area_evidence"] == ["国家级新区"]


def test_set_area_overrides_and_survives_reprocessing(world: Any) -> None:
    run, ids, _ = world
    lingang = str(ids["lingang_on_xihaian"])
    said = run("articles", "set-area", lingang, "西海岸新区")
    assert "area 西海岸新区 (set by the editor)" in said
    run("process")
    shown = json.loads(run("articles", "show", lingang, "--json"))
    assert (shown["area"], shown["area_where"], shown["area_decided"]) == (
        "西海岸新区",
        "editor",
        "浦东新区",
    )
    assert "set by the editor" in run("articles", "show", lingang)
    got = entries(run)
    assert got["lingang_on_xihaian"]["area"] == "西海岸新区"
    assert got["pudong_own"]["kind"] == "items", "Pudong's cap no longer counts the story"


def test_area_mistakes_are_one_line(world: Any) -> None:
    run, ids, config = world
    out = run("articles", "set-area", str(ids["pudong_own"]), "浦东", code=2)
    assert len(out.strip().splitlines()) == 1 and "unknown area '浦东'" in out

    shipped = (Path(__file__).resolve().parents[1] / "config" / "areas.yaml").read_text("utf-8")
    areas = config / "areas.yaml"
    areas.write_text(shipped.replace("    aliases:\n", "    alias:\n", 1), "utf-8")
    out = run("process", code=2)
    assert out.strip().splitlines() == [
        f"xinqu: {areas}: areas.浦东新区.alias: unknown key (check the spelling against "
        "docs/areas.md)"
    ]
    areas.write_text(shipped.replace("  浦东新区:\n", "  浦东新:\n", 1), "utf-8")
    out = run("process", code=2)
    assert len(out.strip().splitlines()) == 1
    assert f"{areas}: areas: expected an area's name ending in 新区 as the key, got '浦东新'" in out
