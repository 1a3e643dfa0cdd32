"""`xinqu sources new NAME URL` against a fixture site on 127.0.0.1: it captures the list
and two articles at their real paths, adds the entry and writes a test that fails until
its expected values are filled in (and passes once they are)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import test_source_guian as guian
from support import SITES, run_xinqu

from xinqu.config import load_config

ANTIBOT = Path(__file__).parent / "fixtures" / "antibot"
LIST_PATH = "xwdt/gayw/index.html"
ARTICLE_PATHS = [
    "xwdt/gayw/202611/t20261120_90229871.html",
    "xwdt/gayw/202611/t20261124_90231456.html",
]


def shipped_style_config(make_config) -> Path:
    """A config folder whose sources.yaml is indented like the shipped one."""
    config = make_config([])
    (config / "sources.yaml").write_text(
        "sources:\n  - name: teda\n    area: 滨海新区\n    site_name: 泰达官网\n"
        "    list_urls:\n      - https://www.teda.gov.cn/channels/3961.html\n",
        "utf-8",
    )
    return config


def run_pytest(test_file: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=test_file.parent,
        env=env,
        check=False,
    )


def fill_in(text: str, local: str) -> str:
    """What an editor does: write down what the pages show (here: guian's known values)."""
    for url, expected in guian.ARTICLES.items():
        mine = url.replace("https://www.gaxq.gov.cn", local)
        text = re.sub(
            rf'("{re.escape(mine)}",\n\s+)\{{[^}}]*\}}', lambda m, e=expected: m[1] + repr(e), text
        )
    for url, title, published in guian.entries(guian.CASE.list_page(guian.LIST_URL)):
        mine = url.replace("https://www.gaxq.gov.cn", local)
        text = text.replace(
            f'"{mine}",\n        TODO,\n        TODO,', f'"{mine}", {title!r}, {published!r},'
        )
    return text


def test_sources_new_captures_a_site_and_writes_a_failing_test(
    site_server, make_config, frozen_now, tmp_path
):
    site = site_server("guian")
    config = shipped_style_config(make_config)
    tests_dir = tmp_path / "tests"
    tests_dir.mkdir()
    url = site.url(LIST_PATH)
    result = run_xinqu(
        config, tmp_path / "data", "sources", "new", "guian2", url, "--family", "trs",
        "--tests-dir", str(tests_dir),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr

    source = load_config(config).source("guian2")
    assert (source.area, source.site_name, source.family, source.urls) == (
        "贵安新区",
        "贵安新区",
        "trs",
        [url],
    )
    root = tests_dir / "fixtures" / "sites" / "guian2"
    captured = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert captured == sorted([LIST_PATH, *ARTICLE_PATHS])
    for path in captured:
        assert (root / path).read_bytes() == (SITES / "guian" / path).read_bytes()

    test_file = tests_dir / "test_source_guian2.py"
    ruff = [sys.executable, "-m", "ruff"]
    assert subprocess.run([*ruff, "check", "-q", str(test_file)], check=False).returncode == 0
    assert subprocess.run([*ruff, "format", "--check", "-q", str(test_file)]).returncode == 0
    unfilled = run_pytest(test_file)
    assert unfilled.returncode == 1
    assert "9 failed" in unfilled.stdout

    local = site.url().rstrip("/")
    test_file.write_text(fill_in(test_file.read_text("utf-8"), local), "utf-8")
    filled = run_pytest(test_file)
    assert filled.returncode == 0, filled.stdout
    assert "9 passed" in filled.stdout


def test_sources_new_reports_a_blocked_site_and_writes_nothing(
    site_server, make_config, frozen_now, tmp_path
):
    site = site_server("ruishu")
    body = (ANTIBOT / "ruishu_412.html").read_bytes()
    site.routes["/index.html"] = lambda: (412, {"Content-Type": "text/html"}, body)
    config = shipped_style_config(make_config)
    before = (config / "sources.yaml").read_bytes()
    tests_dir = tmp_path / "tests"
    tests_dir.mkdir()
    result = run_xinqu(
        config, tmp_path / "data", "sources", "new", "pd", site.url("index.html"),
        "--area", "浦东新区", "--tests-dir", str(tests_dir),
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"xinqu: {site.url('index.html')} answered with a ruishu anti-bot challenge "
        "(HTTP 412); save the pages from a browser into the fixture folder instead"
    )
    assert (config / "sources.yaml").read_bytes() == before
    assert list(tests_dir.iterdir()) == []
