"""Delivery to the outbox (the fresh-machine transport), links, secrets and alerts."""

from __future__ import annotations

import json
import logging
import stat
import threading

import pytest
from mailkit import add_issue, add_subscribers, make_app, parse

from xinqu.errors import ConfigError
from xinqu.mail import send_alert, send_issue, tokens
from xinqu.mail.message import identity, one_line
from xinqu.store.deliveries import Delivery, delivery_counts
from xinqu.store.issues import Issue
from xinqu.store.subscribers import get_subscriber, set_state

pytestmark = pytest.mark.usefixtures("store_backend")

READERS = (
    ("wang.fang@example.org", "王芳", None, "active"),
    ("li.lei@example.com", "李雷", ["industry"], "active"),
    ("zhao.min@example.net", None, ["reform"], "active"),
    ("pending@example.org", None, None, "pending"),
)


@pytest.fixture
def outbox_app(make_config, tmp_path, monkeypatch):
    monkeypatch.delenv("XINQU_SECRET", raising=False)
    app = make_app(make_config, tmp_path)
    add_subscribers(app, *READERS)
    return app


def _outbox(app):
    return sorted(app.outbox_dir.glob("*.eml"))


def test_outbox_gets_one_eml_per_active_reader_and_a_rerun_adds_none(outbox_app):
    app = outbox_app
    issue = add_issue(app)
    dry = send_issue(app, issue.id, dry_run=True)
    assert sorted(dry.would_send) == [
        "li.lei@example.com",
        "wang.fang@example.org",
        "zhao.min@example.net",
    ]
    assert _outbox(app) == []
    with app.store.session() as session:
        assert delivery_counts(session, issue.id) == {
            "sent": 0,
            "pending": 0,
            "bounced": 0,
            "failed": 0,
        }

    report = send_issue(app, issue.id)
    files = _outbox(app)
    assert len(report.sent) == 3 and len(files) == 3 and report.complete
    assert not list(app.outbox_dir.glob(".*.part"))
    msgs = [parse(f.read_bytes()) for f in files]
    assert {m["To"].addresses[0].addr_spec for m in msgs} == set(dry.would_send)
    assert all(
        f.name == m["Message-ID"].strip("<>") + ".eml" for f, m in zip(files, msgs, strict=True)
    )
    assert all(m.get_content_type() == "multipart/alternative" for m in msgs)

    again = send_issue(app, issue.id)
    assert again.sent == [] and _outbox(app) == files


def test_readers_get_only_issues_with_their_sections(outbox_app):
    app = outbox_app
    issue = add_issue(app)
    with app.store.session() as session:
        stored = session.get(Issue, issue.id)
        content = json.loads(stored.content)
        content["sections"][0]["items"] = []  # nothing on industry this time
        stored.content = json.dumps(content, ensure_ascii=False)
    report = send_issue(app, issue.id)
    assert sorted(report.sent) == ["wang.fang@example.org", "zhao.min@example.net"]


def test_a_reader_who_leaves_before_their_turn_is_skipped(outbox_app):
    app = outbox_app
    issue = add_issue(app)
    stop = threading.Event()
    stop.set()
    stopped = send_issue(app, issue.id, stop=stop)
    assert stopped.stopped and stopped.sent == [] and stopped.counts["pending"] == 3
    with app.store.session() as session:
        set_state(session, get_subscriber(session, "li.lei@example.com"), "unsubscribed", "test")
    report = send_issue(app, issue.id)
    assert report.skipped == ["li.lei@example.com"] and len(report.sent) == 2
    assert report.counts["skipped"] == 1 and report.complete


def test_generated_secret_is_private_and_stable_and_the_env_wins(outbox_app, monkeypatch):
    app = outbox_app
    first = tokens.secret(app)
    path = app.data_dir / "secret.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert tokens.secret(app) == first and len(first) >= 40
    monkeypatch.setenv("XINQU_SECRET", "from-the-environment")
    assert tokens.secret(app) == b"from-the-environment"


def test_tokens_are_bound_to_purpose_reader_and_address():
    key = b"k" * 32
    token = tokens.make_token(key, "unsubscribe", 7, "a@example.org")
    assert tokens.token_subscriber_id(token) == 7
    assert tokens.verify_token(key, "unsubscribe", token, 7, "A@example.org")
    assert not tokens.verify_token(key, "confirm", token, 7, "a@example.org")
    assert not tokens.verify_token(key, "unsubscribe", token, 7, "b@example.org")
    assert not tokens.verify_token(b"x" * 32, "unsubscribe", token, 7, "a@example.org")
    forged = "8" + token[1:]
    assert not tokens.verify_token(key, "unsubscribe", forged, 8, "a@example.org")
    assert tokens.token_subscriber_id("../etc") is None


def test_header_values_are_one_line():
    assert one_line("标题\r\nBcc: x@example.org\u2028Y\x85Z\tend\x00") == (
        "标题 Bcc: x@example.org Y Z end"
    )


def test_a_bad_sender_address_names_the_key(make_config, tmp_path):
    app = make_app(make_config, tmp_path, mail={"from": "西咸研究院"})
    with pytest.raises(ConfigError, match=r"settings.yaml: mail.from: expected an e-mail address"):
        identity(app)


def test_alerts_go_to_the_editor_or_only_to_the_log(make_config, tmp_path, caplog):
    quiet = make_app(make_config, tmp_path)
    with caplog.at_level(logging.WARNING, logger="xinqu.mail.notices"):
        send_alert(quiet, "抓取失败", "兰州新区官网连续三次无法访问。")
    assert "alert not mailed (mail.editor is not set): 抓取失败" in caplog.text
    assert _outbox(quiet) == []

    app = make_app(make_config, tmp_path, mail={"editor": "编辑 <editor@example.org>"})
    send_alert(app, "抓取失败\r\nBcc: x@example.org", "兰州新区官网连续三次无法访问。")
    [eml] = _outbox(app)
    msg = parse(eml.read_bytes())
    assert msg["To"].addresses[0].addr_spec == "editor@example.org"
    assert msg["Subject"] == "抓取失败 Bcc: x@example.org"
    assert msg["Bcc"] is None
    assert "兰州新区官网连续三次无法访问。" in msg.get_body(("plain",)).get_content()


def test_outbox_rewrites_a_message_left_in_doubt_instead_of_trusting_it(outbox_app):
    """Killed between writing the file and renaming it: the record says ``finishing``."""
    app = outbox_app
    issue = add_issue(app)
    send_issue(app, issue.id)
    victim = _outbox(app)[0]
    victim.unlink()
    with app.store.session() as session:
        session.query(Delivery).filter(
            Delivery.message_id == "<" + victim.name.removesuffix(".eml") + ">"
        ).update({"state": "finishing"})
    report = send_issue(app, issue.id)
    assert len(report.sent) == 1 and victim.exists() and len(_outbox(app)) == 3
    assert report.counts == {"sent": 3, "pending": 0, "bounced": 0, "failed": 0}
