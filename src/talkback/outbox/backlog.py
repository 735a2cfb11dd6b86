"""How much the outbox has not delivered yet, for monitoring (`/metrics`)."""

from __future__ import annotations

from sqlalchemy import func, select

from talkback.outbox.messages import Status
from talkback.store.database import Database
from talkback.store.tables import outbox

WAITING: tuple[Status, ...] = ("pending", "sending", "failed")
"""The statuses of messages not yet done with; sent and dropped ones are history."""


async def outbox_backlog(database: Database) -> dict[Status, int]:
    """Messages by waiting status, every one of `WAITING` present (0 when none).

    One statement over the (status, not_before) index, reading only the rows still
    waiting, so its cost follows the backlog, not the outbox's history of sent mail.
    """
    rows = await database.read_rows(
        select(outbox.c.status, func.count().label("messages"))
        .where(outbox.c.status.in_(WAITING))
        .group_by(outbox.c.status)
    )
    counts: dict[Status, int] = dict.fromkeys(WAITING, 0)
    for row in rows:
        counts[row.status] = int(row.messages)
    return counts
