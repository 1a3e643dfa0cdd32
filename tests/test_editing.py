"""The editor's review (issue 16.3, without the web pages): edits recorded and replayed,
approval required by the scheduler, the deadline alert.

Everything runs through the real CLI, the real store, the real outbox transport and the
scheduler's own steps; only the clock is fixed (XINQU_NOW). The articles are the real
bulletin's nine stories (tests/fixtures/issue/seed_articles.json, sources named there).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_issue_lifecycle import (
    REFORM,
    STORIES,
    TZ,
    _article,
    body,
    cli,
    sort_seed,
    store,
    subscribe,
)

from scheduler.service import desired_jobs
from scheduler.steps import issue_step, resume_unfinished
from xinqu.app import App
from xinqu.config import load_config
from xinqu.errors import ConfigError
from xinqu.issue.actions import apply_actions
from xinqu.process import Candidate
from xinqu.store.editor_actions import ActionRecord
from xinqu.store.issues import issue_by_number
from xinqu.store.locks import Lease

EDITOR = "编辑 <editor@example.org>"


def make_app(make_config: Any, tmp_path: Path, **digest: Any) -> App:
    config = make_config(
        [
            {
                "name": "demo",
                "area": "西咸新区",
                "site_name": "西咸新区官网",
                "list_urls": ["https://example.gov.cn/"],
            }
        ],
        digest={"max_items_per_section": 3, "max_items_per_area": 1, **digest},
        mail={"editor": EDITOR},
    )
    return App(config_dir=config, data_dir=tmp_path / "data")


@pytest.fixture
def app(make_config: Any, frozen_now: str, tmp_path: Path) -> Iterator[App]:
    application = make_app(make_config, tmp_path)
    yield application
    application.close()


@pytest.fixture
def approving(make_config: Any, frozen_now: str, tmp_path: Path) -> Iterator[App]:
    """Approval required, deadline 12:00 on the issue's day (the clock says 10:00)."""
    application = make_app(make_config, tmp_path, require_approval=True, approval_deadline="12:00")
    yield application
    application.close()


def content(app: App, number: int = 1) -> dict[str, Any]:
    with app.store.session() as session:
        issue = issue_by_number(session, number)
        assert issue is not None
        data: dict[str, Any] = json.loads(issue.content)
        return data


def section(data: dict[str, Any], key: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in data["sections"] if s["key"] == key)
    return found


def ids(entries: list[dict[str, Any]]) -> list[int]:
    return [int(e["id"]) for e in entries]


def edit(app: App, *args: str, code: int = 0) -> Any:
    return cli(app, "digest", "edit", *args, "--editor", "李编辑", code=code)


def mails(app: App) -> list[EmailMessage]:
    """Every message in the outbox, oldest first."""
    out = []
    for path in sorted((app.data_dir / "outbox").glob("*.eml"), key=lambda p: p.stat().st_mtime):
        msg: EmailMessage = message_from_bytes(path.read_bytes(), policy=default)  # type: ignore[assignment]
        out.append(msg)
    return out


def to_editor(app: App) -> list[EmailMessage]:
    return [m for m in mails(app) if "editor@example.org" in str(m["To"])]


def to_readers(app: App) -> list[EmailMessage]:
    return [m for m in mails(app) if "editor@example.org" not in str(m["To"])]


def every_id(data: dict[str, Any]) -> set[int]:
    return {int(e["id"]) for s in data["sections"] for k in ("items", "more") for e in s[k]}


def test_edits_are_logged_and_survive_processing_and_rebuilds(app: App) -> None:
    store(app, STORIES)
    sort_seed(app, REFORM)
    cli(app, "digest", "build")
    before = content(app)
    industry = section(before, "industry")
    dropped, moved, pinned = ids(industry["items"])
    promoted, merged = ids(industry["more"])[:2]
    merged_url = next(e["url"] for e in industry["more"] if e["id"] == merged)
    relabelled = ids(section(before, "reform")["items"])[0]

    edit(app, "drop", str(dropped))
    edit(app, "move", str(moved), "改革创新")
    edit(app, "pin", str(pinned))
    edit(app, "headline", str(pinned), "  编辑改写的  标题 ")
    edit(app, "promote", str(promoted))
    edit(app, "merge", str(pinned), str(merged))
    edit(app, "area", str(relabelled), "多个新区")

    edited = content(app)
    industry, reform = section(edited, "industry"), section(edited, "reform")
    assert dropped not in every_id(edited) and merged not in every_id(edited)
    assert ids(industry["items"])[0] == pinned, "the pinned story leads its section"
    assert industry["items"][0]["headline"] == "编辑改写的 标题"
    assert merged_url in industry["items"][0]["also_at"]
    assert promoted in ids(industry["items"])
    assert moved in ids(reform["items"])
    assert next(e for e in reform["items"] if e["id"] == relabelled)["area"] == "多个新区"
    with app.store.session() as session:
        issue = issue_by_number(session, 1)
        assert issue is not None
        assert "编辑改写的 标题" in issue.text and "编辑改写的 标题" in issue.html

    # Re-processing and rebuilding select anew; the log is replayed on the fresh draft.
    cli(app, "process")
    assert "rebuilt" in cli(app, "digest", "build", "--rebuild").stdout
    assert content(app) == edited

    shown = cli(app, "digest", "show").stdout
    assert f"{pinned} [pinned]  编辑改写的 标题" in shown
    listed = [int(m[1]) for m in re.finditer(r"^ +(\d+)(?: \[pinned\])?  ", shown, re.M)]
    assert sorted(listed) == sorted(every_id(edited)) and promoted in listed
    log = cli(app, "digest", "actions").stdout.splitlines()
    assert len(log) == 7 and all("李编辑" in line for line in log)
    assert f"李编辑: drop {dropped}" in log[0]
    assert "move" in log[1] and "→ reform" in log[1]

    # An edit whose article is gone is reported in one line, never fatal.
    cli(app, "articles", "set-section", str(promoted), "out")
    rebuilt = cli(app, "digest", "build", "--rebuild")
    assert f"not applied: action 5 (promote {promoted})" in rebuilt.stderr
    assert rebuilt.stderr.count("\n") == 1
    assert promoted not in every_id(content(app))
    assert ids(section(content(app), "industry")["items"])[0] == pinned
    assert "not applied: action 5" in cli(app, "digest", "show").stdout
    assert "未生效" in cli(app, "digest", "actions").stdout.splitlines()[4]

    # Undo withdraws an edit: the dropped story is back.
    edit(app, "undo", "1")
    assert dropped in every_id(content(app))
    assert "已撤销" in cli(app, "digest", "actions").stdout.splitlines()[0]


def test_bad_edits_are_one_line_and_change_nothing(app: App) -> None:
    store(app, STORIES)
    sort_seed(app, REFORM)
    cli(app, "digest", "build")
    before = content(app)
    first = ids(section(before, "industry")["items"])[0]
    for args, says in [
        (("drop", "99999"), "article 99999 is not in the draft of issue 1"),
        (("move", str(first), "sports"), "unknown section 'sports' (known: industry (产业发展)"),
        (("area", str(first), "火星新区"), "unknown area '火星新区'"),
        (("merge", str(first), str(first)), "give two different articles"),
        (("undo", "7"), "issue 1 has no edit 7"),
        (("headline", str(first), "  "), "give the new headline"),
    ]:
        result = edit(app, *args, code=2)
        assert result.stderr.count("\n") == 1 and says in result.stderr, result.stderr
    no_editor = cli(app, "digest", "edit", "drop", str(first), code=2)
    assert "--editor" in no_editor.stderr
    assert content(app) == before
    assert "no editor action yet" in cli(app, "digest", "actions").stdout

    # An approved issue is reopened before it is edited; both steps are logged.
    assert "approved by 李编辑" in cli(app, "digest", "approve", "--editor", "李编辑").stdout
    refused = edit(app, "drop", str(first), code=2)
    assert "issue 1 is approved; `xinqu digest reopen` it before editing" in refused.stderr
    cli(app, "digest", "reopen", "--editor", "李编辑")
    edit(app, "drop", str(first))
    log = cli(app, "digest", "actions").stdout.splitlines()
    assert [line.split(": ", 1)[1].split()[0] for line in log] == ["approve", "reopen", "drop"]


def test_an_unapproved_issue_is_not_sent_and_an_approved_one_goes_as_edited(
    approving: App,
) -> None:
    app = approving
    store(app, STORIES)
    sort_seed(app, REFORM)
    subscribe(app, "reader@example.org")
    lease = Lease(app.store, ttl=60)
    try:
        outcome = issue_step(app, lease)
        assert outcome.status == "waiting" and outcome.number == 1
        ready = to_editor(app)
        assert len(ready) == 1 and "issue 1 is ready" in str(ready[0]["Subject"])
        assert "http://localhost:8000/editor/issues/1" in body(ready[0])
        assert to_readers(app) == []

        # Checked again (the next job, the minute check): still waiting, mailed once.
        assert issue_step(app, lease).status == "waiting"
        assert [o.status for o in resume_unfinished(app, lease)] == ["waiting"]
        assert len(mails(app)) == 1
        refused = cli(app, "digest", "send", code=2)
        assert "issue 1 is not approved (digest.require_approval)" in refused.stderr

        industry = section(content(app), "industry")
        dropped, retitled = ids(industry["items"])[:2]
        dropped_headline = industry["items"][0]["headline"]
        edit(app, "drop", str(dropped))
        edit(app, "headline", str(retitled), "编辑定稿标题")
        cli(app, "digest", "approve", "--editor", "李编辑")
        assert [o.status for o in resume_unfinished(app, lease)] == ["sent"]
    finally:
        lease.close()

    readers = to_readers(app)
    assert len(readers) == 1
    text = body(readers[0])
    assert "编辑定稿标题" in text and dropped_headline not in text
    with app.store.session() as session:
        issue = issue_by_number(session, 1)
        assert issue is not None
        frozen = issue.text
    assert text.split("退订")[0] == frozen.split("退订")[0], "sent exactly as approved"
    copies = [m for m in to_editor(app) if "ready" not in str(m["Subject"])]
    assert len(copies) == 1
    footer = body(copies[0])
    assert "编辑操作：3 项" in footer
    assert f"李编辑: drop {dropped}" in footer and "approve" in footer


def test_no_approval_by_the_deadline_sends_nothing_and_alerts_once(
    approving: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = approving
    store(app, STORIES)
    sort_seed(app, REFORM)
    subscribe(app, "reader@example.org")
    lease = Lease(app.store, ttl=60)
    try:
        assert issue_step(app, lease).status == "waiting"
        monkeypatch.setenv("XINQU_NOW", "2026-11-25T11:59:00+08:00")
        assert [o.status for o in resume_unfinished(app, lease)] == ["waiting"]
        monkeypatch.setenv("XINQU_NOW", "2026-11-25T12:00:00+08:00")
        assert [o.status for o in resume_unfinished(app, lease)] == ["missed"]
        assert resume_unfinished(app, lease) == []
        assert issue_step(app, lease).status == "missed"
        # Approved too late: the scheduler still sends nothing (`digest send` would).
        cli(app, "digest", "approve", "--editor", "李编辑")
        assert issue_step(app, lease).status == "missed"
    finally:
        lease.close()
    editor = to_editor(app)
    assert [str(m["Subject"]).split(" ", 3)[-1] for m in editor] == [
        "is ready for your review",
        "was not approved by 12:00; nothing was sent",
    ]
    assert "http://localhost:8000/editor/issues/1" in body(editor[1])
    assert to_readers(app) == []
    assert cli(app, "digest", "list").stdout.splitlines()[1].split()[1] == "approved"


def test_approval_settings_are_validated_and_schedule_a_check(
    make_config: Any, tmp_path: Path
) -> None:
    folder = make_config([], digest={"require_approval": True, "approval_deadline": "09:30"})
    config = load_config(folder)
    assert config.settings.digest.deadline is not None
    assert str(config.settings.digest.deadline) == "09:30:00"
    assert desired_jobs(config)["approval"].kind == "resume"
    assert "approval" not in desired_jobs(load_config(make_config([], digest={})))
    for bad in ("25:00", "9.30", "noon"):
        settings = yaml.safe_load((folder / "settings.yaml").read_text("utf-8"))
        settings["digest"]["approval_deadline"] = bad
        (folder / "settings.yaml").write_text(yaml.safe_dump(settings), "utf-8")
        with pytest.raises(ConfigError, match=r"approval_deadline.*HH:MM"):
            load_config(folder)


def _action(n: int, kind: str, article: int | None, **extra: Any) -> ActionRecord:
    return ActionRecord(
        n, 1, datetime(2026, 11, 25, 9, tzinfo=TZ), "李编辑", kind, article, **extra
    )


def test_replay_is_in_order_finds_stories_by_any_member_and_notes_what_it_cannot_do() -> None:
    """apply_actions alone: the story of member 2 is found though 1 now represents it."""
    one = Candidate(_article(1, "大数据产业规模完成387亿元"), "industry", group=(1, 2))
    three = Candidate(_article(3, "项目开工建设"), "industry", group=(3,))
    four = Candidate(_article(4, "改革试点获批", area="兰州新区"), "reform", group=(4,))
    actions = [
        _action(1, "pin", 3),
        _action(2, "pin", 2),  # member 2 of the story now represented by 1
        _action(3, "move", 3, value="reform"),  # a pinned story stays pinned where it goes
        _action(4, "merge", 4, other_id=1),
        _action(5, "drop", 99),
        _action(6, "move", 4, value="sports"),
        _action(7, "headline", 4, value="新标题"),
        _action(8, "undo", None, other_id=7),
        _action(9, "approve", None),
    ]
    edited = apply_actions(
        {"industry": [one, three], "reform": [four]}, actions, sections=["industry", "reform"]
    )
    assert edited.candidates["industry"] == []
    [merged, moved] = edited.candidates["reform"]
    assert moved.article.id == 3 and moved.section == "reform"
    assert merged.article.id == 4 and set(merged.group) == {1, 2, 4}
    assert merged.also_at == ("https://www.gaxq.gov.cn/1.html",)
    assert edited.pinned == {"industry": [], "reform": [3]}
    assert edited.headlines == {}
    assert edited.notes == {
        1: None,
        2: None,
        3: None,
        4: None,
        5: "article 99 is not among this issue's candidates any more",
        6: "no section 'sports' any more",
        7: "undone",
        8: None,
    }
