"""`xinqu demo`: the whole cycle against the bundled fixture sites, offline.

Each fixture site (``tests/fixtures/sites/<name>/``, laid out like the real
site) is served on its own 127.0.0.1 port; a configuration is generated under
``<data>/demo/config`` whose sources are the shipped ones that have a fixture
site (their list URLs rewritten to the local servers) plus the generic demo
sites; mail goes to the outbox. The product's clock is frozen at the fixtures'
capture date unless ``XINQU_NOW`` is already set. The demo keeps all its state
in ``<data>/demo/``, apart from the user's own database, and starts afresh there
on every run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import yaml

from scheduler.steps import run_cycle
from xinqu.app import App
from xinqu.errors import XinquError
from xinqu.store.issues import UNSUBSCRIBE_PLACEHOLDER, issue_by_id
from xinqu.store.locks import Lease

#: The fixture sites, package data (the repository's ``tests/fixtures/sites/``).
SITES_DIR = Path(str(files("scheduler.demo_sites")))
#: The fixture world's capture date (the same as tests/conftest.py FROZEN_NOW).
DEMO_NOW = "2026-11-25T10:00:00+08:00"
DEMO_READER = "reader@example.org"
DEMO_EDITOR = "editor@example.org"
MARKER = ".xinqu-demo"

#: Fixture sites that are not shipped sources: their real list URLs and identity.
EXTRA_SOURCES: dict[str, dict[str, Any]] = {
    "demo_trs": {
        "area": "西咸新区",
        "site_name": "西咸新区官网",
        "list_urls": ["http://www.xixianxinqu.gov.cn/xwzx/index.html"],
        "obey_robots": False,
    },
}


@dataclass
class DemoResult:
    data_dir: Path
    files: list[tuple[str, Path]] = field(default_factory=list)
    eml: list[Path] = field(default_factory=list)


class _SiteHandler(SimpleHTTPRequestHandler):
    """Serves a fixture site's files; links to the real site's host point back here.

    Fixture pages and list APIs may carry absolute URLs of the real site; those
    are rewritten to this server, so the demo never leaves 127.0.0.1. A POST (a
    list API) gets the file at its path.
    """

    real_hosts: tuple[str, ...] = ()

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.do_GET()

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            return
        body = self._rewrite(path.read_bytes())
        self.send_response(200)
        self.send_header("Content-Type", self._type(path, body))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _rewrite(self, body: bytes) -> bytes:
        server = self.server
        assert isinstance(server, ThreadingHTTPServer)
        local = f"127.0.0.1:{server.server_port}".encode()
        for host in self.real_hosts:
            name = host.encode()
            for scheme in (b"https://", b"http://", b"https:\\/\\/", b"http:\\/\\/"):
                body = body.replace(scheme + name, scheme.replace(b"https", b"http") + local)
        return body

    def _type(self, path: Path, body: bytes) -> str:
        if not path.suffix and body.lstrip()[:1] in (b"{", b"["):
            return "application/json"
        return self.guess_type(str(path))


@contextmanager
def serve_sites(
    names: list[str], real_hosts: dict[str, tuple[str, ...]] | None = None
) -> Iterator[dict[str, str]]:
    """Serve each fixture site on its own 127.0.0.1 port; yields name -> host:port."""
    servers: list[ThreadingHTTPServer] = []
    hosts: dict[str, str] = {}
    try:
        for name in names:
            handler_class = type(
                "Handler",
                (_SiteHandler,),
                {"real_hosts": (real_hosts or {}).get(name, ())},
            )
            handler = partial(handler_class, directory=str(SITES_DIR / name))
            httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
            httpd.daemon_threads = True
            servers.append(httpd)
            threading.Thread(target=httpd.serve_forever, daemon=True).start()
            hosts[name] = f"127.0.0.1:{httpd.server_address[1]}"
        yield hosts
    finally:
        for httpd in servers:
            httpd.shutdown()
            httpd.server_close()


def real_hosts(app: App, names: list[str]) -> dict[str, tuple[str, ...]]:
    """Each fixture site's real host names (from its source's list URLs)."""
    shipped = {s.name: s.urls for s in app.config.sources}
    out: dict[str, tuple[str, ...]] = {}
    for name in names:
        urls = shipped.get(name) or EXTRA_SOURCES.get(name, {}).get("list_urls", [])
        out[name] = tuple(sorted({urlsplit(u).hostname or "" for u in urls} - {""}))
    return out


def _localize(url: str, host: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("http", host, parts.path, parts.query, ""))


def _fixture_file(root: Path, url: str) -> Path:
    """The file a real URL maps to: same path; a folder URL means its index.html."""
    path = urlsplit(url).path
    if not path or path.endswith("/"):
        path += "index.html"
    return root / path.lstrip("/")


def demo_sources(app: App, hosts: dict[str, str]) -> list[dict[str, Any]]:
    """The shipped sources that have a fixture site, plus the extra demo sites, localized."""
    out: list[dict[str, Any]] = []
    shipped = {s.name: s for s in app.config.sources}
    for name, host in hosts.items():
        if name in shipped:
            entry = shipped[name].model_dump(mode="json", exclude_none=True)
            entry["enabled"] = True
        elif name in EXTRA_SOURCES:
            entry = {"name": name, **EXTRA_SOURCES[name]}
        else:
            continue
        root = SITES_DIR / name
        mirrored = [u for u in entry["list_urls"] if _fixture_file(root, u).is_file()]
        entry["list_urls"] = [_localize(u, host) for u in mirrored or entry["list_urls"][:1]]
        entry["max_pages"] = 1  # fixture sites hold the first list page only
        out.append(entry)
    return out


def write_config(app: App, folder: Path, sources: list[dict[str, Any]]) -> None:
    settings = app.config.settings
    mail = settings.mail
    data = {
        "timezone": settings.timezone,
        "bulletin": settings.bulletin.model_dump(mode="json"),
        "digest": settings.digest.model_dump(mode="json"),
        "crawl": {
            "download_delay": 0,
            "autothrottle": False,
            "timeout_seconds": 10,
            "retry_times": 1,
            "hang_timeout_seconds": 300,
        },
        "mail": {
            "transport": "outbox",
            "from": mail.from_,
            "reply_to": mail.reply_to,
            "editor": mail.editor or DEMO_EDITOR,
        },
        "web": {"base_url": str(settings.web.base_url)},
    }
    folder.mkdir(parents=True, exist_ok=True)

    def dump(value: object) -> str:
        return yaml.safe_dump(value, allow_unicode=True, sort_keys=False)

    (folder / "settings.yaml").write_text(dump(data), "utf-8")
    (folder / "sources.yaml").write_text(dump({"sources": sources}), "utf-8")
    (folder / "sections.yaml").write_text(
        (app.config.directory / "sections.yaml").read_text("utf-8"), "utf-8"
    )


def _fresh_folder(folder: Path) -> None:
    if folder.exists():
        if not (folder / MARKER).exists():
            raise XinquError(f"{folder} exists and was not made by `xinqu demo`; move it away")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / MARKER).write_text("made by xinqu demo; deleted by the next demo run\n", "utf-8")


def _add_reader(demo: App) -> str | None:
    """Subscribe the demo reader through the stable CLI; returns a reason on failure."""
    command = [sys.executable, "-m", "scheduler.cli"]
    command += ["--config", str(demo.config.directory), "--data", str(demo.data_dir)]
    command += ["subscribers", "add", DEMO_READER]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        return (result.stderr.strip().splitlines() or ["failed"])[-1]
    return None


def write_issue_files(demo: App, issue_id: int, folder: Path) -> list[tuple[str, Path]]:
    """The issue as HTML, text and JSON files (the reader's unsubscribe link as '#')."""

    with demo.store.session() as session:
        issue = issue_by_id(session, issue_id)
        if issue is None:
            raise XinquError(f"issue id {issue_id} is not in the demo database")
        folder.mkdir(parents=True, exist_ok=True)
        stem = folder / f"issue-{issue.number}"
        html = stem.with_suffix(".html")
        html.write_text(issue.html.replace(UNSUBSCRIBE_PLACEHOLDER, "#"), "utf-8")
        text = stem.with_suffix(".txt")
        text.write_text(issue.text.replace(UNSUBSCRIBE_PLACEHOLDER, "#"), "utf-8")
        content = stem.with_suffix(".json")
        parsed = json.loads(issue.content)
        content.write_text(json.dumps(parsed, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return [("html", html), ("text", text), ("json", content)]


def run_demo(
    app: App,
    *,
    stop: threading.Event | None = None,
    verbose: int = 0,
    report: Callable[[str], None] = print,
) -> DemoResult:

    if not SITES_DIR.is_dir():
        raise XinquError(f"{SITES_DIR}: the fixture sites are missing (reinstall xinqu-digest)")
    names = sorted(p.name for p in SITES_DIR.iterdir() if p.is_dir())
    folder = app.data_dir / "demo"
    _fresh_folder(folder)
    frozen = "XINQU_NOW" not in os.environ
    if frozen:
        os.environ["XINQU_NOW"] = DEMO_NOW
    try:
        with serve_sites(names, real_hosts(app, names)) as hosts:
            sources = demo_sources(app, hosts)
            if not sources:
                raise XinquError(f"no fixture site in {SITES_DIR} matches a source")
            write_config(app, folder / "config", sources)
            demo = App(config_dir=folder / "config", data_dir=folder)
            try:
                report(
                    f"demo: {len(sources)} fixture sites on 127.0.0.1, "
                    f"clock at {os.environ['XINQU_NOW']}"
                )
                problem = _add_reader(demo)
                report(
                    f"subscribers: {DEMO_READER}" + (f" not added ({problem})" if problem else "")
                )
                lease = Lease(demo.store, ttl=demo.config.settings.schedule.lock_ttl_seconds)
                try:
                    outcome = run_cycle(
                        demo, lease=lease, stop=stop, verbose=verbose, report=report
                    )
                finally:
                    lease.close()
                result = DemoResult(folder)
                if outcome.issue is not None and outcome.issue.issue_id is not None:
                    result.files = write_issue_files(demo, outcome.issue.issue_id, folder / "issue")
                result.eml = sorted(demo.outbox_dir.rglob("*.eml"))
                return result
            finally:
                demo.close()
    finally:
        if frozen:
            os.environ.pop("XINQU_NOW", None)
