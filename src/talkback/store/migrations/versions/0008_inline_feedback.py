"""inline feedback: comments without a passage hold SQL NULL (they held JSON null), and
an index over the comments that carry one

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INLINE = "parent_id IS NULL AND anchor IS NOT NULL"


def upgrade() -> None:
    json_null = (
        "anchor::text = 'null'"
        if op.get_bind().dialect.name == "postgresql"
        else ("anchor = 'null'")
    )
    op.execute(f"UPDATE comments SET anchor = NULL WHERE {json_null}")
    op.create_index(
        "ix_comments_inline",
        "comments",
        ["thread_id"],
        unique=False,
        postgresql_where=sa.text(INLINE),
        sqlite_where=sa.text(INLINE),
    )


def downgrade() -> None:
    op.drop_index("ix_comments_inline", table_name="comments")
