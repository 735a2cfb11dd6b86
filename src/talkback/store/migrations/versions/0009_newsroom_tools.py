"""newsroom tools: pinned and featured comments, staff badges, closed threads and a site's
automatic closing, a password an admin set that must be changed

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from talkback.store.types import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("auto_close_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("threads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("close_override", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("close_message", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("closed_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pinned_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("featured_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("author_badge", sa.String(length=16), nullable=True))
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_column("author_badge")
        batch_op.drop_column("featured_at")
        batch_op.drop_column("pinned_at")
    with op.batch_alter_table("threads", schema=None) as batch_op:
        batch_op.drop_column("closed_at")
        batch_op.drop_column("close_message")
        batch_op.drop_column("close_override")
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_column("auto_close_days")
