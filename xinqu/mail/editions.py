"""A reader's edition of an issue: only the sections they chose, rendered once per choice.

A reader with every section (or whose choice covers all of the issue's sections)
gets the frozen bodies as they are; any other choice gets the issue's frozen
content narrowed to those sections (xinqu.issue.render.render_edition), rendered
once per distinct set of sections however many readers share it. A reader whose
chosen sections are all empty in the issue gets no mail (``wanted`` is False).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from email.message import EmailMessage
from typing import Any

from xinqu.app import App
from xinqu.config import Settings
from xinqu.errors import XinquError
from xinqu.issue.render import MessageParts, edition_keys, render_edition
from xinqu.mail import tokens
from xinqu.mail.message import (
    Identity,
    as_bytes,
    identity,
    issue_message,
    message_id_for,
    recipient,
)
from xinqu.store.issues import Issue
from xinqu.store.subscribers import get_subscriber


class Editions:
    """The editions of one issue, each rendered at most once."""

    def __init__(self, settings: Settings, issue: Issue) -> None:
        self.settings = settings
        self.issue = issue
        self.content: dict[str, Any] = json.loads(issue.content)
        self._rendered: dict[tuple[str, ...] | None, MessageParts] = {}

    @property
    def rendered(self) -> int:
        """How many partial editions were rendered so far (the whole issue is frozen)."""
        return sum(keys is not None for keys in self._rendered)

    def wanted(self, chosen: Sequence[str] | None) -> bool:
        return edition_keys(self.content, chosen) != ()

    def for_reader(self, chosen: Sequence[str] | None) -> MessageParts:
        keys = edition_keys(self.content, chosen)
        if keys == ():
            raise ValueError("no section of this reader has content in the issue")
        if keys not in self._rendered:
            self._rendered[keys] = render_edition(self.settings, self.issue, keys)
        return self._rendered[keys]


def reader_message(
    app: App,
    key: bytes,
    ident: Identity,
    editions: Editions,
    *,
    subscriber_id: int,
    email: str,
    name: str | None,
    sections: Sequence[str] | None,
    message_id: str,
) -> EmailMessage:
    """The exact message one reader gets: their edition, their unsubscribe link."""
    url = tokens.link(app, key, "unsubscribe", subscriber_id, email)
    return issue_message(
        ident,
        editions.issue,
        to=recipient(email, name),
        message_id=message_id,
        unsubscribe_url=url,
        unsubscribe_token=tokens.make_token(key, "unsubscribe", subscriber_id, email),
        edition=editions.for_reader(sections),
    )


def preview_for(app: App, issue_id: int, email: str) -> bytes:
    """The exact message ``digest send`` would give this reader (only Date differs)."""
    key = tokens.secret(app)
    ident = identity(app)
    with app.store.session() as session:
        issue = session.get(Issue, issue_id)
        if issue is None:
            raise XinquError(f"no issue with id {issue_id}")
        subscriber = get_subscriber(session, email)
        if subscriber is None:
            raise XinquError(f"{email} is not a subscriber")
        if subscriber.state != "active":
            raise XinquError(f"{email} is {subscriber.state}: they get no mail")
        editions = Editions(app.config.settings, issue)
        if not editions.wanted(subscriber.sections):
            chosen = "、".join(subscriber.sections or [])
            raise XinquError(
                f"{email} gets no mail of issue {issue.number}: their sections ({chosen}) "
                "are empty in it"
            )
        msg = reader_message(
            app,
            key,
            ident,
            editions,
            subscriber_id=subscriber.id,
            email=subscriber.email,
            name=subscriber.name,
            sections=subscriber.sections,
            message_id=message_id_for(key, ident, issue, subscriber.id),
        )
    return as_bytes(msg)
