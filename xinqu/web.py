"""The small web side of the mailing list: the pages behind the links in each mail.

A stdlib WSGI application (``xinqu serve`` runs it; any WSGI server can):

- ``GET /unsubscribe?t=TOKEN`` shows a page with one button; a GET never changes
  anything, because mail scanners and link previews follow links;
- ``POST /unsubscribe?t=TOKEN`` unsubscribes in that one request, whatever the
  body: the RFC 8058 one-click POST (``List-Unsubscribe=One-Click``) from a mail
  client and the page's own button are the same request;
- ``GET``/``POST /confirm?t=TOKEN`` do the same for a pending reader's double
  opt-in;
- ``GET /subscribe`` is a sign-up form; its ``POST`` makes the address pending and
  queues the confirm link for the mail worker (self-service readers are never
  active before confirming; xinqu/mail/confirmations.py);
- ``GET /healthz`` answers ``ok``.

A request body must come with a valid ``Content-Length`` of at most 64 KB (else
400 or 413), and a connection that sends nothing for ``REQUEST_TIMEOUT`` seconds
is closed, so slow or half-open clients cannot hold the server's threads.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from xinqu.app import App
from xinqu.issue.export import export
from xinqu.mail import tokens
from xinqu.mail.addresses import AddressError, normalize_address
from xinqu.mail.confirmations import ConfirmationWorker, request_confirmation
from xinqu.store.issues import issue_by_number
from xinqu.store.subscribers import (
    Subscriber,
    get_subscriber,
    set_state,
    subscriber_by_id,
    upsert_subscriber,
)

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
_MAX_BODY = 64 * 1024
#: Seconds a connection may stay silent (headers or body not coming) before it is closed.
REQUEST_TIMEOUT = 15.0
#: Issue numbers have at most this many digits (a bigger one is no issue: 404).
_MAX_NUMBER_DIGITS = 9


class BadRequestError(Exception):
    """The request itself is malformed; answered with ``status`` and one sentence."""

    def __init__(self, status: str, text: str) -> None:
        super().__init__(text)
        self.status = status


_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title></head>
<body style="font-family: 'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif;
max-width: 32em; margin: 3em auto; padding: 0 1em; line-height: 1.7">
<h1 style="font-size: 1.4em">{title}</h1>
{body}
</body></html>
"""

_ACTIONS = {
    "unsubscribe": {
        "ask_title": "退订确认",
        "ask": "点击下面的按钮，{email} 将不再收到《{bulletin}》。",
        "button": "退订",
        "done_title": "已退订",
        "done": "{email} 已退订《{bulletin}》，不会再收到本刊邮件。",
        "state": "unsubscribed",
    },
    "confirm": {
        "ask_title": "确认订阅",
        "ask": "点击下面的按钮，确认用 {email} 订阅《{bulletin}》。",
        "button": "确认订阅",
        "done_title": "订阅成功",
        "done": "{email} 已订阅《{bulletin}》。",
        "state": "active",
    },
}


_SIGNUP = """<form method="post" action="subscribe">
<p><label>电子邮件 <input type="email" name="email" required></label></p>
<p><label>姓名（可不填） <input type="text" name="name" maxlength="100"></label></p>
<p><button type="submit">订阅</button></p>
</form>"""


class WebApp:
    """WSGI callable; each request uses its own database session."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.key = tokens.secret(app)
        self.bulletin = app.config.settings.bulletin.title
        self.confirmations = ConfirmationWorker(app)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            return self._route(environ, start_response)
        except BadRequestError as exc:
            return self._page(
                start_response, exc.status, "请求无效", f"<p>{html.escape(str(exc))}</p>"
            )

    def _route(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "/").rstrip("/") or "/"
        if path == "/healthz":
            return _reply(start_response, "200 OK", b"ok\n", "text/plain; charset=utf-8")
        if path.startswith("/issues/") and method in ("GET", "HEAD"):
            return self._issue(start_response, path.removeprefix("/issues/"))
        if path == "/subscribe":
            if method == "POST":
                return self._subscribe(start_response, _form(environ))
            return self._page(start_response, "200 OK", f"订阅《{self.bulletin}》", _SIGNUP)
        action = path.lstrip("/")
        if action not in _ACTIONS:
            return self._page(start_response, "404 Not Found", "未找到", "<p>没有这个页面。</p>")
        if method not in ("GET", "HEAD", "POST"):
            return _reply(
                start_response, "405 Method Not Allowed", b"", extra=[("Allow", "GET, POST")]
            )
        query = parse_qs(environ.get("QUERY_STRING", ""))
        token = (query.get("t") or [""])[0]
        if method == "POST" and not token:
            token = (_form(environ).get("t") or [""])[0]
        if method == "POST":
            return self._act(start_response, action, token)
        return self._ask(start_response, action, token)

    def _issue(self, start_response: StartResponse, number: str) -> list[bytes]:
        """The web copy every mail links to: the issue's frozen HTML, as sent."""
        with self.app.store.session() as session:
            wellformed = number.isascii() and number.isdigit()
            short = len(number) <= _MAX_NUMBER_DIGITS
            issue = issue_by_number(session, int(number)) if wellformed and short else None
            if issue is None:
                return self._page(start_response, "404 Not Found", "未找到", "<p>没有这一期。</p>")
            body = export(self.app.config.settings, issue, "html")
        return _reply(start_response, "200 OK", body, "text/html; charset=utf-8")

    def _subscriber(self, action: str, token: str) -> Subscriber | None:
        subscriber_id = tokens.token_subscriber_id(token)
        if subscriber_id is None:
            return None
        with self.app.store.session() as session:
            subscriber = subscriber_by_id(session, subscriber_id)
            if subscriber is None or not tokens.verify_token(
                self.key, action, token, subscriber.id, subscriber.email
            ):
                return None
            session.expunge(subscriber)
            return subscriber

    def _invalid(self, start_response: StartResponse) -> list[bytes]:
        body = "<p>链接无效或已失效。请使用邮件中的原始链接，或回复邮件告诉我们。</p>"
        return self._page(start_response, "400 Bad Request", "链接无效", body)

    def _ask(self, start_response: StartResponse, action: str, token: str) -> list[bytes]:
        words = _ACTIONS[action]
        subscriber = self._subscriber(action, token)
        if subscriber is None:
            return self._invalid(start_response)
        fill = {"email": html.escape(subscriber.email), "bulletin": html.escape(self.bulletin)}
        if subscriber.state == words["state"]:
            return self._page(
                start_response,
                "200 OK",
                words["done_title"],
                f"<p>{words['done'].format(**fill)}</p>",
            )
        body = (
            f"<p>{words['ask'].format(**fill)}</p>"
            f'<form method="post" action="/{action}?t={html.escape(token, quote=True)}">'
            f'<button type="submit" style="font-size: 1.1em; padding: .4em 1.2em">'
            f"{words['button']}</button></form>"
        )
        return self._page(start_response, "200 OK", words["ask_title"], body)

    def _act(self, start_response: StartResponse, action: str, token: str) -> list[bytes]:
        words = _ACTIONS[action]
        subscriber_id = tokens.token_subscriber_id(token)
        with self.app.store.session() as session:
            subscriber = subscriber_by_id(session, subscriber_id) if subscriber_id else None
            if subscriber is None or not tokens.verify_token(
                self.key, action, token, subscriber.id, subscriber.email
            ):
                return self._invalid(start_response)
            email, state = subscriber.email, subscriber.state
            changed = state != words["state"] and (action != "confirm" or state == "pending")
            if changed:
                set_state(session, subscriber, str(words["state"]), f"web: {action}")
        fill = {"email": html.escape(email), "bulletin": html.escape(self.bulletin)}
        if changed:
            log.info("%s: %s through the web", email, action)
        elif action == "confirm" and state != "active":
            body = (
                f"<p>{fill['email']} 已退订或无法投递，这个确认链接不再有效。"
                "如需重新订阅，请回复本刊邮件。</p>"
            )
            return self._page(start_response, "200 OK", "无法确认", body)
        return self._page(
            start_response, "200 OK", words["done_title"], f"<p>{words['done'].format(**fill)}</p>"
        )

    def _subscribe(self, start_response: StartResponse, form: dict[str, list[str]]) -> list[bytes]:
        """Self-service sign-up: pending until the reader confirms (double opt-in).

        The answer is the same, in content and in time, whether or not the address
        is known and whether or not the mail server is up: the confirmation is only
        queued here (xinqu/mail/confirmations.py), never sent inline.
        """
        raw = (form.get("email") or [""])[0]
        name = " ".join((form.get("name") or [""])[0].split())[:100] or None
        try:
            address = normalize_address(raw)
        except AddressError:
            body = f"<p>“{html.escape(raw[:200])}”不是有效的电子邮件地址。</p>{_SIGNUP}"
            return self._page(start_response, "400 Bad Request", "地址无效", body)
        with self.app.store.session() as session:
            subscriber = get_subscriber(session, address)
            if subscriber is None:
                subscriber, _ = upsert_subscriber(
                    session, address, name=name, state="pending", origin="web"
                )
            elif subscriber.state in ("unsubscribed", "bounced"):
                set_state(session, subscriber, "pending", "web: signed up again")
            if subscriber.state == "pending":
                session.flush()
                request_confirmation(session, subscriber.id)
        self.confirmations.wake()
        body = (
            f"<p>如果 {html.escape(address)} 尚未订阅，我们已向它发送一封确认邮件；"
            "请打开邮件中的链接完成订阅。</p>"
        )
        return self._page(start_response, "200 OK", "请查收确认邮件", body)

    def _page(
        self, start_response: StartResponse, status: str, title: str, body: str
    ) -> list[bytes]:
        page = _PAGE.format(title=html.escape(title), body=body).encode("utf-8")
        return _reply(start_response, status, page, "text/html; charset=utf-8")


def _form(environ: dict[str, Any]) -> dict[str, list[str]]:
    raw = _body(environ)
    return parse_qs(raw.decode("utf-8", "replace"))


def _body(environ: dict[str, Any]) -> bytes:
    """The request body, exactly ``Content-Length`` bytes (at most ``_MAX_BODY``)."""
    text = str(environ.get("CONTENT_LENGTH") or "").strip()
    if not text:
        return b""
    if not (text.isascii() and text.isdigit()):
        raise BadRequestError("400 Bad Request", "Content-Length 无效。")
    length = int(text)
    if length > _MAX_BODY:
        raise BadRequestError("413 Content Too Large", "请求内容过大。")
    try:
        raw: bytes = environ["wsgi.input"].read(length) if length else b""
    except OSError:
        raise BadRequestError("400 Bad Request", "请求内容未能收到。") from None
    if len(raw) < length:
        raise BadRequestError("400 Bad Request", "请求内容不完整。")
    return raw


def _reply(
    start_response: StartResponse,
    status: str,
    body: bytes,
    content_type: str = "text/plain; charset=utf-8",
    extra: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        *(extra or []),
    ]
    start_response(status, headers)
    return [body]


def make_server(app: App, host: str, port: int, *, timeout: float = REQUEST_TIMEOUT) -> Any:
    """A threaded stdlib WSGI server for ``WebApp`` (quiet request log).

    Each connection gets ``timeout`` seconds of silence at most; the worker that
    mails queued confirmations starts with it (and sends what an earlier run left).
    """
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer
    from wsgiref.simple_server import make_server as wsgi_server

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class Handler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            log.info("%s %s", self.address_string(), format % args)

    Handler.timeout = timeout  # socketserver sets it on each connection's socket

    application = WebApp(app)
    app.store  # noqa: B018  (open and migrate before the first request, not in threads)
    application.confirmations.wake()
    return wsgi_server(host, port, application, server_class=Server, handler_class=Handler)
