"""`xinqu process` and `xinqu articles …` as the editor uses them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from scheduler.cli import main
from xinqu.app import App
from xinqu.resources import labelled_data
from xinqu.store.articles import ArticleRecord, save_article

pytestmark = pytest.mark.usefixtures("store_backend")

DATA = labelled_data()
ROWS = {r["id"]: r for r in map(json.loads, DATA.read_text("utf-8").splitlines())}
SOURCES = [
    {"name": "xiangjiang", "area": "湘江新区", "site_name": "湘江新区官网",
     "list_urls": ["http://www.hnxjxq.gov.cn/xwzx/"]},
    {"name": "pudong", "area": "浦东新区", "site_name": "浦东新区官网",
     "list_urls": ["https://www.pudong.gov.cn/xwzx/"]},
]  # fmt: skip


@pytest.fixture
def xinqu(make_config: Callable[..., Path], tmp_path: Path, frozen_now: str) -> Callable[..., str]:
    config, data = make_config(SOURCES), tmp_path / "data"
    app = App(config_dir=config, data_dir=data)
    day = datetime.fromisoformat("2026-11-20T09:00:00+08:00")
    with app.store.session() as session:
        for url, row_id, source, prefix in (
            ("http://www.hnxjxq.gov.cn/a/1.html", "L154", "xiangjiang", ""),
            ("https://www.pudong.gov.cn/a/2.html", "L154", "pudong", "本报讯 "),
            ("http://www.hnxjxq.gov.cn/a/3.html", "L010", "xiangjiang", ""),
        ):
            site = next(s for s in SOURCES if s["name"] == source)
            save_article(
                session,
                ArticleRecord(
                    url=url,
                    source=source,
                    area=site["area"],
                    site_name=site["site_name"],
                    title=ROWS[row_id]["title"],
                    published_at=day,
                    text=prefix + ROWS[row_id]["text"],
                ),
            )
    app.close()

    def run(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(main, ["--config", str(config), "--data", str(data), *args])
        assert result.exit_code == code, result.output
        return result.output

    return run


def test_process_then_list_show_and_override(xinqu: Callable[..., str]) -> None:
    assert "processed 3 articles" in xinqu("process")
    listing = xinqu("articles", "list")
    assert "(+1 dup)" in listing and len(listing.splitlines()) == 2
    assert "湘江新区" in xinqu("articles", "list", "--section", "reform")

    shown = json.loads(xinqu("articles", "show", "1", "--json"))
    assert shown["section"] == "reform" and shown["reason"]
    assert [m["id"] for m in shown["group"]] == [1, 2]
    assert "story group (representative 1)" in xinqu("articles", "show", "1")

    xinqu("articles", "set-section", "3", "industry")
    xinqu("process")
    assert "industry*" in xinqu("articles", "list", "--section", "industry")

    xinqu("articles", "split", "2")
    assert json.loads(xinqu("articles", "show", "2", "--json"))["representative"] == 2
    xinqu("articles", "merge", "2", "3")
    assert json.loads(xinqu("articles", "show", "3", "--json"))["representative"] in (2, 3)
    assert len(json.loads(xinqu("articles", "show", "2", "--json"))["group"]) == 2


def test_user_mistakes_are_one_line(xinqu: Callable[..., str]) -> None:
    out = xinqu("articles", "show", "99", code=2)
    assert out.strip() == "xinqu: no article with id 99 (see `xinqu articles list`)"
    assert "unknown section 'sports'" in xinqu("articles", "set-section", "1", "sports", code=2)
    assert "expected a date" in xinqu("articles", "list", "--since", "yesterday", code=2)
    assert "two different" in xinqu("articles", "merge", "1", "1", code=2)


def test_uncertain_sections_are_marked_listed_and_explained(
    xinqu: Callable[..., str], tmp_path: Path
) -> None:
    """With uncertain_margin 1 every call is uncertain: the editor sees ?, a filter, a line."""
    sections = tmp_path / "config" / "sections.yaml"
    shipped = yaml.safe_load(sections.read_text("utf-8"))
    shipped["classifier"]["uncertain_margin"] = 1.0
    sections.write_text(yaml.safe_dump(shipped, allow_unicode=True), "utf-8")
    xinqu("process")
    listing = xinqu("articles", "list").splitlines()
    story = next(line for line in listing if line.split()[0] == "1")
    assert story.split()[4] == "?", "a share against the runner-up, under the margin"
    forced = next(line for line in listing if line.split()[0] == "3")
    assert "?" not in forced.split()[4], "an out_titles match is no close call"
    assert xinqu("articles", "list", "--uncertain").splitlines() == [story]

    shown = json.loads(xinqu("articles", "show", "1", "--json"))
    assert shown["uncertain"] is True and shown["runner_up"] != shown["section"]
    assert 0 <= shown["margin"] < 1
    assert "uncertain: the section leads over" in xinqu("articles", "show", "1")

    xinqu("articles", "set-section", "1", "reform")
    assert xinqu("articles", "list", "--uncertain") == "no stories match\n"
