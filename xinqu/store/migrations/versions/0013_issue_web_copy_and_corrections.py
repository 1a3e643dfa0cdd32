"""issues.web_html (the frozen web copy, its 其他动态 uncapped), issues.corrects (a correction
names the issue it corrects; it may cover the same period)

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-03 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("issues", schema=None) as batch_op:
        batch_op.add_column(sa.Column("web_html", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("corrects", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.drop_constraint("uq_issue_period", type_="unique")
        batch_op.create_unique_constraint("uq_issue_period", ["since", "until", "corrects"])
    op.execute("UPDATE issues SET status = 'draft' WHERE status = 'built'")


def downgrade() -> None:
    op.execute("UPDATE issues SET status = 'built' WHERE status = 'draft'")
    with op.batch_alter_table("issues", schema=None) as batch_op:
        batch_op.drop_constraint("uq_issue_period", type_="unique")
        batch_op.create_unique_constraint("uq_issue_period", ["since", "until"])
        batch_op.drop_column("corrects")
        batch_op.drop_column("web_html")
