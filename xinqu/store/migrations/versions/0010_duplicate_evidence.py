"""duplicate_evidence: why processing judged two articles the same story, or possibly

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 14:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import xinqu.store.base

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "duplicate_evidence",
        sa.Column("first_id", sa.Integer(), nullable=False),
        sa.Column("second_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("containment", sa.Float(), nullable=False),
        sa.Column("lead", sa.Float(), nullable=False),
        sa.Column("shared_facts", sa.Text(), nullable=False),
        sa.Column("conflict", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("judged_at", xinqu.store.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["first_id"], ["articles.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["second_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("first_id", "second_id"),
    )
    op.create_index(
        "ix_duplicate_evidence_second_id", "duplicate_evidence", ["second_id"], unique=False
    )
    op.create_index(
        "ix_duplicate_evidence_verdict", "duplicate_evidence", ["verdict"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_duplicate_evidence_verdict", table_name="duplicate_evidence")
    op.drop_index("ix_duplicate_evidence_second_id", table_name="duplicate_evidence")
    op.drop_table("duplicate_evidence")
