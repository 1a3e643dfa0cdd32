"""`xinqu subscribers`: the mailing list, kept by the editor.

An address the editor adds (or imports) is active at once: the editor records the
reader's consent. With ``--confirm`` it is pending instead and the reader gets a
confirmation mail (double opt-in), as for readers who sign up themselves.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import click

from xinqu.app import App
from xinqu.errors import XinquError
from xinqu.mail.addresses import AddressError, normalize_address
from xinqu.mail.message import one_line
from xinqu.store.subscribers import (
    STATES,
    list_subscribers,
    remove_subscriber,
    upsert_subscriber,
)

_SPLIT = re.compile(r"[\s,;，；、|]+")


def _sections(app: App, keys: list[str]) -> list[str] | None:
    """Validated section keys (a key or its Chinese title); empty means all (stored as null)."""
    sections = app.config.sections
    known = sections.keys
    resolved = []
    for name in keys:
        key = sections.key_for(name)
        if key is None:
            raise XinquError(f"unknown section {name!r} (known: {sections.spellings()})")
        resolved.append(key)
    return sorted(set(resolved), key=known.index) if resolved else None


@click.group()
def subscribers() -> None:
    """Add, remove, list and import the bulletin's readers."""


@subscribers.command("add")
@click.argument("email")
@click.option("--name", help="The reader's name, shown in the To: header.")
@click.option("--section", "sections", multiple=True, metavar="KEY", help="Only these sections.")
@click.option("--confirm", is_flag=True, help="Pending until the reader confirms by mail.")
@click.option("--reactivate", is_flag=True, help="Re-add an address that left or bounced.")
@click.pass_obj
def add(
    app: App,
    email: str,
    name: str | None,
    sections: tuple[str, ...],
    confirm: bool,
    reactivate: bool,
) -> None:
    """Add a reader (active at once, or pending with --confirm)."""
    address = normalize_address(email)
    name = (one_line(name) or None) if name is not None else None
    chosen = _sections(app, list(sections))
    with app.store.session() as session:
        subscriber, outcome = upsert_subscriber(
            session,
            address,
            name=name,
            sections=chosen,
            state="pending" if confirm else "active",
            reactivate=reactivate,
        )
        session.flush()
        session.expunge(subscriber)
    if outcome.startswith("kept-"):
        raise XinquError(
            f"{address} is {subscriber.state}; add --reactivate if the reader asked to come back"
        )
    if confirm and subscriber.state == "pending":
        from xinqu.mail import send_confirmation

        send_confirmation(app, subscriber)
        click.echo(f"{address}: {outcome}, pending; confirmation mail sent")
    else:
        click.echo(f"{address}: {outcome}, {subscriber.state}")


@subscribers.command("remove")
@click.argument("email")
@click.option("--purge", is_flag=True, help="Erase the address and its delivery records.")
@click.pass_obj
def remove(app: App, email: str, purge: bool) -> None:
    """Unsubscribe a reader (or erase them with --purge)."""
    address = normalize_address(email)
    with app.store.session() as session:
        remove_subscriber(session, address, purge=purge)
    click.echo(f"{address}: {'erased' if purge else 'unsubscribed'}")


@subscribers.command("list")
@click.option("--state", type=click.Choice(STATES), help="Only readers in this state.")
@click.pass_obj
def list_command(app: App, state: str | None) -> None:
    """Every reader: address, state, sections, name."""
    with app.store.session() as session:
        rows = list_subscribers(session, state)
        for s in rows:
            chosen = ",".join(s.sections) if s.sections else "all"
            click.echo(f"{s.email:<40} {s.state:<12} {chosen:<20} {s.name or ''}".rstrip())
    if not rows:
        click.echo("no subscribers", err=True)


@subscribers.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.pass_obj
def import_command(app: App, file: Path) -> None:
    """Add readers from a CSV file with columns email, name, sections (all or nothing).

    ``sections`` holds keys separated by spaces, commas or semicolons; empty
    means all. Every row is checked first: one bad row imports nothing.
    """
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise XinquError(f"{file}: expected UTF-8 text") from None
    # csv's own line splitting (\n, \r\n, \r only): str.splitlines() would also
    # split inside a field at U+2028 and other Unicode line separators.
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "email" not in header:
        raise XinquError(f"{file}: expected a header row with an 'email' column")
    rows: list[tuple[str, str | None, list[str] | None]] = []
    problems: list[str] = []
    first_line: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num  # where the record ends: its line, blank lines counted
        row = {(k or "").strip().lower(): one_line(v or "") for k, v in raw.items()}
        if not any(row.values()):
            continue
        try:
            address = normalize_address(row.get("email", ""))
            keys = [k for k in _SPLIT.split(row.get("sections", "")) if k]
            sections = _sections(app, keys)
        except (AddressError, XinquError) as exc:
            problems.append(f"{file}:{line}: {exc}")
            continue
        if address in first_line:
            problems.append(f"{file}:{line}: {address} is already on line {first_line[address]}")
            continue
        first_line[address] = line
        rows.append((address, row.get("name") or None, sections))
    if problems:
        for problem in problems[:20]:
            click.echo(problem, err=True)
        raise XinquError(f"{file}: {len(problems)} invalid row(s); nothing imported")
    outcomes: dict[str, int] = {}
    with app.store.session() as session:
        for address, name, sections in rows:
            _, outcome = upsert_subscriber(
                session, address, name=name, sections=sections, origin="import"
            )
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    click.echo(
        f"{file}: {len(rows)} row(s): "
        + ", ".join(f"{outcome} {count}" for outcome, count in sorted(outcomes.items()))
    )


COMMANDS = [subscribers]


@subscribers.command("bounces")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@click.option("--dry-run", is_flag=True, help="Say what would change; change nothing.")
@click.pass_obj
def bounces_command(app: App, paths: tuple[Path, ...], dry_run: bool) -> None:
    """Bounce the readers whose delivery reports (DSNs) say their address failed for good.

    PATHS are .eml files, mbox files or Maildir folders exported from the bounce
    mailbox. Only a report's machine-readable part counts: `Action: failed` with a
    5.x.x status bounces the address; delays and 4.x.x change nothing.
    """
    from xinqu.mail.dsn import read_failures
    from xinqu.store.subscribers import get_subscriber, set_state

    found = read_failures(paths)
    permanent = {f.recipient: (path, f) for path, f in found if f.permanent}
    temporary = {f.recipient for _, f in found if not f.permanent} - set(permanent)
    bounced = 0
    with app.store.session() as session:
        for address, (path, failure) in sorted(permanent.items()):
            subscriber = get_subscriber(session, address)
            if subscriber is None:
                click.echo(f"{address}: not a subscriber ({path.name}); ignored")
                continue
            if subscriber.state == "bounced":
                click.echo(f"{address}: already bounced")
                continue
            reason = one_line(f"DSN {failure.status}: {failure.diagnostic}")[:300]
            click.echo(f"{address}: {subscriber.state} -> bounced ({reason})")
            if not dry_run:
                set_state(session, subscriber, "bounced", reason)
            bounced += 1
        if dry_run:
            session.rollback()
    summary = f"{len(found)} recipient report(s): {bounced} address(es) bounced"
    if temporary:
        summary += f", {len(temporary)} only delayed (unchanged)"
    click.echo(summary + (" (dry run: nothing changed)" if dry_run else ""))
