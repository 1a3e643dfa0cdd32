"""Issues: numbered, dated, with their content frozen at build time.

This module owns the table ``issues``. An issue's ``content`` is the JSON of
product.md (the data); ``subject``, ``text`` and ``html`` are its rendered mail
bodies, frozen too, so delivery never renders anew. The one per-recipient part,
the signed unsubscribe link, appears in the frozen bodies as
``UNSUBSCRIBE_PLACEHOLDER`` and is substituted at send time.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from xinqu.store.base import Base, UTCDateTime

#: Stands for the recipient's own unsubscribe URL in a frozen body (URL-safe, no
#: characters that HTML or quoted-printable would change).
UNSUBSCRIBE_PLACEHOLDER = "XINQU-UNSUBSCRIBE-URL"


class Issue(Base):
    __tablename__ = "issues"
    __table_args__ = (
        UniqueConstraint("since", "until", name="uq_issue_period"),
        UniqueConstraint("year", "year_number", name="uq_issue_year_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True, doc="running number (总第N期)")
    year: Mapped[int] = mapped_column(Integer)
    year_number: Mapped[int] = mapped_column(Integer, doc="number within the year (第N期)")
    issue_date: Mapped[date] = mapped_column(Date)
    since: Mapped[date] = mapped_column(Date)
    until: Mapped[date] = mapped_column(Date)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="built")
    content: Mapped[str] = mapped_column(Text, doc="the issue as JSON (product.md)")
    subject: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)


def issue_by_number(session: Session, number: int) -> Issue | None:
    return session.scalar(select(Issue).where(Issue.number == number))


def latest_issue(session: Session) -> Issue | None:
    """The issue with the highest running number, or None before the first."""
    return session.scalars(select(Issue).order_by(Issue.number.desc()).limit(1)).first()
