"""Reader reports: a reader flags a comment for the moderators, once per comment.

When a site's report threshold is reached, the comment is hidden pending review: it goes
back to the moderators' queue and leaves open widgets at once. A report stays open until
staff decide on the comment (keep, approve, reject…), which answers every open report of
it; `comments.report_count` counts the open ones, and the threshold counts only those.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback import clock
from talkback.comments.visibility import change_status
from talkback.context import Context
from talkback.errors import Conflict, NotFound
from talkback.events.changes import CommentReported, ThreadRef
from talkback.events.dispatcher import Changes
from talkback.moderation.settings import ModerationSettings
from talkback.readers.tokens import Reader
from talkback.sites.sites import Site
from talkback.store.queries import comment_in_locked_thread
from talkback.store.tables import comments, reports, threads

ReportReason = Literal["spam", "abuse", "off_topic", "other"]


async def report_comment(
    ctx: Context,
    site: Site,
    comment_id: int,
    reason: ReportReason,
    note: str | None,
    reader: Reader,
) -> None:
    """Record the reader's report; reporting the same comment again changes nothing.

    Not even after staff answered the first report: one reader cannot bring back, again and
    again, a comment a moderator decided to keep. Other readers can, each once.
    """
    threshold = ModerationSettings.from_site(site.moderation).report_threshold

    async def job(conn: AsyncConnection, changes: Changes) -> None:
        row = await comment_in_locked_thread(conn, site.id, comment_id)
        if row is None:
            raise NotFound("no such comment", code="comment_not_found")
        if row.status != "approved":
            raise Conflict("this comment is not shown, so it cannot be reported", code="not_shown")
        already = await conn.scalar(
            select(reports.c.id).where(
                reports.c.comment_id == comment_id, reports.c.reporter == reader.voter
            )
        )
        if already is not None:
            return
        await conn.execute(
            insert(reports).values(
                comment_id=comment_id, reporter=reader.voter, reason=reason, note=note,
                created_at=clock.now(),
            )
        )  # fmt: skip
        open_reports = row.report_count + 1
        if open_reports >= threshold:
            hidden = await change_status(conn, site.id, row, "pending", report_count=open_reports)
            changes.record(hidden)
            thread = hidden.thread
        else:
            await conn.execute(
                update(comments)
                .where(comments.c.id == comment_id)
                .values(report_count=comments.c.report_count + 1)
            )
            count = await conn.scalar(
                select(threads.c.comment_count).where(threads.c.id == row.thread_id)
            )
            thread = ThreadRef(site.id, row.thread_uri, int(count or 0))
        changes.record(CommentReported(thread, comment_id, reason, open_reports))

    await ctx.events.write(job)


async def resolve_open_reports(conn: AsyncConnection, comment_id: int) -> int:
    """Mark the comment's open reports answered, in the caller's transaction; how many.

    The caller resets `report_count` with the status change it makes: reports and counter
    change together or not at all.
    """
    answered = await conn.execute(
        update(reports)
        .where(reports.c.comment_id == comment_id, reports.c.resolved_at.is_(None))
        .values(resolved_at=clock.now())
    )
    return int(answered.rowcount)
