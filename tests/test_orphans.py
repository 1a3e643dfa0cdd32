"""A crawl child dies with the process that started it (a scheduler SIGKILLed mid-crawl)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from xinqu.store import open_store
from xinqu.store.articles import CrawlRun, SourceRun
from xinqu.store.base import resolve_database_url

pytestmark = pytest.mark.usefixtures("store_backend")

PARENT = """
import subprocess, sys, time
from xinqu.app import App
from scheduler.orphans import child_env
from scheduler.steps import crawl_command
from xinqu.store.base import resolve_database_url
from pathlib import Path

app = App(config_dir=Path(sys.argv[1]), data_dir=Path(sys.argv[2]))
child = subprocess.Popen(crawl_command(app), env=child_env(1.0), start_new_session=True)
print(child.pid, flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    return stat.split(")")[-1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process state from /proc")
def test_crawl_child_stops_when_its_parent_is_killed(
    site_server, make_config, frozen_now, tmp_path: Path
) -> None:
    site = site_server("demo_trs")

    def slow_list() -> tuple[int, dict[str, str], bytes]:
        time.sleep(40)
        return 200, {"Content-Type": "text/html; charset=utf-8"}, b"<html></html>"

    site.routes["/xwzx/index.html"] = slow_list
    config = make_config(
        [
            {
                "name": "demo_trs",
                "area": "西咸新区",
                "site_name": "西咸新区官网",
                "list_urls": [site.url("xwzx/index.html")],
                "obey_robots": False,
            }
        ],
        crawl={"timeout_seconds": 60, "retry_times": 0},
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(config), str(tmp_path / "data")],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    with parent.stdout:
        line = parent.stdout.readline()
    if not line:
        parent.wait(timeout=10)
        pytest.fail(f"the parent process exited ({parent.returncode}) before starting a crawl")
    child = int(line)
    deadline = time.monotonic() + 25
    while "/xwzx/index.html" not in site.requests and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _alive(child), "the crawl child should be running while its parent lives"
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.2)
    try:
        assert not _alive(child), "the crawl child outlived its killed parent"
    finally:
        if _alive(child):
            os.kill(child, signal.SIGKILL)
    # It stopped the way the scheduler would have stopped it: the run is on record.
    store = open_store(resolve_database_url(tmp_path / "data"))
    try:
        with store.session() as session:
            runs = [(r.source, r.status) for r in session.query(SourceRun)]
            crawls = [r.finished_at is not None for r in session.query(CrawlRun)]
    finally:
        store.dispose()
    assert runs == [("demo_trs", "interrupted")]
    assert crawls == [True]
