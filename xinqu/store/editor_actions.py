"""The editor's actions on an issue: who did what to which item, and when.

This module owns the table ``editor_actions``. An action belongs to one issue
(its draft); the issue build replays an issue's actions on every freshly
selected draft (xinqu.issue.actions), so they survive re-processing and
rebuilds. An action names articles by id, never by position: after
re-processing, the story is found again through any of its member articles.

``note`` is what the last build said about the action: None when it was applied,
else why not (the article is gone, the section no longer exists …). Approving and
reopening are actions too (kinds ``approve`` and ``reopen``), so the log says who
approved what was sent. ``undo`` names an earlier action by id (``other_id``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from xinqu.clock import now
from xinqu.store.base import Base, UTCDateTime

#: Kinds replayed on a draft (xinqu.issue.actions), and the two that only record.
EDIT_KINDS = ("drop", "move", "pin", "headline", "area", "merge", "promote", "undo")
APPROVE, REOPEN = "approve", "reopen"


class EditorAction(Base):
    __tablename__ = "editor_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_id: Mapped[int] = mapped_column(
        ForeignKey("issues.id", ondelete="CASCADE"), index=True, doc="the issue edited"
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    editor: Mapped[str] = mapped_column(String(120), doc="who (as given by --editor)")
    kind: Mapped[str] = mapped_column(String(16), doc="drop | move | pin | … | approve | reopen")
    article_id: Mapped[int | None] = mapped_column(Integer, doc="the item acted on")
    other_id: Mapped[int | None] = mapped_column(
        Integer, doc="merge: the article merged in; undo: the action undone"
    )
    value: Mapped[str | None] = mapped_column(Text, doc="move: section key; headline; area")
    note: Mapped[str | None] = mapped_column(Text, doc="None: applied; else why not")


@dataclass(frozen=True)
class ActionRecord:
    """One action as read (detached from the session)."""

    id: int
    issue_id: int
    at: datetime
    editor: str
    kind: str
    article_id: int | None = None
    other_id: int | None = None
    value: str | None = None
    note: str | None = None


def _record(row: EditorAction) -> ActionRecord:
    return ActionRecord(
        id=row.id,
        issue_id=row.issue_id,
        at=row.at,
        editor=row.editor,
        kind=row.kind,
        article_id=row.article_id,
        other_id=row.other_id,
        value=row.value,
        note=row.note,
    )


def record_action(
    session: Session,
    issue_id: int,
    editor: str,
    kind: str,
    *,
    article_id: int | None = None,
    other_id: int | None = None,
    value: str | None = None,
) -> ActionRecord:
    """Append an action to the issue's log, stamped now."""
    row = EditorAction(
        issue_id=issue_id,
        at=now(),
        editor=editor,
        kind=kind,
        article_id=article_id,
        other_id=other_id,
        value=value,
    )
    session.add(row)
    session.flush()
    return _record(row)


def actions_for_issue(session: Session, issue_id: int) -> list[ActionRecord]:
    """The issue's whole log, oldest first."""
    rows = session.scalars(
        select(EditorAction).where(EditorAction.issue_id == issue_id).order_by(EditorAction.id)
    )
    return [_record(row) for row in rows]


def set_notes(session: Session, issue_id: int, notes: Mapping[int, str | None]) -> None:
    """Record what the last build made of each of the issue's actions (None: applied)."""
    rows = session.scalars(
        select(EditorAction).where(
            EditorAction.issue_id == issue_id, EditorAction.id.in_(list(notes))
        )
    )
    for row in rows:
        row.note = notes[row.id]
    session.flush()


def delete_action(session: Session, action_id: int) -> None:
    """Forget an action whose rebuild failed (it never took effect)."""
    row = session.get(EditorAction, action_id)
    if row is not None:
        session.delete(row)
        session.flush()
