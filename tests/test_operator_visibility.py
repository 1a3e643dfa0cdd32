"""What the operator sees (issue 15.5, 15.8): sources checked when added, failures named
in one line, every reason `status --check` fails, quiet migrations, zoned times, no data
folder made by a read-only command, the scheduler's jobs on the console and in the log.

Real child processes of `xinqu` against fixture sites on 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import ROOT, run_xinqu
from test_service_processes import World, wait_for

pytestmark = pytest.mark.usefixtures("store_backend")

TRS_LIST = "xwzx/gzdt/index.html"
ZONED = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d ")


def add(config: Path, data: Path, name: str, url: str, *extra: str) -> Any:
    return run_xinqu(
        config,
        data,
        "sources",
        "add",
        "--name",
        name,
        "--area",
        "贵安新区",
        "--site-name",
        "贵安新区门户网站",
        "--list-url",
        url,
        *extra,
    )


def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_sources_add_checks_the_source_and_names_a_failure_in_one_line(
    site_server: Any, make_config: Any, frozen_now: str, tmp_path: Path
) -> None:
    trs = site_server("fx_trs", ("http://www.fxtrs.gov.cn",))
    config = make_config([])
    data = tmp_path / "data"

    good = add(config, data, "trs", trs.url(TRS_LIST))
    assert good.returncode == 0, good.stderr
    assert "trs  贵安新区 · 贵安新区门户网站  (generic)" in good.stdout, "what sources check shows"
    assert "problems: none" in good.stdout and "added trs to" in good.stdout

    nosuch = add(config, data, "other", trs.url(TRS_LIST), "--family", "nosuch")
    assert nosuch.returncode == 2
    assert "family: unknown family 'nosuch'" in one_line(nosuch.stderr)

    typo = add(config, data, "other", trs.url(TRS_LIST), "--family", "pudong", "--option", "x=1")
    assert typo.returncode == 2
    assert "family_options" in one_line(typo.stderr) and "unknown key" in typo.stderr

    dead = add(config, data, "gone", trs.url("no/such/list.html"))
    assert dead.returncode == 2
    line = one_line(dead.stderr)
    assert line.startswith("xinqu: source gone not added: ") and "404" in line
    assert "--offline" in line and "Traceback" not in dead.stdout

    names = [s["name"] for s in yaml.safe_load((config / "sources.yaml").read_text())["sources"]]
    assert names == ["trs"], "nothing failing was added"
    offline = add(config, data, "gone", trs.url("no/such/list.html"), "--offline")
    assert offline.returncode == 0, offline.stderr


def test_crawl_names_the_failed_source_and_status_check_says_every_reason(
    site_server: Any, make_config: Any, frozen_now: str, tmp_path: Path
) -> None:
    trs = site_server("fx_trs", ("http://www.fxtrs.gov.cn",))
    source = {"area": "贵安新区", "site_name": "贵安新区门户网站"}
    config = make_config(
        [
            {"name": "trs", **source, "list_urls": [trs.url(TRS_LIST)]},
            {"name": "gone", **source, "list_urls": [trs.url("no/such/list.html")]},
        ]
    )
    data = tmp_path / "data"
    crawled = run_xinqu(config, data, "crawl")
    assert crawled.returncode == 1, crawled.stdout + crawled.stderr
    assert "xinqu: 1 of 2 sources failed: gone (failed)" in crawled.stderr
    assert "Traceback" not in crawled.stdout + crawled.stderr

    status = run_xinqu(config, data, "status", "--check")
    assert status.returncode == 1
    reasons = status.stdout[status.stdout.index("check failed") :].splitlines()
    assert "  - no scheduler is running (start `xinqu scheduler`)" in reasons
    assert re.search(r"\b\d{4}-\d\d-\d\d \d\d:\d\d\+08:00 ", status.stdout), "zoned times"

    log = (data / "logs" / "xinqu.log").read_text("utf-8").splitlines()
    assert log and all(ZONED.match(line) for line in log if line[:2] == "20")
    assert not [line for line in log if "alembic" in line], "no migration chatter"
    assert sum("migrated the database" in line for line in log) == 1


def _bare(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("XINQU_DATA", "XINQU_CONFIG")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "scheduler.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.sqlite_only
def test_read_only_commands_say_where_they_looked_and_create_nothing(tmp_path: Path) -> None:
    for command in (["status"], ["articles", "list"], ["digest", "list"]):
        result = _bare(tmp_path, *command)
        assert result.returncode == 2, (command, result.stderr)
        assert one_line(result.stderr) == (
            f"xinqu: no data folder at {tmp_path / 'var'} (no xinqu.db there): run in the "
            "folder that holds it, or give --data DIR (or XINQU_DATA)"
        )
        assert not (tmp_path / "var").exists()
    added = _bare(tmp_path, "subscribers", "add", "reader@example.org")
    assert added.returncode == 0, added.stderr
    assert added.stderr.splitlines()[0] == "xinqu: created data folder var"
    again = _bare(tmp_path, "subscribers", "add", "other@example.org")
    assert "created data folder" not in again.stderr


def test_the_scheduler_logs_each_jobs_start_and_result_to_console_and_log(
    site_server: Any, make_config: Any, frozen_now: str, tmp_path: Path
) -> None:
    site = site_server("demo_trs")
    never = f"0 0 {(time.localtime().tm_hour + 12) % 24} * * *"
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
        schedule={"crawl": never, "issue": never, "lock_ttl_seconds": 6},
        crawl={"stop_grace_seconds": 2},
    )
    w = World(config, tmp_path / "data")
    try:
        w.reschedule(crawl=w.soon(4))
        console = (tmp_path / "console.out").open("w")
        proc = subprocess.Popen(
            w.cli("scheduler"), stdout=console, stderr=subprocess.STDOUT, text=True
        )
        w.procs.append(proc)
        out = tmp_path / "console.out"
        wait_for(lambda: "job crawl finished" in out.read_text("utf-8"), 90 + w.lead, "the job")
        assert w.stop(proc) == 0
        console.close()
        shown = out.read_text("utf-8")
        for text in (
            "job crawl started",
            "crawl started (pid",
            "crawl finished in",
            "process: started",
            "process: done in",
            "job crawl finished in",
        ):
            assert text in shown, shown
            assert text in w.log()
    finally:
        w.close()
