"""Which database a command works on: the environment's URL, settings', or the data folder's."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from xinqu.app import App
from xinqu.store.base import DATABASE_URL_ENV


def test_the_environment_wins_over_settings(
    make_config: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured = f"sqlite:///{tmp_path / 'configured.db'}"
    from_env = f"sqlite:///{tmp_path / 'secret.db'}"
    app = App(config_dir=make_config([], database_url=configured), data_dir=tmp_path / "var")
    assert app.database_url == configured
    monkeypatch.setenv(DATABASE_URL_ENV, from_env)
    assert app.database_url == from_env
    assert app.has_data


def test_without_either_the_data_folder_holds_the_store(
    make_config: Callable[..., Path], tmp_path: Path
) -> None:
    app = App(config_dir=make_config([]), data_dir=tmp_path / "var")
    assert app.database_url == f"sqlite:///{(tmp_path / 'var' / 'xinqu.db').resolve()}"
    assert not app.has_data


def test_a_command_uses_the_environments_database(
    make_config: Callable[..., Path], tmp_path: Path
) -> None:
    """A child process (as the scheduler's crawl child is) reads the same variable."""
    target = tmp_path / "elsewhere.db"
    env = {"PATH": "", DATABASE_URL_ENV: f"sqlite:///{target}", "PYTHONPATH": ":".join(sys.path)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "scheduler.cli",
            "--config",
            str(make_config([])),
            "--data",
            str(tmp_path / "var"),
            "articles",
            "list",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert target.exists()
    assert not (tmp_path / "var" / "xinqu.db").exists()
