"""report reviews: reports answered by staff are kept, marked resolved; audit entries
without a staff account name what acted

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


# From now on an audit entry without a staff account carries `actor` in its details, and
# one whose account was removed later carries none. Talkback has no way to remove a staff
# account, so every entry without one so far was the command line's, the demo's or a
# webhook's: "system".
audit_log = sa.table(
    "audit_log",
    sa.column("id", sa.BigInteger()),
    sa.column("staff_id", sa.BigInteger()),
    sa.column("details", sa.JSON()),
)


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolved_at", UTCDateTime(), nullable=True))
    bind = op.get_bind()
    bind.execute(ANSWERED_BEFORE, {"now": clock.now()})
    unattributed = bind.execute(
        sa.select(audit_log.c.id, audit_log.c.details).where(audit_log.c.staff_id.is_(None))
    ).all()
    for entry in unattributed:
        bind.execute(
            sa.update(audit_log)
            .where(audit_log.c.id == entry.id)
            .values(details={**(entry.details or {}), "actor": "system"})
        )


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("resolved_at")
