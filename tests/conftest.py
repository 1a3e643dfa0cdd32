"""Shared test fixtures: a real HTTP server for fixture sites, config folders, a fixed clock."""

from __future__ import annotations

import contextlib
import gc
import os
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
import yaml
from sqlalchemy import create_engine, text
from support import FIXTURES, FROZEN_NOW, REAL_PAGES, SHARED, SITES

from xinqu.app import App
from xinqu.store.base import DATABASE_URL_ENV, Store, resolve_database_url

__all__ = ["FIXTURES", "FROZEN_NOW", "REAL_PAGES", "SHARED", "SITES"]


@dataclass
class SiteServer:
    """One fixture site served over real HTTP on its own 127.0.0.1 port.

    The site's root is ``tests/fixtures/sites/<name>/``, so root-relative links in
    fixture pages work as on the real site. Tests may add ``routes`` (path ->
    callable returning (status, headers, body)) for 404s, flaky 500s, robots.txt
    and the like; every request path is logged in ``requests``.

    A page with a query string is the file ``<path>@<query>`` (``list.asp@page=2``)
    when there is one, else the file at the path (the query ignored, as a static server does).
    ``origins``: absolute links to these real origins (``http://www.fx.gov.cn``) are
    rewritten to this server when a page is served, as if it were the real site.
    """

    name: str
    root: Path
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[str] = field(default_factory=list)
    routes: dict[str, Callable[[], tuple[int, dict[str, str], bytes]]] = field(default_factory=dict)
    origins: tuple[str, ...] = ()
    posts: list[str] = field(default_factory=list)
    #: time.monotonic() of each request, in the order of ``requests``.
    arrivals: list[float] = field(default_factory=list)

    def url(self, path: str = "") -> str:
        return f"http://{self.host}:{self.port}/{path.lstrip('/')}"

    def localize(self, url: str) -> str:
        """A real site's URL rewritten to this server (same path and query)."""
        parts = urlsplit(url)
        return urlunsplit(("http", f"{self.host}:{self.port}", parts.path, parts.query, ""))


def _handler(server: SiteServer) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            """Logged as ``POST <path>`` (form in ``posts``) and answered as a GET would be."""
            length = int(self.headers.get("Content-Length") or 0)
            server.posts.append(self.rfile.read(length).decode("latin-1"))
            self.do_GET(logged=f"POST {self.path}")

        def do_GET(self, logged: str | None = None) -> None:
            server.arrivals.append(time.monotonic())
            server.requests.append(logged or self.path)
            route = server.routes.get(self.path.split("?")[0])
            if route is not None:
                status, headers, body = route()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            path, _, query = self.path.partition("?")
            file = server.root / path.lstrip("/")
            if query and (file.parent / f"{file.name}@{query}").is_file():
                file = file.parent / f"{file.name}@{query}"
            elif file.is_dir():
                file = file / "index.html"
            if not file.is_file() or server.root not in file.resolve().parents:
                self.send_error(404)
                return
            body = file.read_bytes()
            for origin in server.origins:
                body = body.replace(origin.encode(), server.url().rstrip("/").encode())
            self.send_response(200)
            kind = self.guess_type(str(file))
            if file.name.split("@")[0].endswith((".asp", ".aspx", ".jsp", ".php", ".htm")):
                kind = "text/html"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def site_server() -> Iterator[Callable[..., SiteServer]]:
    """Factory: ``site_server("name")`` serves tests/fixtures/sites/name/ until teardown."""
    running: list[ThreadingHTTPServer] = []

    def start(name: str, origins: tuple[str, ...] = ()) -> SiteServer:
        server = SiteServer(name=name, root=SITES / name, origins=origins)
        handler = partial(_handler(server), directory=str(server.root))
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.port = httpd.server_address[1]
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        running.append(httpd)
        return server

    yield start
    for httpd in running:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> str:
    """Freeze the product's clock (xinqu.clock) at the fixture capture date."""
    monkeypatch.setenv("XINQU_NOW", FROZEN_NOW)
    return FROZEN_NOW


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., Path]:
    """Write a config folder: shipped sections, fast crawl settings, given sources."""

    def make(sources: list[dict[str, Any]], **settings: Any) -> Path:
        folder = tmp_path / "config"
        folder.mkdir(exist_ok=True)
        base: dict[str, Any] = {
            "crawl": {
                "download_delay": 0,
                "autothrottle": False,
                "retry_times": 2,
                "timeout_seconds": 10,
            },
        }
        for key, value in settings.items():
            base[key] = {**base.get(key, {}), **value} if isinstance(value, dict) else value
        (folder / "settings.yaml").write_text(yaml.safe_dump(base, allow_unicode=True), "utf-8")
        (folder / "sources.yaml").write_text(
            yaml.safe_dump({"sources": sources}, allow_unicode=True), "utf-8"
        )
        shipped = Path(__file__).resolve().parents[1] / "config" / "sections.yaml"
        (folder / "sections.yaml").write_text(shipped.read_text("utf-8"), "utf-8")
        return folder

    return make


#: The PostgreSQL the store tests also run against, when set (scripts/test sets it when
#: a server answers on 127.0.0.1:5432). A URL an admin can CREATE SCHEMA with.
POSTGRES_ENV = "XINQU_TEST_POSTGRES_URL"


@contextlib.contextmanager
def fresh_postgres_schema(admin_url: str) -> Iterator[str]:
    """A database URL whose connections live in a new schema, dropped afterwards.

    Its connections carry the schema's name as ``application_name``, so whatever a
    test left open (a child process's pool, an app not closed) is ended before the
    drop instead of making it wait.
    """
    schema = f"xq_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:
        admin.dispose()
        pytest.fail(f"{POSTGRES_ENV}={admin_url}: cannot create a schema there: {exc}")
    joiner = "&" if "?" in admin_url else "?"
    try:
        yield f"{admin_url}{joiner}options=-csearch_path%3D{schema}&application_name={schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": schema},
            )
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A database URL on the test PostgreSQL in a fresh schema; skips unless one is set."""
    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        pytest.skip(f"no PostgreSQL for the tests: {POSTGRES_ENV} is not set")
    with fresh_postgres_schema(admin_url) as url:
        yield url


@dataclass(frozen=True)
class StoreBackend:
    """The database a store test runs on: the data folder's SQLite file, or PostgreSQL.

    The ``store_backend`` fixture puts a PostgreSQL URL in ``XINQU_DATABASE_URL``, so
    every command, child process and ``App`` of the test uses it as a user's would.
    """

    name: str
    database_url: str | None = None

    def url(self, data_dir: Path) -> str:
        return resolve_database_url(data_dir, self.database_url)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that uses ``store_backend`` runs on SQLite, and on PostgreSQL when
    ``XINQU_TEST_POSTGRES_URL`` is set."""
    if "store_backend" in metafunc.fixturenames:
        on_postgres = os.environ.get(POSTGRES_ENV) and not metafunc.definition.get_closest_marker(
            "sqlite_only"
        )
        names = ["sqlite"] + (["postgresql"] if on_postgres else [])
        metafunc.parametrize("store_backend", names, indirect=True)


@pytest.fixture
def store_backend(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[StoreBackend]:
    if request.param == "sqlite":
        monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
        yield StoreBackend("sqlite")
        return
    with fresh_postgres_schema(os.environ[POSTGRES_ENV]) as url:
        monkeypatch.setenv(DATABASE_URL_ENV, url)
        yield StoreBackend("postgresql", url)
        _close_left_open(url)


def _close_left_open(url: str) -> None:
    """Close the apps and stores a test left open on ``url``'s database.

    A command closes its store as it ends; a test that builds an ``App`` or opens a
    store by hand often does not, and on SQLite nothing tells. psycopg warns when a
    connection is collected unclosed — at some later test, made an error by
    ``filterwarnings = error`` — so they are closed here, where the test ends.
    """
    for thing in gc.get_objects():
        if isinstance(thing, App) and "store" in thing.__dict__ and thing.store.url == url:
            thing.close()
        elif isinstance(thing, Store) and thing.url == url:
            thing.dispose()
    # What no App or Store holds (a pool inside a library's own objects) goes now, while
    # this test is the one running: its unclosed connections are not a later test's error.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@pytest.fixture(autouse=True)
def _no_outside_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own XINQU_DATABASE_URL never reaches a test (store_backend sets its own)."""
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
