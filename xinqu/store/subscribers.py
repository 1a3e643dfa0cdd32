"""Subscribers: who receives the bulletin, which sections they chose, and their state.

This module owns the table ``subscribers``. States:

- ``pending``: signed up themselves (or were added with ``--confirm``) and have not
  yet confirmed through the link in the confirmation mail (double opt-in);
- ``active``: receives issues; an editor's ``subscribers add`` or ``import`` is
  consent recorded by the editor, so such addresses start here;
- ``unsubscribed``: left through a link, List-Unsubscribe, or ``subscribers remove``;
- ``bounced``: the server answered 5xx for this address; no more mail goes to it.

Addresses are stored lower-cased with an ASCII (IDNA) domain, so one reader is
one row whatever the spelling.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from xinqu.clock import now
from xinqu.errors import XinquError
from xinqu.store.base import Base, UTCDateTime
from xinqu.store.deliveries import forget_subscriber

STATES = ("pending", "active", "unsubscribed", "bounced")


class Subscriber(Base):
    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True, index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    sections: Mapped[list[str] | None] = mapped_column(
        JSON, doc="chosen section keys; null means all sections"
    )
    state: Mapped[str] = mapped_column(String(16), index=True, default="active")
    origin: Mapped[str] = mapped_column(String(16), default="editor", doc="editor|import|web")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text, doc="why the state last changed")

    def wants(self, section_keys: Iterable[str]) -> bool:
        """Whether an issue with these (non-empty) sections is for this reader."""
        if self.sections is None:
            return True
        return bool(set(self.sections) & set(section_keys))


def get_subscriber(session: Session, email: str) -> Subscriber | None:
    return session.scalar(select(Subscriber).where(Subscriber.email == email.lower()))


def list_subscribers(session: Session, state: str | None = None) -> list[Subscriber]:
    query = select(Subscriber).order_by(Subscriber.email)
    if state is not None:
        query = query.where(Subscriber.state == state)
    return list(session.scalars(query))


def active_subscribers(session: Session) -> list[Subscriber]:
    return list_subscribers(session, "active")


def upsert_subscriber(
    session: Session,
    email: str,
    *,
    name: str | None = None,
    sections: list[str] | None = None,
    state: str = "active",
    origin: str = "editor",
    reactivate: bool = False,
) -> tuple[Subscriber, str]:
    """Add or update one address (already validated); returns it and what happened.

    An existing address keeps its state unless ``reactivate``: a reader who
    unsubscribed or bounced is never re-added silently. What happened is one of
    ``added``, ``updated``, ``reactivated``, ``kept-<state>``.
    """
    if state not in STATES:
        raise ValueError(f"unknown subscriber state {state!r}")
    stamp = now()
    subscriber = get_subscriber(session, email)
    if subscriber is None:
        subscriber = Subscriber(
            email=email.lower(),
            name=name,
            sections=sections,
            state=state,
            origin=origin,
            created_at=stamp,
            updated_at=stamp,
            confirmed_at=stamp if state == "active" else None,
        )
        session.add(subscriber)
        session.flush()
        return subscriber, "added"
    if name is not None:
        subscriber.name = name
    if sections is not None:
        subscriber.sections = sections
    subscriber.updated_at = stamp
    if subscriber.state in ("unsubscribed", "bounced") and not reactivate:
        return subscriber, f"kept-{subscriber.state}"
    if subscriber.state != state and (reactivate or subscriber.state == "pending"):
        subscriber.state = state
        subscriber.note = f"{origin}: set {state}"
        if state == "active":
            subscriber.confirmed_at = stamp
        return subscriber, "reactivated"
    return subscriber, "updated"


def set_state(session: Session, subscriber: Subscriber, state: str, note: str) -> None:
    if state not in STATES:
        raise ValueError(f"unknown subscriber state {state!r}")
    stamp = now()
    subscriber.state = state
    subscriber.note = note
    subscriber.updated_at = stamp
    if state == "unsubscribed":
        subscriber.unsubscribed_at = stamp
    elif state == "active":
        subscriber.confirmed_at = stamp


def remove_subscriber(session: Session, email: str, *, purge: bool = False) -> Subscriber:
    """Unsubscribe an address (history kept), or with ``purge`` erase it and its records."""
    subscriber = get_subscriber(session, email)
    if subscriber is None:
        raise XinquError(f"{email}: not a subscriber")
    if purge:
        forget_subscriber(session, subscriber.id)
        session.delete(subscriber)
        session.flush()
    elif subscriber.state != "unsubscribed":
        set_state(session, subscriber, "unsubscribed", "editor: removed")
    return subscriber


def subscriber_by_id(session: Session, subscriber_id: int) -> Subscriber | None:
    return session.get(Subscriber, subscriber_id)
