"""`xinqu run-once`: every step reported; a second run never sends the same issue again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.usefixtures("store_backend")


def test_run_once_reports_each_step_and_sends_at_most_once(
    site_server, make_config, frozen_now, tmp_path: Path
) -> None:
    site = site_server("demo_trs")
    config = make_config(
        [
            {
                "name": "demo_trs",
                "area": "西咸新区",
                "site_name": "西咸新区官网",
                "list_urls": [site.url("xwzx/index.html")],
                "obey_robots": False,
            }
        ]
    )
    data = tmp_path / "data"
    base = [sys.executable, "-m", "scheduler.cli", "--config", str(config), "--data", str(data)]

    def xinqu(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*base, *args], capture_output=True, text=True, timeout=120, check=False
        )

    assert xinqu("subscribers", "add", "reader@example.org").returncode == 0
    first = xinqu("run-once")
    assert first.returncode == 0, first.stderr
    steps = [line.split(":")[0] for line in first.stdout.splitlines() if not line.startswith(" ")]
    assert steps[0] == "crawl" and {"process", "build", "send"} <= set(steps), first.stdout
    assert "demo_trs" in first.stdout and "new=2" in first.stdout
    outbox = sorted((data / "outbox").rglob("*.eml"))
    assert len(outbox) == 1

    second = xinqu("run-once")
    assert second.returncode == 0, second.stderr
    assert "was already sent" in second.stdout
    assert sorted((data / "outbox").rglob("*.eml")) == outbox
