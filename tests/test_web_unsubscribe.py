"""The links in each mail, through the real WSGI server on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest
from mailkit import add_issue, add_subscribers, make_app, parse

from xinqu.mail import send_issue, tokens
from xinqu.store.subscribers import get_subscriber
from xinqu.web import make_server

pytestmark = pytest.mark.usefixtures("store_backend")


@pytest.fixture
def web(make_config, tmp_path, monkeypatch):
    """(app, base URL of the running server)."""
    monkeypatch.delenv("XINQU_SECRET", raising=False)
    app = make_app(make_config, tmp_path, web={"base_url": "https://xq.example.org/digest"})
    server = make_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _request(url: str, body: bytes | None = None) -> tuple[int, str]:
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
    request = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, reply.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def _state(app, email: str) -> str:
    with app.store.session() as session:
        return get_subscriber(session, email).state


def _local(base: str, url: str) -> str:
    """The link from a mail, sent to the test server (path relative to web.base_url)."""
    parts = urlsplit(url)
    return f"{base}{parts.path.removeprefix('/digest')}?{parts.query}"


def test_one_click_post_from_the_mail_header_unsubscribes_in_one_request(web):
    app, base = web
    add_subscribers(app, ("wang.fang@example.org", "王芳", None, "active"))
    send_issue(app, add_issue(app).id)
    [eml] = app.outbox_dir.glob("*.eml")
    url = parse(eml.read_bytes())["List-Unsubscribe"].split(">")[0].lstrip("<")
    assert url.startswith("https://xq.example.org/digest/unsubscribe?t=")

    status, page = _request(_local(base, url))
    assert status == 200 and "退订确认" in page and 'method="post"' in page
    assert _state(app, "wang.fang@example.org") == "active", "a GET changes nothing"

    status, page = _request(_local(base, url), b"List-Unsubscribe=One-Click")
    assert status == 200 and "已退订" in page
    assert _state(app, "wang.fang@example.org") == "unsubscribed"
    status, page = _request(_local(base, url), b"List-Unsubscribe=One-Click")
    assert status == 200 and "已退订" in page


def test_forged_or_misused_links_are_refused(web):
    app, base = web
    add_subscribers(app, ("wang.fang@example.org", None, None, "active"))
    key = tokens.secret(app)
    with app.store.session() as session:
        reader = get_subscriber(session, "wang.fang@example.org").id
    confirm = tokens.make_token(key, "confirm", reader, "wang.fang@example.org")
    forged = tokens.make_token(b"not the secret", "unsubscribe", reader, "wang.fang@example.org")
    for token in (confirm, forged, "abc", ""):
        status, page = _request(f"{base}/unsubscribe?t={token}", b"List-Unsubscribe=One-Click")
        assert status == 400 and "链接无效" in page
    assert _state(app, "wang.fang@example.org") == "active"
    assert _request(f"{base}/nowhere")[0] == 404
    assert _request(f"{base}/healthz") == (200, "ok\n")


def test_double_opt_in_confirm_activates_only_a_pending_reader(web):
    app, base = web
    add_subscribers(
        app,
        ("new@example.org", None, None, "pending"),
        ("gone@example.org", None, None, "unsubscribed"),
    )
    key = tokens.secret(app)
    with app.store.session() as session:
        ids = {e: get_subscriber(session, e).id for e in ("new@example.org", "gone@example.org")}
    for email, before, after, answer in (
        ("new@example.org", "pending", "active", "订阅成功"),
        ("gone@example.org", "unsubscribed", "unsubscribed", "无法确认"),
    ):
        link = tokens.link(app, key, "confirm", ids[email], email)
        status, page = _request(_local(base, link))
        assert status == 200 and "确认订阅" in page
        assert _state(app, email) == before, "a GET changes nothing"
        status, page = _request(_local(base, link), b"")
        assert status == 200 and answer in page
        assert _state(app, email) == after


def test_xinqu_serve_answers(make_config, tmp_path):
    config = make_config([])
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scheduler.cli",
            "--config",
            str(config),
            "--data",
            str(tmp_path / "data"),
            "serve",
            "--port",
            "0",
        ],
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "XINQU_SECRET"},
    )
    try:
        lines = iter(child.stderr.readline, "")
        line = next((x for x in lines if not x.startswith("WARNING")), "")
        assert line.startswith("serving on http://127.0.0.1:"), line
        assert _request(line.split()[2] + "/healthz") == (200, "ok\n")
    finally:
        child.terminate()
        child.wait(10)
        child.stderr.close()


def _first_mail(app, wait: float = 10.0):
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        found = list(app.outbox_dir.glob("*.eml")) if app.outbox_dir.is_dir() else []
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError("no confirmation mail was written")


def test_self_service_sign_up_is_pending_until_the_mailed_link_is_followed(web):
    app, base = web
    status, page = _request(f"{base}/subscribe")
    assert status == 200 and 'name="email"' in page
    form = b"email=Reader%40Example.org&name=%E8%AF%BB%E8%80%85"
    status, page = _request(f"{base}/subscribe", form)
    assert status == 200 and "请查收确认邮件" in page
    assert _state(app, "reader@example.org") == "pending"
    eml = _first_mail(app)  # the worker sends it beside the server, not inside the request
    again, _ = _request(f"{base}/subscribe", form)
    assert again == 200
    time.sleep(0.3)
    assert list(app.outbox_dir.glob("*.eml")) == [eml]  # one confirmation mail, not two
    body = parse(eml.read_bytes()).get_body(("plain",)).get_content()
    link = next(w for w in body.split() if w.startswith("https://xq.example.org/digest/confirm"))
    status, page = _request(_local(base, link), b"")
    assert status == 200 and "订阅成功" in page
    assert _state(app, "reader@example.org") == "active"
    status, page = _request(f"{base}/subscribe", b"email=not-an-address")
    assert status == 400 and "不是有效的电子邮件地址" in page


def test_the_web_copy_each_mail_links_to_is_served(web):
    app, base = web
    issue = add_issue(app)
    web_copy = f"https://xq.example.org/digest/issues/{issue.number}"  # base.html links here
    status, page = _request(_local(base, web_copy).rstrip("?"))
    assert status == 200
    assert issue.html.split("<body")[0] in page
    assert "XINQU-UNSUBSCRIBE-URL" not in page
    assert "https://xq.example.org/digest/unsubscribe" in page
    assert _request(f"{base}/issues/999")[0] == 404
    assert _request(f"{base}/issues/abc")[0] == 404
