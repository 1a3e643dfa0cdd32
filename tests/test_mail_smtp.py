"""Delivery through a real SMTP server (aiosmtpd on 127.0.0.1), parsed with the email package."""

from __future__ import annotations

import re
import ssl

import pytest
from mailkit import (
    SmtpSink,
    add_issue,
    add_subscribers,
    make_app,
    self_signed_certificate,
    serve_smtp,
    smtp_settings,
)
from support import closed_port

from xinqu.errors import DeliveryError
from xinqu.mail import send_alert, send_issue
from xinqu.store.deliveries import Delivery, delivery_counts
from xinqu.store.issues import UNSUBSCRIBE_PLACEHOLDER
from xinqu.store.subscribers import get_subscriber

pytestmark = pytest.mark.usefixtures("store_backend")

READERS = (
    ("wang.fang@example.org", "王芳", None, "active"),
    ("li.lei@example.com", "李雷", ["industry"], "active"),
    ("zhao.min@example.net", "Zhao, Min", ["reform"], "active"),
    ("pending@example.org", None, None, "pending"),
    ("gone@example.org", None, None, "unsubscribed"),
    ("dead@example.org", None, None, "bounced"),
)
ACTIVE = {"wang.fang@example.org", "li.lei@example.com", "zhao.min@example.net"}


@pytest.fixture(autouse=True)
def _no_env_secrets(monkeypatch):
    monkeypatch.delenv("XINQU_SECRET", raising=False)
    monkeypatch.setenv("XINQU_NOW", "2026-11-24T09:00:00+08:00")


def _app(make_config, tmp_path, port, **extra):
    app = make_app(
        make_config,
        tmp_path,
        mail=smtp_settings(port, **extra),
        web={"base_url": "https://xq.example.org"},
    )
    add_subscribers(app, *READERS)
    return app, add_issue(app)


def test_one_message_per_active_subscriber_with_the_right_mime_and_headers(make_config, tmp_path):
    with serve_smtp(SmtpSink()) as sink:
        app, issue = _app(make_config, tmp_path, sink.port)
        report = send_issue(app, issue.id)
        again = send_issue(app, issue.id)

    assert sink.copies() == dict.fromkeys(ACTIVE, 1)
    assert sink.sessions == 1, "one connection for all messages"
    assert sorted(report.sent) == sorted(ACTIVE) and report.complete
    assert again.sent == [] and again.complete
    with app.store.session() as session:
        assert delivery_counts(session, issue.id) == {
            "sent": 3,
            "pending": 0,
            "bounced": 0,
            "failed": 0,
        }
        records = {d.email: d for d in session.query(Delivery)}

    by_rcpt = {r.rcpt_tos[0]: r for r in sink.received}
    raw = by_rcpt["wang.fang@example.org"].raw
    head = raw.split(b"\r\n\r\n", 1)[0]
    head.decode("ascii")  # every header 7-bit: non-ASCII only as encoded words
    names = [line.split(b":")[0] for line in head.split(b"\r\n") if not line.startswith(b" ")]
    assert b"Bcc" not in names and b"\r\n Bcc: attacker" not in head.replace(b"\r\n ", b" ")
    msg = by_rcpt["wang.fang@example.org"].message
    assert by_rcpt["wang.fang@example.org"].mail_from == "bulletin@example.org"
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert msg["Subject"] == (
        "西咸研究 2026年第3期：西咸新区秦创原总窗口新增科技企业 Bcc: attacker@example.net"
    )
    assert "=?utf-8?" in head.decode().lower()
    assert msg["From"].addresses[0].display_name == "西咸研究院"
    assert msg["To"].addresses[0].display_name == "王芳"
    assert msg["To"].addresses[0].addr_spec == "wang.fang@example.org"
    assert msg["Reply-To"].addresses[0].addr_spec == "editor@example.org"
    assert msg["Message-ID"] == records["wang.fang@example.org"].message_id
    assert re.fullmatch(r"<xinqu\.45\.\d+\.[0-9a-f]{16}@example\.org>", msg["Message-ID"])
    assert len({r.message["Message-ID"] for r in sink.received}) == 3
    assert msg["List-Id"] == "西咸研究 <bulletin.example.org>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url, mailto = re.fullmatch(r"<([^>]+)>, <([^>]+)>", msg["List-Unsubscribe"]).groups()
    assert url.startswith("https://xq.example.org/unsubscribe?t=")
    assert mailto.startswith("mailto:bulletin@example.org?subject=unsubscribe%20")
    text, html = (p.get_content() for p in parts)
    assert UNSUBSCRIBE_PLACEHOLDER not in text + html
    assert f"退订：{url}" in text and f'href="{url}"' in html
    assert "秦创原总窗口新增科技型企业120家" in text and "<h2>二、改革创新</h2>" in html
    other = by_rcpt["li.lei@example.com"].message
    assert other["List-Unsubscribe"] != msg["List-Unsubscribe"], "the link is personal"
    assert other["To"].addresses[0].display_name == "李雷"


def test_4xx_is_retried_then_delivered(make_config, tmp_path):
    sink = SmtpSink(
        data_replies={"li.lei@example.com": ["451 4.3.0 try again later"] * 2},
        rcpt_replies={"wang.fang@example.org": ["450 4.2.1 mailbox busy"]},
    )
    with serve_smtp(sink):
        app, issue = _app(make_config, tmp_path, sink.port)
        report = send_issue(app, issue.id)

    assert sink.copies() == dict.fromkeys(ACTIVE, 1)
    assert report.complete and report.failed == [] and report.bounced == []
    with app.store.session() as session:
        attempts = {d.email: d.attempts for d in session.query(Delivery)}
    assert attempts == {
        "li.lei@example.com": 3,
        "wang.fang@example.org": 2,
        "zhao.min@example.net": 1,
    }


def test_4xx_past_the_retries_is_left_for_the_next_run(make_config, tmp_path):
    sink = SmtpSink(rcpt_replies={"li.lei@example.com": ["452 4.2.2 over quota"] * 2})
    with serve_smtp(sink):
        app, issue = _app(make_config, tmp_path, sink.port, retries=1)
        first = send_issue(app, issue.id)
        assert [email for email, _ in first.failed] == ["li.lei@example.com"]
        assert "452" in first.failed[0][1] and not first.complete
        assert first.counts["failed"] == 1
        second = send_issue(app, issue.id)

    assert second.sent == ["li.lei@example.com"] and second.complete
    assert sink.copies() == dict.fromkeys(ACTIVE, 1)


def test_5xx_marks_the_recipient_bounced(make_config, tmp_path):
    rejection = "550 5.1.1 <zhao.min@example.net>: Recipient address rejected: User unknown"
    sink = SmtpSink(rcpt_replies={"zhao.min@example.net": [rejection]})
    with serve_smtp(sink):
        app, issue = _app(make_config, tmp_path, sink.port)
        report = send_issue(app, issue.id)
        again = send_issue(app, issue.id)

    assert sink.copies() == {"wang.fang@example.org": 1, "li.lei@example.com": 1}
    assert [email for email, _ in report.bounced] == ["zhao.min@example.net"]
    assert "550 RCPT TO: 5.1.1" in report.bounced[0][1]
    assert report.complete and again.sent == [] and again.bounced == []
    with app.store.session() as session:
        assert get_subscriber(session, "zhao.min@example.net").state == "bounced"
        assert delivery_counts(session, issue.id)["bounced"] == 1


@pytest.mark.parametrize(
    "rejection",
    [
        "550 5.1.1 <editor@example.org>: Recipient address rejected: User unknown",
        "451 4.7.1 <editor@example.org>: Greylisted, try again later",
    ],
)
def test_a_refused_alert_is_one_line_whether_the_refusal_is_temporary_or_permanent(
    rejection, make_config, tmp_path
):
    sink = SmtpSink(rcpt_replies={"editor@example.org": [rejection] * 5})
    with serve_smtp(sink):
        app = make_app(
            make_config, tmp_path, mail=smtp_settings(sink.port, editor="editor@example.org")
        )
        with pytest.raises(DeliveryError) as caught:
            send_alert(app, "crawl failed", "nothing was crawled")
    code = rejection.split()[0]
    assert str(caught.value) == (
        f"mail to editor@example.org was refused: {code} RCPT TO: {rejection[4:]}"
    )
    assert sink.copies() == {}


def test_unreachable_smtp_is_one_line_and_loses_nothing(make_config, tmp_path):
    down = closed_port()
    app, issue = _app(make_config, tmp_path, down)
    with pytest.raises(DeliveryError) as caught:
        send_issue(app, issue.id)
    message = str(caught.value)
    assert "\n" not in message
    assert f"cannot reach the SMTP server 127.0.0.1:{down}" in message
    assert "3 still to send" in message
    with app.store.session() as session:
        assert delivery_counts(session, issue.id)["pending"] == 3


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_and_login(security, make_config, tmp_path, monkeypatch):
    cert, key = self_signed_certificate(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)

    def authenticate(server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        ok = (auth_data.login, auth_data.password) == (b"xinqu", "口令-secret".encode())
        return AuthResult(success=ok, auth_data=auth_data)

    options = {"authenticator": authenticate, "auth_required": True}
    if security == "starttls":
        options.update(tls_context=server_tls, require_starttls=True)
    else:
        # aiosmtpd only counts STARTTLS as TLS for AUTH; this session is TLS from the start.
        options.update(ssl_context=server_tls, auth_require_tls=False, auth_required=False)
    monkeypatch.setenv("XINQU_TEST_SMTP_PASSWORD", "口令-secret")
    smtp = {
        "security": security,
        "username": "xinqu",
        "password_env": "XINQU_TEST_SMTP_PASSWORD",
        "ca_file": str(cert),
    }
    with serve_smtp(SmtpSink(), **options) as sink:
        app, issue = _app(make_config, tmp_path, sink.port, smtp=smtp)
        report = send_issue(app, issue.id)
    assert report.complete and sink.copies() == dict.fromkeys(ACTIVE, 1)
    assert all(r.tls and r.login == b"xinqu" for r in sink.received)
