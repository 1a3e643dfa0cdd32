"""Paths and helpers shared by the test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
SITES = FIXTURES / "sites"


def _shared_dir() -> Path:
    """shared/ beside the clone; in a git worktree, beside its main checkout, so the
    tests also run from /work/wt/<name>."""
    beside = ROOT.parent / "shared"
    dot_git = ROOT / ".git"
    if not beside.is_dir() and dot_git.is_file():  # "gitdir: <main>/.git/worktrees/<name>"
        gitdir = Path(dot_git.read_text(encoding="utf-8").partition(":")[2].strip())
        if len(gitdir.parents) >= 3 and (gitdir.parents[2].parent / "shared").is_dir():
            return gitdir.parents[2].parent / "shared"
    return beside


SHARED = _shared_dir()
REAL_PAGES = SHARED / "fixtures" / "real-pages"

#: The fixture world's capture date: every test that crawls fixtures runs "now" here.
FROZEN_NOW = "2026-11-25T10:00:00+08:00"


def run_xinqu(
    config: Path, data: Path, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`xinqu --config C --data D ARGS` in a real child process (a crawl needs its own reactor)."""
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
        timeout=timeout,
        env=os.environ.copy(),
        check=False,
    )


def closed_port() -> int:
    """A 127.0.0.1 port nothing listens on: a site (or SMTP server) that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
