"""Benchmark: crawl fixture sites as a new user would, configured by nothing but their list URL.

    .venv/bin/python -m bench.sites bench/data/heldout11/sites
    .venv/bin/python -m bench.sites tests/fixtures/sites --only fx_laypage fx_english

Every folder of DIR that holds an ``expected.json`` (the held-out format: ``list_url``,
``now``, ``window_days``, ``articles`` with ``path``, ``title``, ``date``, ``in_window``)
or an ``expected_crawl.json`` naming its ``list_url`` (the fixture format: ``fresh``
with ``url``, ``title``, ``date``; ``old``) is served on its own 127.0.0.1 port and
crawled by ``xinqu crawl`` (a child process, the clock frozen at the site's ``now``)
with a config of ``name``, ``area``, ``site_name`` and ``list_urls`` only. Prints per
site and overall: in-window articles collected / expected, exact-headline rate and
exact-date rate (both over the expected in-window articles, a missing one counting as
wrong), and how many articles outside the window were fetched.

The server answers a path with the file at that path (a folder: its ``index.html``),
``<path>@<query>`` for a query when that file exists, and what ``routes.json`` maps:
``{"/list.jsp?page=2": "list_2.html"}`` for GETs, and ``{"POST /api/list.do":
{"pageIndex=1&pageSize=6": "list_1.html", "*": "empty.html"}}`` for POSTs, keyed by
the posted form (or JSON object) with its fields sorted (``"POST /api/list.do":
"file"`` answers every form with one file). ``list_urls`` may stand for ``list_url``;
an article without ``in_window`` is judged by its date, ``now`` and ``window_days``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo

import yaml

from xinqu.resources import shipped_config_dir
from xinqu.store import open_store
from xinqu.store.articles import Article

TZ = ZoneInfo("Asia/Shanghai")
DEFAULT_NOW = "2026-11-25T10:00:00+08:00"
HTML_SUFFIXES = (".html", ".htm", ".shtml", ".jsp", ".asp", ".aspx", ".php", ".do", ".jhtml")


@dataclass(frozen=True)
class Expected:
    """One article a site lists: its path (query included), headline, day, in the window."""

    path: str
    title: str
    date: str
    in_window: bool


@dataclass
class Site:
    name: str
    folder: Path
    list_urls: list[str]
    now: str
    window_days: int
    articles: list[Expected]


def _path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _in_window(day: str, now: str, window_days: int) -> bool:
    moment = datetime.fromisoformat(now)
    published = datetime.fromisoformat(day[:10]).replace(tzinfo=moment.tzinfo or TZ)
    return (moment - published).total_seconds() < window_days * 86400


def load_site(folder: Path) -> Site | None:
    """The site's expectations in either format; None when the folder has none."""
    held_out, fixture = folder / "expected.json", folder / "expected_crawl.json"
    data = json.loads(held_out.read_text("utf-8")) if held_out.is_file() else None
    if not (isinstance(data, dict) and "articles" in data and _list_urls(data)):
        data = json.loads(fixture.read_text("utf-8")) if fixture.is_file() else None
        if not (isinstance(data, dict) and "fresh" in data and _list_urls(data)):
            return None
        articles = [Expected(_path(e["url"]), e["title"], e["date"], True) for e in data["fresh"]]
        articles += [Expected(_path(url), "", "", False) for url in data.get("old", [])]
    else:
        now, days = data.get("now", DEFAULT_NOW), int(data.get("window_days", 30))
        articles = [
            Expected(
                _path(a.get("path") or a["url"]),
                a["title"],
                a["date"][:10],
                bool(a["in_window"]) if "in_window" in a else _in_window(a["date"], now, days),
            )
            for a in data["articles"]
        ]
    return Site(
        folder.name,
        folder,
        _list_urls(data),
        data.get("now", DEFAULT_NOW),
        int(data.get("window_days", 30)),
        articles,
    )


def _list_urls(data: dict[str, Any]) -> list[str]:
    """The list URL(s) as paths: ``list_url`` or ``list_urls``, a path or a full URL."""
    urls = data.get("list_urls") or ([data["list_url"]] if data.get("list_url") else [])
    return ["/" + _path(u if "://" in u else "http://x/" + u.lstrip("/")).lstrip("/") for u in urls]


def _form_key(body: bytes) -> str:
    text = body.decode("utf-8", "replace").strip()
    try:
        parsed = json.loads(text) if text.startswith("{") else None
    except ValueError:
        parsed = None
    pairs = (
        [(str(k), str(v)) for k, v in parsed.items()]
        if isinstance(parsed, dict)
        else parse_qsl(text, keep_blank_values=True)
    )
    return urlencode(sorted(pairs))


@dataclass
class SiteServer:
    """One site folder served on 127.0.0.1 (see the module docstring)."""

    folder: Path
    port: int = 0
    requests: list[str] = field(default_factory=list)
    routes: dict[str, Any] = field(default_factory=dict)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def resolve(self, method: str, target: str, body: bytes) -> Path | None:
        path, _, query = target.partition("?")
        if method == "POST":
            forms = self.routes.get(f"POST {target}", self.routes.get(f"POST {path}"))
            if isinstance(forms, str):
                return self.folder / forms
            if isinstance(forms, dict):
                name = forms.get(_form_key(body)) or forms.get("*")
                return self.folder / name if name else None
        if isinstance(mapped := self.routes.get(target), str):
            return self.folder / mapped
        file = self.folder / path.lstrip("/")
        if query and (file.parent / f"{file.name}@{query}").is_file():
            return file.parent / f"{file.name}@{query}"
        return file / "index.html" if file.is_dir() else file


def _handler(server: SiteServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._answer("GET", b"")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._answer("POST", self.rfile.read(max(length, 0)))

        def _answer(self, method: str, body: bytes) -> None:
            server.requests.append(f"{method} {self.path}")
            file = server.resolve(method, self.path, body)
            inside = file is not None and server.folder.resolve() in file.resolve().parents
            if file is None or not inside or not file.is_file():
                self.send_error(404)
                return
            data = file.read_bytes()
            name = file.name.split("@")[0]
            kind = "application/json" if name.endswith(".json") else "text/html"
            if not name.endswith((*HTML_SUFFIXES, ".json")):
                kind = "text/html" if data.lstrip()[:1] == b"<" else "application/octet-stream"
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def serve(folder: Path) -> Iterator[SiteServer]:
    """Serve one site folder until the block ends."""
    routes_file = folder / "routes.json"
    routes = json.loads(routes_file.read_text("utf-8")) if routes_file.is_file() else {}
    server = SiteServer(folder, routes=routes)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    server.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()


@dataclass
class Result:
    name: str
    expected: int
    collected: int
    headlines: int
    dates: int
    old_fetched: int
    misses: list[str]
    error: str = ""


def _config(folder: Path, site: Site, server: SiteServer) -> Path:
    config = folder / "config"
    config.mkdir()
    settings = {
        "crawl": {
            "download_delay": 0,
            "autothrottle": False,
            "retry_times": 1,
            "timeout_seconds": 10,
            "window_days": site.window_days,
        }
    }
    source = {
        "name": site.name.replace("-", "_"),
        "area": "新区",
        "site_name": f"{site.name} 官网",
        "list_urls": [server.url(url) for url in site.list_urls],
    }
    (config / "settings.yaml").write_text(yaml.safe_dump(settings), "utf-8")
    (config / "sources.yaml").write_text(
        yaml.safe_dump({"sources": [source]}, allow_unicode=True), "utf-8"
    )
    shutil.copy(shipped_config_dir() / "sections.yaml", config / "sections.yaml")
    return config


def crawl_site(site: Site) -> Result:
    """Serve and crawl one site, and compare what was stored with what it lists."""
    with tempfile.TemporaryDirectory() as work, serve(site.folder) as server:
        config = _config(Path(work), site, server)
        data = Path(work) / "data"
        env = {**os.environ, "XINQU_NOW": site.now}
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "scheduler.cli",
                "--config",
                str(config),
                "--data",
                str(data),
                "crawl",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
        stored: dict[str, Article] = {}
        if (data / "xinqu.db").is_file():
            store = open_store(f"sqlite:///{data / 'xinqu.db'}")
            try:
                with store.session() as session:
                    for article in session.query(Article):
                        session.expunge(article)
                        parts = urlsplit(article.url)
                        path = parts.path + (f"?{parts.query}" if parts.query else "")
                        stored[path] = article
            finally:
                store.dispose()
        requested = {r.split(" ", 1)[1] for r in server.requests}
    fresh = [a for a in site.articles if a.in_window]
    result = Result(site.name, len(fresh), 0, 0, 0, 0, [])
    if run.returncode != 0:
        result.error = (run.stderr.strip().splitlines() or ["crawl failed"])[-1]
    for want in fresh:
        got = stored.get(want.path)
        if got is None:
            result.misses.append(f"missing {want.path}")
            continue
        result.collected += 1
        day = got.published_at.astimezone(TZ).date().isoformat() if got.published_at else None
        result.headlines += got.title == want.title
        result.dates += day == want.date
        if got.title != want.title:
            result.misses.append(f"title {want.path}: {got.title!r} != {want.title!r}")
        if day != want.date:
            result.misses.append(f"date {want.path}: {day} != {want.date}")
    result.old_fetched = sum(
        1 for a in site.articles if not a.in_window and (a.path in requested or a.path in stored)
    )
    return result


def _rate(part: int, whole: int) -> str:
    return f"{part / whole:.3f}" if whole else "-"


def report(results: list[Result]) -> list[str]:
    lines = [f"{'site':<14} {'collected':>11} {'headline':>9} {'date':>6} {'old fetched':>12}"]
    for r in results:
        lines.append(
            f"{r.name:<14} {f'{r.collected}/{r.expected}':>11} {_rate(r.headlines, r.expected):>9}"
            f" {_rate(r.dates, r.expected):>6} {r.old_fetched:>12}"
        )
        lines += [f"    {miss}" for miss in r.misses]
        if r.error:
            lines.append(f"    crawl: {r.error}")
    expected = sum(r.expected for r in results)
    collected = sum(r.collected for r in results)
    lines.append(
        f"{'overall':<14} {f'{collected}/{expected}':>11} "
        f"{_rate(sum(r.headlines for r in results), expected):>9} "
        f"{_rate(sum(r.dates for r in results), expected):>6} "
        f"{sum(r.old_fetched for r in results):>12}"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dir", type=Path, help="a folder of site folders")
    parser.add_argument("--only", nargs="+", help="these site folders only")
    args = parser.parse_args()
    if not args.dir.is_dir():
        parser.exit(2, f"bench.sites: {args.dir} is not a folder\n")
    sites = []
    for folder in sorted(p for p in args.dir.iterdir() if p.is_dir()):
        if args.only and folder.name not in args.only:
            continue
        site = load_site(folder)
        if site is not None:
            sites.append(site)
    if not sites:
        parser.exit(2, f"bench.sites: no site folder with expectations in {args.dir}\n")
    started = datetime.now()
    results = [crawl_site(site) for site in sites]
    print("\n".join(report(results)))
    print(f"({len(sites)} sites in {(datetime.now() - started).seconds} s)")


if __name__ == "__main__":
    main()
