"""The package as a new user gets it: a wheel in a fresh venv, run from an empty folder.

The wheel is built from this checkout and installed without its dependencies into a
new virtual environment; the dependencies come from the test run's own environment
(a path file names its site-packages), so nothing is downloaded and no editable
finder of the checkout is in play: every resource must come from the wheel itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import site
import subprocess
import sys
import venv
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import FROZEN_NOW, ROOT

pytestmark = pytest.mark.slow


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under root (bytecode caches aside) with a hash of its content."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A venv holding only the built wheel; yields its bin folder."""
    work = tmp_path_factory.mktemp("wheel")
    dist = work / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
        cwd=work,
    )
    (wheel,) = dist.glob("xinqu_digest-*.whl")
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "test-run-dependencies.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n", "utf-8"
    )
    install = ["install", "--quiet", "--no-deps", "--no-index", str(wheel)]
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    subprocess.run([*pip, *install], check=True, capture_output=True)
    yield env_dir / "bin"


def xinqu(
    bin_dir: Path, cwd: Path, *args: str, now: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("XINQU_NOW", "XINQU_CONFIG", "XINQU_DATA", "PYTHONPATH")
    }
    if now is not None:
        env["XINQU_NOW"] = now
    return subprocess.run(
        [str(bin_dir / "xinqu"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def test_the_wheel_runs_the_demo_cycle_from_an_empty_folder(
    installed: Path, tmp_path: Path
) -> None:
    package = Path(
        subprocess.run(
            [str(installed / "python"), "-c", "import xinqu; print(xinqu.__file__)"],
            cwd=tmp_path,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    ).parents[1]
    assert not str(package).startswith(str(ROOT)), "the wheel, not the checkout, is imported"
    before_package = tree_digest(package / "xinqu") | tree_digest(package / "scheduler")
    before_checkout = tree_digest(ROOT / "config") | tree_digest(ROOT / "xinqu" / "data")

    empty = tmp_path / "empty"
    empty.mkdir()
    demo = xinqu(installed, empty, "demo")
    assert demo.returncode == 0, demo.stderr
    assert "build: issue" in demo.stdout and "send:" in demo.stdout

    # The demo keeps its own config and data folder; each step re-runs alone on them.
    demo_world = ("--config", "var/demo/config", "--data", "var/demo")
    processed = xinqu(installed, empty, *demo_world, "process", now=FROZEN_NOW)
    assert processed.returncode == 0, processed.stderr
    out = empty / "issue.json"
    refused = xinqu(installed, empty, *demo_world, "digest", "build", "--rebuild", now=FROZEN_NOW)
    assert refused.returncode == 2 and "is never rebuilt" in refused.stderr, "the demo sent it"
    built = xinqu(
        installed, empty, *demo_world, "digest", "export", "--format", "json", "--out", str(out),
        now=FROZEN_NOW,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    issue = json.loads(out.read_text("utf-8"))
    assert [s["key"] for s in issue["sections"]] == ["industry", "reform"]
    assert all(s["items"] for s in issue["sections"])

    assert list((empty / "var" / "demo" / "models").glob("classifier-*")), "model cached in data"
    after_package = tree_digest(package / "xinqu") | tree_digest(package / "scheduler")
    assert after_package == before_package, "nothing is written into the installed package"
    after_checkout = tree_digest(ROOT / "config") | tree_digest(ROOT / "xinqu" / "data")
    assert after_checkout == before_checkout


def test_init_writes_an_editable_config_that_sources_add_extends(
    installed: Path, tmp_path: Path
) -> None:
    refused = xinqu(
        installed, tmp_path, "sources", "add", "--name", "newsite", "--area", "浦东新区",
        "--site-name", "浦东新区官网", "--list-url", "http://127.0.0.1:9/list.html",
    )  # fmt: skip
    assert refused.returncode != 0
    assert refused.stderr.strip().count("\n") == 0, refused.stderr
    assert "xinqu init DIR" in refused.stderr

    made = xinqu(installed, tmp_path, "init", "site-config")
    assert made.returncode == 0, made.stderr
    names = sorted(p.name for p in (tmp_path / "site-config").iterdir())
    assert names == ["areas.yaml", "sections.yaml", "settings.yaml", "sources.yaml"]
    again = xinqu(installed, tmp_path, "init", "site-config")
    assert again.returncode != 0 and "--force" in again.stderr

    added = xinqu(
        installed, tmp_path, "--config", "site-config", "sources", "add", "--name", "newsite",
        "--area", "浦东新区", "--site-name", "浦东新区官网",
        "--list-url", "http://127.0.0.1:9/list.html", "--offline",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = xinqu(installed, tmp_path, "--config", "site-config", "sources", "list")
    assert "newsite" in listed.stdout
