"""Golden files: the seed's nine articles as issue №1, in text, HTML and as a message.

On a mismatch the test prints a unified diff. The expected files are rewritten
only when XINQU_UPDATE_GOLDEN=1 is set; review the diff before committing them.
Volatile parts (a message's Date, Message-ID and MIME boundaries) are masked.
"""

from __future__ import annotations

import difflib
import email
import importlib.util
import os
import re
from email.message import Message
from email.policy import default
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from xinqu.config import SHIPPED_CONFIG_DIR, Config, load_config
from xinqu.issue.export import preview_message
from xinqu.issue.render import render_issue
from xinqu.store.issues import Issue

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("XINQU_UPDATE_GOLDEN") == "1"


def samples_module() -> ModuleType:
    """scripts/make_samples.py, which turns the seed fixture into issue №1."""
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "scripts/make_samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(SHIPPED_CONFIG_DIR)


@pytest.fixture(scope="module")
def seed_content(config: Config) -> dict[str, Any]:
    content: dict[str, Any] = samples_module().seed_issue(config)
    return content


def mask(text: str) -> str:
    text = re.sub(r"(?m)^Date: .*$", "Date: <masked>", text)
    text = re.sub(r"(?m)^Message-ID: .*$", "Message-ID: <masked>", text)
    return re.sub(r"={15}\d+==", "<boundary>", text)


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"{path} is missing: run with XINQU_UPDATE_GOLDEN=1 to create it")
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                actual.splitlines(keepends=True),
                fromfile=f"tests/golden/{name}",
                tofile="rendered now",
            )
        )
        pytest.fail(
            f"{name} differs from the golden file (XINQU_UPDATE_GOLDEN=1 to accept):\n{diff}",
            pytrace=False,
        )


def describe(message: Message) -> str:
    """A message as masked headers plus each part's headers and decoded body."""
    lines = [f"{k}: {v}" for k, v in message.items()]
    for part in message.walk():
        if part.is_multipart():
            lines.append(f"--- {part.get_content_type()}")
            continue
        lines.append(f"--- {part.get_content_type()} ({part['Content-Transfer-Encoding']})")
        lines.append(part.get_content())
    return mask("\n".join(lines).replace("\r\n", "\n") + "\n")


def test_text_edition_matches_golden(config: Config, seed_content: dict[str, Any]) -> None:
    check_golden("issue-1.txt", render_issue(config.settings, seed_content, year_number=1).text)


def test_html_edition_matches_golden(config: Config, seed_content: dict[str, Any]) -> None:
    check_golden("issue-1.html", render_issue(config.settings, seed_content, year_number=1).html)


def test_message_matches_golden(config: Config, seed_content: dict[str, Any]) -> None:
    parts = render_issue(config.settings, seed_content, year_number=1)
    issue = Issue(number=1, subject=parts.subject, text=parts.text, html=parts.html)
    raw = preview_message(config.settings, issue).as_bytes()
    parsed = email.message_from_bytes(raw, policy=default)
    assert parsed.get_content_type() == "multipart/alternative"
    check_golden("issue-1.eml.txt", describe(parsed))


def test_mask_hides_what_changes_between_runs() -> None:
    raw = (
        "Date: Wed, 25 Nov 2026 02:00:00 +0000\nMessage-ID: <1.2@x>\n"
        'boundary="===============0123456789=="'
    )
    assert mask(raw) == 'Date: <masked>\nMessage-ID: <masked>\nboundary="<boundary>"'
