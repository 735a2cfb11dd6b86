"""Reader reports: a reader flags a comment for the moderators, once per comment."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.ext.asyncio import AsyncConnection

from talkback import clock
from talkback.errors import Conflict, NotFound
from talkback.services.context import Context
from talkback.services.readers import Reader
from talkback.services.sites import Site
from talkback.store.queries import comment_in_locked_thread, insert_if_absent
from talkback.store.tables import reports

ReportReason = Literal["spam", "abuse", "off_topic", "other"]


async def report_comment(
    ctx: Context,
    site: Site,
    comment_id: int,
    reason: ReportReason,
    note: str | None,
    reader: Reader,
) -> None:
    """Record the reader's report; reporting the same comment again changes nothing."""

    async def job(conn: AsyncConnection) -> None:
        row = await comment_in_locked_thread(conn, site.id, comment_id)
        if row is None:
            raise NotFound("no such comment", code="comment_not_found")
        if row.status != "approved":
            raise Conflict("this comment is not shown, so it cannot be reported", code="not_shown")
        await insert_if_absent(
            conn,
            reports,
            {"comment_id": comment_id, "reporter": reader.voter, "reason": reason,
             "note": note, "created_at": clock.now()},
            ["comment_id", "reporter"],
        )  # fmt: skip

    await ctx.database.write(job)
