"""report reviews: reports answered by staff are kept, marked resolved

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from talkback import clock
from talkback.store.types import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Until now a review only set the comment's `report_count` back to 0 and left its reports
# behind, and each later report added one: so a comment's open reports are its last
# `report_count` ones, and every older one was answered by staff (when is not known; the
# time of this migration stands for it).
ANSWERED_BEFORE = sa.text(
    """
    UPDATE reports SET resolved_at = :now
    WHERE (SELECT count(*) FROM reports AS later
           WHERE later.comment_id = reports.comment_id AND later.id > reports.id)
       >= (SELECT comments.report_count FROM comments WHERE comments.id = reports.comment_id)
    """
).bindparams(sa.bindparam("now", type_=UTCDateTime()))


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolved_at", UTCDateTime(), nullable=True))
    op.get_bind().execute(ANSWERED_BEFORE, {"now": clock.now()})


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("resolved_at")
