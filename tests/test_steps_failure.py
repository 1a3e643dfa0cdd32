"""A failing step is one clear line (`xinqu: build failed: …`), and `status` keeps saying so."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import closed_port, run_xinqu

from scheduler.cli import main
from scheduler.steps import StepError, step, step_failures
from xinqu.app import App

pytestmark = pytest.mark.usefixtures("store_backend")


def _status(app: App, *args: str):
    paths = ["--config", str(app.config.directory), "--data", str(app.data_dir)]
    return CliRunner().invoke(main, [*paths, "status", *args])


def test_run_once_with_nothing_to_carry_says_so_in_one_line(
    make_config, frozen_now, tmp_path: Path
) -> None:
    config = make_config(
        [
            {
                "name": "down",
                "area": "西咸新区",
                "site_name": "西咸新区官网",
                "list_urls": [f"http://127.0.0.1:{closed_port()}/xwzx/index.html"],
                "obey_robots": False,
            }
        ],
        crawl={"retry_times": 0},
    )
    data = tmp_path / "data"
    result = run_xinqu(config, data, "run-once")
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.splitlines() == [
        f"xinqu: created data folder {data}",
        "xinqu: build failed: nothing to carry between 2026-11-11 and 2026-11-24: "
        "crawl and process first",
    ]
    assert "down" in result.stdout and "failed" in result.stdout, "the crawl line came first"

    app = App(config_dir=config, data_dir=data)
    try:
        status = _status(app)
        assert status.exit_code == 0, status.output
        (line,) = [line for line in status.output.splitlines() if line.startswith("last build:")]
        assert line == (
            "last build: FAILED at 2026-11-25 10:00+08:00: nothing to carry between 2026-11-11 "
            "and 2026-11-24: crawl and process first"
        )
        assert "last crawl:" not in status.output, "a crawl that ran is no failed step"
    finally:
        app.close()


def test_a_step_failure_is_remembered_until_the_step_succeeds(
    make_config, frozen_now, tmp_path: Path
) -> None:
    app = App(config_dir=make_config([]), data_dir=tmp_path / "data")
    try:
        with pytest.raises(StepError) as raised, step(app, "process"):
            raise ValueError("disk\nfull")
        assert str(raised.value) == "process failed: ValueError: disk full"
        assert raised.value.exit_code == 2
        (when, message) = step_failures(app)["process"]
        assert datetime.fromisoformat(when) == datetime.fromisoformat(frozen_now)
        assert message == "ValueError: disk full"
        assert "last process: FAILED at 2026-11-25 10:00+08:00: ValueError: disk full" in (
            _status(app).output
        )
        assert _status(app, "--check").exit_code == 1

        with step(app, "process"):
            pass
        assert step_failures(app) == {}
        assert "FAILED" not in _status(app).output
    finally:
        app.close()
