"""article_processing.area (+ where, evidence): the area the story is about; the editor's area

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import xinqu.store.base

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("article_processing", schema=None) as batch_op:
        batch_op.add_column(sa.Column("area", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("area_where", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("area_evidence", sa.Text(), nullable=True))
    op.create_table(
        "article_area_overrides",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("updated_at", xinqu.store.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id"),
    )


def downgrade() -> None:
    op.drop_table("article_area_overrides")
    with op.batch_alter_table("article_processing", schema=None) as batch_op:
        batch_op.drop_column("area_evidence")
        batch_op.drop_column("area_where")
        batch_op.drop_column("area")
