"""The editor copy: each issue once to ``mail.editor``, with the health footer.

The editor gets the issue's frozen text and HTML as readers do, plus a footer
that readers never see: the sources flagged when the issue was built (frozen
then by xinqu.health), the editor's actions on the issue (who, when, what:
xinqu.issue.review) and the issue's delivery counts at the time of sending.
It goes out after the readers' copies, so the counts say how their send went.

Exactly once, with the readers' protocol (xinqu/store/deliveries.py) kept in
the service state under ``editor-copy:<issue id>`` (the deliveries table keys
records by subscriber, and the editor is none): ``sending`` is recorded before
the server is asked, ``finishing`` before the final end of data, ``sent`` after
its 250. A copy found ``sending`` is sent again; one found ``finishing`` is in
doubt and counted as sent unless the caller resends in-doubt messages (always
for the outbox, where a rewrite of the same Message-ID cannot make a second copy).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Sequence

from xinqu.app import App
from xinqu.errors import DeliveryError
from xinqu.health import issue_health
from xinqu.issue.render import render_editor_footer
from xinqu.issue.review import action_lines, issue_titles
from xinqu.mail.message import Identity, editor_message, make_address, recipient
from xinqu.mail.transport import (
    ConnectionLostError,
    MessageRejectedError,
    PermanentError,
    TemporaryError,
    open_transport,
)
from xinqu.store.deliveries import delivery_counts
from xinqu.store.duplicates import possible_lines
from xinqu.store.editor_actions import actions_for_issue
from xinqu.store.issues import Issue
from xinqu.store.locks import get_state, set_state
from xinqu.store.processing import UncertainCall, uncertain_in_issue

log = logging.getLogger(__name__)

#: Outcomes after which nothing is left to do for the editor copy.
FINAL = frozenset({"", "sent", "sent before", "in doubt", "bounced"})


def issue_urls(issue: Issue) -> set[str]:
    """The URLs of the issue's entries (shown and listed under more)."""
    content = json.loads(issue.content)
    return {
        entry["url"]
        for section in content.get("sections", [])
        for part in ("items", "more")
        for entry in section.get(part, [])
    }


def state_key(issue_id: int) -> str:
    return f"editor-copy:{issue_id}"


def editor_message_id(key: bytes, ident: Identity, issue: Issue) -> str:
    tag = hmac.new(key, f"editor\0{issue.id}".encode(), hashlib.sha256)
    return f"<xinqu.{issue.number}.editor.{tag.hexdigest()[:16]}@{ident.domain}>"


def editor_copy_state(app: App, issue_id: int) -> str | None:
    """The copy's recorded state (``sending``, ``finishing``, ``sent``, …) or None."""
    with app.store.session() as session:
        value = get_state(session, state_key(issue_id))
    return None if value is None else value.partition(" ")[0]


def uncertain_lines(app: App, calls: Sequence[UncertainCall]) -> list[str]:
    """One line per uncertain section call: id, headline, section and the runner-up."""
    titles = {s.key: s.title for s in app.config.sections.sections}
    titles["out"] = "不收录"
    lines = []
    for c in calls:
        runner = titles.get(c.runner_up or "", c.runner_up or "")
        lead = f"，领先{runner} {c.margin:.2f}" if c.margin is not None and runner else ""
        lines.append(f"{c.article_id} {c.title}：{titles.get(c.section, c.section)}{lead}")
    return lines


def _record(app: App, issue_id: int, value: str) -> None:
    with app.store.session() as session:
        set_state(session, state_key(issue_id), value)


def send_editor_copy(
    app: App,
    issue: Issue,
    key: bytes,
    ident: Identity,
    *,
    resend_in_doubt: bool = False,
    dry_run: bool = False,
) -> str:
    """Send the issue's editor copy unless already done; returns what happened.

    ``""`` (no editor configured), ``sent``, ``sent before``, ``in doubt``,
    ``bounced``, ``failed`` (temporary: the next send tries again) or, for a dry
    run, ``would send``.
    """
    editor = app.config.settings.mail.editor
    if not editor:
        return ""
    state = editor_copy_state(app, issue.id)
    if state in ("sent", "bounced"):
        return "sent before" if state == "sent" else "bounced"
    if state == "finishing" and not resend_in_doubt:
        return "in doubt"
    if dry_run:
        return "would send"
    address = make_address(editor, where="mail.editor")
    with app.store.session() as session:
        frozen = issue_health(session, issue.id)
        counts = delivery_counts(session, issue.id)
        possible = possible_lines(session, issue_urls(issue))
        unsure = uncertain_lines(app, uncertain_in_issue(session, issue.id))
        actions = action_lines(actions_for_issue(session, issue.id), app.tz, issue_titles(issue))
    footer_text, footer_html = render_editor_footer(
        number=issue.number,
        checked_at=frozen.checked_at.astimezone(app.tz).isoformat(timespec="minutes")
        if frozen
        else None,
        flags=frozen.lines if frozen else [],
        counts=counts,
        possible=possible,
        uncertain=unsure,
        actions=actions,
    )
    msg = editor_message(
        ident,
        issue,
        to=recipient(address.addr_spec, address.display_name or None),
        message_id=editor_message_id(key, ident, issue),
        footer_text=footer_text,
        footer_html=footer_html,
    )

    def before_commit() -> None:
        _record(app, issue.id, "finishing")

    _record(app, issue.id, "sending")
    try:
        with open_transport(app) as transport:
            transport.send(msg, ident.sender.addr_spec, address.addr_spec, before_commit)
    except DeliveryError:
        _record(app, issue.id, "failed run stopped: the server refused us")
        raise
    except PermanentError as exc:
        _record(app, issue.id, f"bounced {exc}")
        log.warning("issue %s: the editor copy bounced: %s", issue.number, exc)
        return "bounced"
    except ConnectionLostError as exc:
        if exc.maybe_delivered:
            log.warning("issue %s: the editor copy is in doubt: %s", issue.number, exc)
            return "in doubt"
        _record(app, issue.id, f"failed {exc}")
        log.warning("issue %s: the editor copy failed for now: %s", issue.number, exc)
        return "failed"
    except (TemporaryError, MessageRejectedError) as exc:
        _record(app, issue.id, f"failed {exc}")
        log.warning("issue %s: the editor copy failed for now: %s", issue.number, exc)
        return "failed"
    _record(app, issue.id, "sent")
    log.info("issue %s: editor copy sent to %s", issue.number, address.addr_spec)
    return "sent"
