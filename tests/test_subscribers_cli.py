"""`xinqu subscribers add|remove|list|import` through the real command line (click)."""

from __future__ import annotations

import logging
import shutil

import pytest
from click.testing import CliRunner
from mailkit import MAIL_FIXTURES

from scheduler.cli import main
from xinqu.app import App
from xinqu.store.subscribers import get_subscriber, list_subscribers

pytestmark = pytest.mark.usefixtures("store_backend")


@pytest.fixture
def xinqu(make_config, tmp_path, monkeypatch):
    """Run `xinqu --config C --data D ARGS...` in this process; returns the click Result."""
    monkeypatch.setattr(logging.getLogger(), "_xinqu_configured", True, raising=False)
    monkeypatch.delenv("XINQU_SECRET", raising=False)
    config = make_config([])
    data = tmp_path / "data"

    def run(*args: str):
        return CliRunner().invoke(main, ["--config", str(config), "--data", str(data), *args])

    run.app = App(config_dir=config, data_dir=data)  # type: ignore[attr-defined]
    return run


def _rows(app: App) -> dict[str, tuple[str, str | None, list[str] | None]]:
    with app.store.session() as session:
        return {s.email: (s.state, s.name, s.sections) for s in list_subscribers(session)}


def test_add_validates_normalises_and_is_active_for_the_editor(xinqu):
    added = xinqu("subscribers", "add", " Wang.Fang@Example.ORG ", "--name", "王芳")
    assert added.exit_code == 0, added.stdout
    assert added.stdout == "wang.fang@example.org: added, active\n"
    sections = xinqu("subscribers", "add", "li@例子.中国", "--section", "reform")
    assert sections.exit_code == 0, sections.stdout
    assert _rows(xinqu.app) == {
        "wang.fang@example.org": ("active", "王芳", None),
        "li@xn--fsqu00a.xn--fiqs8s": ("active", None, ["reform"]),
    }

    bad = xinqu("subscribers", "add", "wang\r\nBcc: x@example.org")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("xinqu: 'wang\\r\\nBcc: x@example.org' is not a valid e-mail")
    assert len(bad.stderr.splitlines()) == 1
    unknown = xinqu("subscribers", "add", "a@example.org", "--section", "sports")
    assert unknown.exit_code == 2
    assert (
        "unknown section 'sports' (known: industry (产业发展), reform (改革创新))" in unknown.stderr
    )


def test_remove_keeps_the_reader_out_until_reactivated(xinqu):
    xinqu("subscribers", "add", "wang.fang@example.org")
    removed = xinqu("subscribers", "remove", "WANG.FANG@example.org")
    assert removed.exit_code == 0 and "unsubscribed" in removed.stdout
    again = xinqu("subscribers", "add", "wang.fang@example.org")
    assert again.exit_code == 2 and "--reactivate" in again.stderr
    assert _rows(xinqu.app)["wang.fang@example.org"][0] == "unsubscribed"
    back = xinqu("subscribers", "add", "wang.fang@example.org", "--reactivate")
    assert back.exit_code == 0 and "reactivated, active" in back.stdout
    purged = xinqu("subscribers", "remove", "wang.fang@example.org", "--purge")
    assert purged.exit_code == 0 and _rows(xinqu.app) == {}
    missing = xinqu("subscribers", "remove", "nobody@example.org")
    assert missing.exit_code == 2 and "not a subscriber" in missing.stderr


def test_list_shows_state_sections_and_name(xinqu):
    xinqu("subscribers", "add", "b@example.org", "--name", "乙", "--section", "industry")
    xinqu("subscribers", "add", "a@example.org")
    listing = xinqu("subscribers", "list")
    assert listing.exit_code == 0
    assert [line.split() for line in listing.stdout.splitlines()] == [
        ["a@example.org", "active", "all"],
        ["b@example.org", "active", "industry", "乙"],
    ]
    pending = xinqu("subscribers", "list", "--state", "pending")
    assert pending.stdout == "" and pending.stderr == "no subscribers\n"


def test_import_is_all_or_nothing(xinqu, tmp_path):
    bad = xinqu("subscribers", "import", str(MAIL_FIXTURES / "subscribers-bad.csv"))
    assert bad.exit_code == 2
    problems = bad.stderr.splitlines()
    assert problems[0].endswith(
        "subscribers-bad.csv:3: 'not-an-address' is not a valid e-mail "
        "address: An email address must have an @-sign."
    )
    assert problems[1].endswith(
        "subscribers-bad.csv:5: unknown section 'industri' "
        "(known: industry (产业发展), reform (改革创新))"
    )
    assert (
        problems[2]
        == f"xinqu: {MAIL_FIXTURES / 'subscribers-bad.csv'}: 2 invalid row(s); nothing imported"
    )
    assert _rows(xinqu.app) == {}

    good = tmp_path / "list.csv"
    shutil.copy(MAIL_FIXTURES / "subscribers.csv", good)
    imported = xinqu("subscribers", "import", str(good))
    assert imported.exit_code == 0, imported.stdout
    assert imported.stdout.endswith(": 3 row(s): added 3\n")
    assert _rows(xinqu.app) == {
        "wang.fang@example.org": ("active", "王芳", None),
        "li.lei@example.com": ("active", "李雷", ["industry"]),
        "zhao.min@example.net": ("active", "Zhao, Min", ["industry", "reform"]),
    }
    again = xinqu("subscribers", "import", str(good))
    assert again.stdout.endswith(": 3 row(s): updated 3\n")


def test_add_with_confirm_is_pending_and_mails_the_link(xinqu):
    added = xinqu("subscribers", "add", "reader@example.org", "--name", "读者", "--confirm")
    assert added.exit_code == 0, added.stdout
    assert "pending; confirmation mail sent" in added.stdout
    with xinqu.app.store.session() as session:
        subscriber = get_subscriber(session, "reader@example.org")
        assert subscriber.state == "pending"
        subscriber_id = subscriber.id
    [eml] = (xinqu.app.data_dir / "outbox").glob("*.eml")
    from mailkit import parse

    msg = parse(eml.read_bytes())
    assert msg["To"].addresses[0].display_name == "读者"
    assert msg["Subject"] == "请确认订阅《西咸研究》"
    assert (
        f"http://localhost:8000/confirm?t={subscriber_id}."
        in msg.get_body(("plain",)).get_content()
    )
