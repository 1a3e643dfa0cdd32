"""`xinqu subscribers bounces`: delivery reports (RFC 3464) bounce only addresses that
failed for good, read from .eml files, mbox files and Maildir folders."""

from __future__ import annotations

import logging
import mailbox
from email import message_from_bytes
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import FIXTURES

from scheduler.cli import main
from xinqu.app import App
from xinqu.store.subscribers import list_subscribers

DSN = FIXTURES / "dsn"
FAILED = DSN / "exchange2007-05.eml"  # real: Exchange 2007, 5.1.1 for mikeneko@example.co.jp
DELAYED = DSN / "delayed-handmade.eml"  # 4.4.1 for slow.reader@example.net


@pytest.fixture
def xinqu(make_config, tmp_path, monkeypatch):
    monkeypatch.setattr(logging.getLogger(), "_xinqu_configured", True, raising=False)
    config = make_config([])
    data = tmp_path / "data"

    def run(*args: str):
        return CliRunner().invoke(main, ["--config", str(config), "--data", str(data), *args])

    for address in ("mikeneko@example.co.jp", "slow.reader@example.net", "other@example.org"):
        assert run("subscribers", "add", address).exit_code == 0
    run.app = App(config_dir=config, data_dir=data)  # type: ignore[attr-defined]
    return run


def _states(app: App) -> dict[str, tuple[str, str | None]]:
    with app.store.session() as session:
        return {s.email: (s.state, s.note) for s in list_subscribers(session)}


def test_a_permanent_failure_bounces_that_address_only(xinqu):
    result = xinqu("subscribers", "bounces", str(FAILED), str(DELAYED))
    assert result.exit_code == 0, result.output
    states = _states(xinqu.app)
    assert states["mikeneko@example.co.jp"][0] == "bounced"
    assert "5.1.1" in (states["mikeneko@example.co.jp"][1] or "")
    assert states["slow.reader@example.net"][0] == "active", "a delay is not a bounce"
    assert states["other@example.org"][0] == "active"
    assert result.output.splitlines()[-1] == (
        "2 recipient report(s): 1 address(es) bounced, 1 only delayed (unchanged)"
    )
    again = xinqu("subscribers", "bounces", str(FAILED))
    assert "mikeneko@example.co.jp: already bounced" in again.output


def test_dry_run_changes_nothing(xinqu):
    result = xinqu("subscribers", "bounces", "--dry-run", str(FAILED))
    assert result.exit_code == 0, result.output
    assert "mikeneko@example.co.jp: active -> bounced" in result.output
    assert "dry run: nothing changed" in result.output
    assert _states(xinqu.app)["mikeneko@example.co.jp"][0] == "active"


def test_mbox_and_maildir_exports_are_read(xinqu, tmp_path: Path):
    box = mailbox.mbox(tmp_path / "bounces.mbox")
    for path in (DELAYED, FAILED):
        box.add(message_from_bytes(path.read_bytes()))
    box.flush()
    box.close()
    folder = tmp_path / "Maildir"
    maildir = mailbox.Maildir(folder, create=True)
    maildir.add(message_from_bytes(FAILED.read_bytes()))
    result = xinqu(
        "subscribers", "bounces", "--dry-run", str(tmp_path / "bounces.mbox"), str(folder)
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("3 recipient report(s): 1 address(es) bounced")


def test_unknown_addresses_and_bad_folders_are_one_line(xinqu, tmp_path: Path):
    stranger = tmp_path / "stranger.eml"
    text = FAILED.read_text(encoding="ascii").replace(
        "rfc822;mikeneko@example.co.jp", "rfc822;nobody@example.com"
    )
    stranger.write_text(text, encoding="ascii")
    result = xinqu("subscribers", "bounces", str(stranger))
    assert result.exit_code == 0
    assert "nobody@example.com: not a subscriber (stranger.eml); ignored" in result.output
    (tmp_path / "plain").mkdir()
    bad = xinqu("subscribers", "bounces", str(tmp_path / "plain"))
    assert bad.exit_code != 0
    assert "must be a Maildir" in bad.output
    assert "Traceback" not in bad.output
