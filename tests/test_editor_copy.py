"""The editor copy: the frozen issue plus a health footer, once per issue, to mail.editor only."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from mailkit import add_subscribers, parse
from sqlalchemy import select

from xinqu.app import App
from xinqu.issue import build_issue
from xinqu.mail import send_issue
from xinqu.process import run_process
from xinqu.store.articles import (
    Article,
    ArticleRecord,
    SourceRun,
    save_article,
    start_crawl_run,
)
from xinqu.store.issues import UNSUBSCRIBE_PLACEHOLDER, Issue
from xinqu.store.processing import CarriedArticle, processing_states

pytestmark = pytest.mark.usefixtures("store_backend")

TZ = ZoneInfo("Asia/Shanghai")
SEED = Path(__file__).parent / "fixtures" / "issue" / "seed_articles.json"
EDITOR = "editor@example.org"
READERS = ("wang.fang@example.org", "li.lei@example.com")
FLAG = "failing (失败新区): failed 3 runs in a row (blocked by anti-bot: waf-challenge)"


def _source(name: str, area: str) -> dict[str, Any]:
    return {
        "name": name,
        "area": area,
        "site_name": f"{area}官网",
        "list_urls": [f"https://{name}.example.gov.cn/list/"],
    }


@pytest.fixture
def app(make_config, frozen_now: str, tmp_path: Path) -> Iterator[App]:
    config = make_config(
        [_source("demo", "西咸新区"), _source("failing", "失败新区")],
        health={"failures_in_row": 3},
        mail={"editor": f"编辑 <{EDITOR}>"},
    )
    application = App(config_dir=config, data_dir=tmp_path / "data")
    add_subscribers(application, *((email, None, None, "active") for email in READERS))
    yield application
    application.close()


def _crawled(app: App, source: str, status: str, days_ago: int, **fields: Any) -> None:
    when = datetime.now(TZ) - timedelta(days=days_ago)
    with app.store.session() as session:
        run_id = start_crawl_run(session, trigger="test").id
        session.add(
            SourceRun(run_id=run_id, source=source, started_at=when, status=status, **fields)
        )


def _built(app: App) -> int:
    """Seed stories in the period, a source failing three times, then process and build."""
    stories = json.loads(SEED.read_text("utf-8"))
    with app.store.session() as session:
        for n, story in enumerate(stories):
            save_article(
                session,
                ArticleRecord(
                    url=f"https://demo.example.gov.cn/{n}.html",
                    source="demo",
                    area=story["area"],
                    site_name=f"{story['area']}官网",
                    title=story["title"],
                    published_at=datetime(2026, 11, 20, 9, tzinfo=TZ),
                    text=story["text"],
                ),
            )
    for days_ago in (3, 2):
        _crawled(app, "failing", "failed", days_ago, errors=1, error_message="HTTP 500")
    _crawled(app, "failing", "blocked", 1, anti_bot="waf-challenge")
    run_process(app)
    issue = build_issue(app)
    # The site recovers after the build: the editor copy still shows what the build saw.
    _crawled(app, "failing", "ok", 0, new=0)
    return issue.id


def _outbox(app: App) -> dict[str, EmailMessage]:
    messages = (parse(p.read_bytes()) for p in app.outbox_dir.glob("*.eml"))
    return {m["To"].addresses[0].addr_spec: m for m in messages}


def _text(msg: EmailMessage) -> str:
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]


def _html(msg: EmailMessage) -> str:
    return msg.get_body(("html",)).get_content().replace("\r\n", "\n")  # type: ignore[union-attr]


def test_editor_copy_has_the_health_footer_and_readers_copies_do_not(app: App) -> None:
    issue_id = _built(app)
    report = send_issue(app, issue_id)
    assert report.complete and report.editor == "sent" and sorted(report.sent) == sorted(READERS)

    outbox = _outbox(app)
    assert set(outbox) == {EDITOR, *READERS}
    editor = outbox[EDITOR]
    assert editor["Subject"].startswith("【编辑副本】")
    assert "List-Unsubscribe" not in editor
    text, html = _text(editor), _html(editor)
    assert FLAG in text and FLAG in html, "the flag frozen at build time, not today's state"
    assert "第1期投递：sent 2，pending 0，bounced 0，failed 0" in text
    assert html.index("编辑副本") < html.rindex("</body>")
    assert UNSUBSCRIBE_PLACEHOLDER not in text + html
    assert "（编辑副本，无退订链接）" in html and 'href="#"' not in html and ">退订</a>" not in html

    for email in READERS:
        body = _text(outbox[email]) + _html(outbox[email])
        assert "编辑副本" not in body and "failing" not in body and "失败新区" not in body
        assert not outbox[email]["Subject"].startswith("【编辑副本】")
    with app.store.session() as session:
        frozen = session.get(Issue, issue_id)
        assert frozen is not None
        before_link = frozen.text.split(UNSUBSCRIBE_PLACEHOLDER)[0]
        as_editor = frozen.text.replace(UNSUBSCRIBE_PLACEHOLDER, "（编辑副本，无退订链接）")
    assert _text(outbox[READERS[0]]).startswith(before_link)
    assert text.startswith(as_editor.rstrip("\n")), "the editor reads the same frozen issue"


def test_editor_copy_is_sent_once_and_waits_for_a_stopped_send(app: App) -> None:
    issue_id = _built(app)
    stop = threading.Event()
    stop.set()
    stopped = send_issue(app, issue_id, stop=stop)
    assert stopped.editor.startswith("not yet") and not stopped.complete
    assert EDITOR not in _outbox(app)

    assert send_issue(app, issue_id, dry_run=True).editor == "would send"
    first = send_issue(app, issue_id)
    assert first.editor == "sent" and first.complete
    files = sorted(app.outbox_dir.glob("*.eml"))
    again = send_issue(app, issue_id)
    assert again.editor == "sent before" and again.sent == []
    assert sorted(app.outbox_dir.glob("*.eml")) == files and len(files) == 3


def test_issue_content_and_its_exports_carry_no_health(app: App) -> None:
    issue_id = _built(app)
    with app.store.session() as session:
        issue = session.get(Issue, issue_id)
        assert issue is not None
        frozen = issue.content + issue.text + issue.html
    assert "failing" not in frozen and "失败新区" not in frozen and "编辑副本" not in frozen


def test_editor_copy_names_the_uncertain_section_calls(app: App) -> None:
    """A carried article whose section was a close call is listed for the editor to check."""
    issue_id = _built(app)
    with app.store.session() as session:
        carried = sorted(
            session.scalars(
                select(CarriedArticle.article_id).where(CarriedArticle.issue_id == issue_id)
            )
        )
        states = processing_states(session, carried)
        for state in states.values():
            state.uncertain = False
        state = states[carried[0]]
        state.uncertain, state.runner_up, state.margin = True, "out", 0.04
        title = session.get(Article, carried[0]).title  # type: ignore[union-attr]
    send_issue(app, issue_id)
    outbox = _outbox(app)
    text, html = _text(outbox[EDITOR]), _html(outbox[EDITOR])
    line = f"{carried[0]} {title}："
    assert "栏目判断不确定（请核对）：1 篇" in text and line in text and "领先不收录 0.04" in text
    assert "栏目判断不确定" in html and "xinqu articles set-section ID SECTION" in html
    for email in READERS:
        assert "栏目判断不确定" not in _text(outbox[email]) + _html(outbox[email])
