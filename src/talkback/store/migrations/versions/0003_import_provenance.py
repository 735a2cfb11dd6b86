"""import provenance of comments; author email index

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_source", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("import_id", sa.String(length=128), nullable=True))
        batch_op.create_index("ix_comments_author_email", ["author_email"], unique=False)
        batch_op.create_index(
            "uq_comments_import", ["thread_id", "import_source", "import_id"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("uq_comments_import")
        batch_op.drop_index("ix_comments_author_email")
        batch_op.drop_column("import_id")
        batch_op.drop_column("import_source")
