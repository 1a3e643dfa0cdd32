"""`xinqu demo` on a fresh data folder: the whole cycle offline, and where the issue went."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scheduler.demo import SITES_DIR, demo_sources, real_hosts, serve_sites


def test_demo_sources_point_at_local_servers() -> None:
    from xinqu.app import App

    app = App()
    with serve_sites(["demo_trs"]) as hosts:
        sources = demo_sources(app, hosts)
        assert [s["name"] for s in sources] == ["demo_trs"]
        (url,) = sources[0]["list_urls"]
        assert url == f"http://{hosts['demo_trs']}/xwzx/index.html"
        import urllib.request

        with urllib.request.urlopen(url, timeout=10) as reply:
            assert "西咸新区秦创原总窗口" in reply.read().decode("utf-8")
    assert (SITES_DIR / "demo_trs").is_dir()


def test_demo_servers_answer_posts_and_keep_links_on_127_0_0_1() -> None:
    import urllib.request

    from xinqu.app import App

    app = App()
    with serve_sites(["pudong"], real_hosts(app, ["pudong"])) as hosts:
        (entry,) = demo_sources(app, hosts)
        api = f"http://{hosts['pudong']}/zwgk-search-front/api/data/affair"
        request = urllib.request.Request(api, data=b"{}", method="POST")
        with urllib.request.urlopen(request, timeout=10) as reply:
            body = reply.read().decode("utf-8")
            assert reply.headers["Content-Type"] == "application/json"
    assert f"http://{hosts['pudong']}/019020001/" in body.replace("\\/", "/")
    assert "pudong.gov.cn" not in body
    assert entry["max_pages"] == 1


@pytest.mark.slow
def test_demo_runs_the_cycle_and_prints_where_the_issue_is(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("XINQU_NOW", "XINQU_CONFIG")}
    data = tmp_path / "var"
    command = [sys.executable, "-m", "scheduler.cli", "--data", str(data), "demo"]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=120, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "clock at 2026-11-25T10:00:00+08:00" in out
    assert "demo_trs" in out and "build: issue" in out and "send:" in out
    printed = {
        line.split()[0]: Path(line.split(maxsplit=1)[1])
        for line in out.splitlines()
        if line.startswith("  ") and line.split()[0] in ("html", "text", "json", "eml", "editor")
    }
    assert set(printed) == {"html", "text", "json", "eml", "editor"}, out
    for path in printed.values():
        assert path.is_file() and path.is_relative_to(data / "demo")
    assert "西咸新区" in printed["text"].read_text("utf-8")
    assert "editor copy sent" in out
    assert "errors=0" in next(line for line in out.splitlines() if "nansha" in line)
