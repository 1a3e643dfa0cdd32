"""A careless operator's configuration and files: one clear line each, never a traceback.

Real `xinqu` processes with a duplicated YAML key, a bad ``database_url``, a
malformed ``XINQU_NOW``, an unknown key (whose message must name a file that
exists), and subscriber CSV files with blank lines, duplicates and a U+2028 in a name.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from faultkit import ROOT, write_config


def _xinqu(config: Path, data: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "scheduler.cli",
            "--config",
            str(config),
            "--data",
            str(data),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **env},
    )


def _one_line(run: subprocess.CompletedProcess[str]) -> str:
    lines = run.stderr.strip().splitlines()
    assert run.returncode == 2 and len(lines) == 1, run.stderr
    assert "Traceback" not in run.stderr
    return lines[0]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path / "config", 25)


def test_a_key_given_twice_in_settings_is_an_error_not_a_silent_last_wins(config, tmp_path):
    settings = config / "settings.yaml"
    settings.write_text(
        "mail:\n  transport: smtp\n  editor: editor@example.org\nmail:\n  retries: 2\n", "utf-8"
    )
    line = _one_line(_xinqu(config, tmp_path / "d", "status"))
    assert f"{settings}: line 4" in line and "'mail' appears twice (lines 1 and 4)" in line
    settings.write_text("mail:\n  transport: smtp\n  transport: outbox\n", "utf-8")
    line = _one_line(_xinqu(config, tmp_path / "d", "status"))
    assert "'transport' appears twice" in line


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("nonsense", "is not a database URL"),
        ("postgresql+nodriver://u:secret@127.0.0.1/x", "cannot open the database"),
        ("sqlite:////dev/null/x.db", "cannot open the database"),
    ],
)
def test_a_bad_database_url_is_one_line(config, tmp_path, url, expected):
    (config / "settings.yaml").write_text(f"database_url: {url!r}\n", "utf-8")
    line = _one_line(_xinqu(config, tmp_path / "d", "status"))
    assert expected in line and "secret" not in line


@pytest.mark.parametrize("value", ["bad", "2026-11-25T09:00:00", "2026-13-45T00:00:00+08:00"])
def test_a_malformed_xinqu_now_is_one_line(config, tmp_path, value):
    line = _one_line(_xinqu(config, tmp_path / "d", "status", XINQU_NOW=value))
    assert "XINQU_NOW" in line and "+08:00" in line


def test_an_unknown_key_points_to_a_file_that_exists(config, tmp_path):
    (config / "settings.yaml").write_text("mail:\n  trnsport: smtp\n", "utf-8")
    line = _one_line(_xinqu(config, tmp_path / "d", "status"))
    assert "mail.trnsport: unknown key" in line and "product.md" not in line
    named = re.findall(r"(?:docs|config)/[\w./-]+\.(?:md|yaml)", line)
    assert named and all((ROOT / name).is_file() for name in named), named


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "readers.csv"
    path.write_text(text, "utf-8")
    return path


def test_import_names_the_right_lines_after_blank_ones_and_reports_duplicates(config, tmp_path):
    path = _csv(
        tmp_path,
        "email,name,sections\n\na@example.org,甲,\n\n\nnot-an-address,乙,\nA@Example.org,再,\n",
    )
    run = _xinqu(config, tmp_path / "d", "subscribers", "import", str(path))
    assert run.returncode == 2, run.stderr
    assert f"{path}:6: 'not-an-address'" in run.stderr
    assert f"{path}:7: a@example.org is already on line 3" in run.stderr
    assert "2 invalid row(s); nothing imported" in run.stderr


def test_a_name_with_a_line_separator_imports_as_one_line(config, tmp_path):
    path = _csv(tmp_path, 'email,name,sections\nc@example.org,"丙\u2028丁",\n')
    run = _xinqu(config, tmp_path / "d", "subscribers", "import", str(path))
    assert run.returncode == 0 and "added 1" in run.stdout, run.stderr
    listed = _xinqu(config, tmp_path / "d", "subscribers", "list").stdout
    assert "丙 丁" in listed and "\u2028" not in listed
