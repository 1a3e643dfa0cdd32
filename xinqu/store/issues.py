"""Issues: numbered, dated, with their content frozen at build time.

This module owns the table ``issues``. An issue's ``content`` is the JSON of
product.md (the data); ``subject``, ``text`` and ``html`` are its rendered mail
bodies, frozen too, so delivery never renders anew. The one per-recipient part,
the signed unsubscribe link, appears in the frozen bodies as
``UNSUBSCRIBE_PLACEHOLDER`` and is substituted at send time. ``web_html`` is the
web copy (every 其他动态 entry, where a mail lists the first ones), frozen at the
same moment.

An issue is a ``draft`` until approved (``approved``); once its sending began
(any delivery record) it is never rebuilt: a correction is a new issue whose
``corrects`` names it (0 for an ordinary issue) and which may cover the same period.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, Text, UniqueConstraint, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, Session, mapped_column

from xinqu.store.base import Base, UTCDateTime

#: Stands for the recipient's own unsubscribe URL in a frozen body (URL-safe, no
#: characters that HTML or quoted-printable would change).
UNSUBSCRIBE_PLACEHOLDER = "XINQU-UNSUBSCRIBE-URL"


class Issue(Base):
    __tablename__ = "issues"
    __table_args__ = (
        UniqueConstraint("since", "until", "corrects", name="uq_issue_period"),
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
    status: Mapped[str] = mapped_column(String(16), default="draft", doc="draft | approved")
    content: Mapped[str] = mapped_column(Text, doc="the issue as JSON (product.md)")
    subject: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    web_html: Mapped[str | None] = mapped_column(Text, doc="the web copy; None before 0013")
    corrects: Mapped[int] = mapped_column(
        Integer, default=0, server_default=sql_text("0"), doc="number of the issue corrected, or 0"
    )

    @property
    def web_copy(self) -> str:
        """The frozen HTML the web archive shows (the mail HTML for issues before 0013)."""
        return self.web_html if self.web_html is not None else self.html


def issue_by_id(session: Session, issue_id: int) -> Issue | None:
    return session.get(Issue, issue_id)


def issue_by_number(session: Session, number: int) -> Issue | None:
    return session.scalar(select(Issue).where(Issue.number == number))


def latest_issue(session: Session) -> Issue | None:
    """The issue with the highest running number, or None before the first."""
    return session.scalars(select(Issue).order_by(Issue.number.desc()).limit(1)).first()


def all_issues(session: Session) -> list[Issue]:
    """Every issue, by running number."""
    return list(session.scalars(select(Issue).order_by(Issue.number)))


def issue_for_period(session: Session, since: date, until: date) -> Issue | None:
    """The ordinary issue (not a correction) of exactly this period."""
    return session.scalar(
        select(Issue).where(Issue.since == since, Issue.until == until, Issue.corrects == 0)
    )


def correction_of(session: Session, number: int) -> Issue | None:
    return session.scalar(select(Issue).where(Issue.corrects == number))
