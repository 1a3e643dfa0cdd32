"""article_processing.uncertain, runner_up, margin: section calls the editor should check

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("article_processing", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("uncertain", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("runner_up", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("margin", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("article_processing", schema=None) as batch_op:
        batch_op.drop_column("margin")
        batch_op.drop_column("runner_up")
        batch_op.drop_column("uncertain")
