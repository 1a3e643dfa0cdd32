"""The mail fault suite: a hostile SMTP server and a shared database, 0 lost, 0 sent twice.

Each scenario (tests/faultkit.py) runs real `xinqu digest send` processes against
a raw-socket SMTP server on 127.0.0.1 that drops the connection mid-DATA, drops
it after the final ``.``, refuses the message with 554, refuses one recipient
with 550, or against two senders sharing one database from two data folders. The
module prints what it tried and, per scenario, how many readers lost their copy
and how many got two (both must be 0). `bench/faults.py` prints the same table.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from faultkit import (
    FaultSmtp,
    Tally,
    digest_send,
    drop_after_dot,
    drop_mid_data,
    prepare,
    readers,
    refused_recipient,
    rejected_message,
    serve_faults,
    states,
    subscriber_state,
    two_senders,
)

from xinqu.store import deliveries
from xinqu.store.deliveries import Delivery, delivery_counts
from xinqu.store.issues import Issue

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def suite(request: pytest.FixtureRequest) -> Iterator[list[Tally]]:
    tallies: list[Tally] = []
    yield tallies
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and tallies:
        reporter.write_line("")
        reporter.write_line("mail fault suite: what was tried, what was lost")
        for tally in tallies:
            reporter.write_line("  " + tally.line())
        lost = sum(len(t.lost) for t in tallies)
        twice = sum(len(t.twice) for t in tallies)
        reporter.write_line(f"  total: lost {lost}, sent twice {twice}")


def _record(suite: list[Tally], tally: Tally) -> Tally:
    suite.append(tally)
    print(tally.line())
    assert tally.lost == [] and tally.twice == [], tally.line()
    return tally


def test_a_drop_mid_data_is_retried_and_never_counted_as_sent(tmp_path: Path, suite):
    tally = _record(suite, drop_mid_data(tmp_path))
    run = tally.runs[0]
    assert run.returncode == 0, run.stdout + run.stderr
    assert "in doubt" not in run.stdout
    assert "total sent 5" in run.stdout


def test_a_drop_after_the_dot_is_in_doubt_not_sent_and_the_line_says_what_to_do(
    tmp_path: Path, suite
):
    tally = _record(suite, drop_after_dot(tmp_path))
    first, again = tally.runs
    assert first.returncode == 1, first.stdout + first.stderr
    summary = first.stdout.strip().splitlines()[-1]
    assert "total sent 4" in summary and "in doubt 1" in summary
    assert "--resend-in-doubt" in summary
    assert f"in doubt {readers(5)[2]}" in first.stdout
    assert again.returncode == 0, again.stdout + again.stderr


def test_a_message_refused_after_the_dot_is_not_a_bounce_and_holds_the_issue(tmp_path: Path, suite):
    tally = _record(suite, rejected_message(tmp_path))
    first, again = tally.runs
    assert first.returncode == 1, first.stdout + first.stderr
    assert "held" in first.stdout and "no address was marked bounced" in first.stdout
    assert "bounced 0" in first.stdout
    assert tally.notes[0] == "bounced 0, refused 3 before holding"
    assert again.returncode == 0, again.stdout + again.stderr


def test_one_refused_message_among_many_is_a_failure_of_that_copy_only(tmp_path: Path):
    everyone = readers(5)
    server = FaultSmtp(faults={everyone[0]: ["554-after-dot"]})
    with serve_faults(server):
        app, _ = prepare(tmp_path, server.port, 5)
        run = digest_send(app)
    assert run.returncode == 1
    assert f"refused  {everyone[0]}" in run.stdout
    assert subscriber_state(app, everyone[0]) == "active"
    assert states(app)[everyone[0]] == "failed"
    assert "held" not in run.stdout
    assert server.copies() == dict.fromkeys(everyone[1:], 1)


def test_a_550_to_rcpt_bounces_only_that_address(tmp_path: Path, suite):
    tally = _record(suite, refused_recipient(tmp_path))
    run = tally.runs[0]
    assert run.returncode == 0, run.stdout + run.stderr
    assert tally.notes == [f"{readers(5)[1]} bounced"]
    assert "bounced 1" in run.stdout


def _two_senders_checks(tally: Tally) -> None:
    codes = sorted(r.returncode for r in tally.runs)
    assert codes == [0, 3], [r.stdout + r.stderr for r in tally.runs]
    loser = next(r for r in tally.runs if r.returncode == 3)
    lines = [  # the second data folder is new: its one notice is not an error
        line
        for line in loser.stderr.strip().splitlines()
        if not line.startswith("xinqu: created data folder")
    ]
    assert len(lines) == 1 and "already being sent from this database" in lines[0], lines
    assert "Traceback" not in loser.stderr


def test_two_senders_with_two_data_folders_on_one_sqlite_file(tmp_path: Path, suite):
    tally = _record(suite, two_senders(tmp_path))
    _two_senders_checks(tally)


@pytest.mark.postgres
def test_two_senders_with_two_data_folders_on_one_postgresql(
    tmp_path: Path, suite, postgres_url: str
):
    tally = _record(suite, two_senders(tmp_path, postgres_url))
    _two_senders_checks(tally)


def test_a_claimed_record_cannot_be_claimed_by_a_second_run(tmp_path: Path):
    """Even past the lease, a record one run claimed is not sent by another."""
    app, _ = prepare(tmp_path, 25, 2)
    with app.store.session() as session:
        issue = session.query(Issue).one()
        planned = deliveries.plan(session, issue.id, [(1, readers(2)[0], "<a@example.org>")])
        record = session.query(Delivery).one()
    assert planned == 1
    first = {"run": "run-a", "worker": "1", "claim_seconds": 600}
    with app.store.session() as session:
        assert deliveries.claim_batch(session, issue.id, size=5, **first) == [record.id]
    with app.store.session() as session:
        assert deliveries.claim(session, record.id, **first) is True
    for other in ({"run": "run-b", "worker": "1"}, {"run": "run-a", "worker": "2"}):
        with app.store.session() as session:
            assert (
                deliveries.claim_batch(session, issue.id, size=5, claim_seconds=600, **other) == []
            )
            assert deliveries.claim(session, record.id, claim_seconds=600, **other) is False
            assert (
                deliveries.claim(
                    session, record.id, claim_seconds=600, resend_in_doubt=True, **other
                )
                is False
            )
    with app.store.session() as session:
        assert delivery_counts(session, issue.id)["pending"] == 1
