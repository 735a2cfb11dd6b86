"""What staff do to a comment: approve, reject, mark spam, delete, edit.

Each action runs in one transaction with its audit entry, so the log never misses an
action nor records one that did not happen; open widgets hear of it after the commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback import clock
from talkback.comments.reports import resolve_open_reports
from talkback.comments.views import (
    PUBLIC_COLUMNS,
    PublicComment,
    public_comment,
    public_comment_of,
)
from talkback.comments.visibility import bump_thread, change_status
from talkback.context import Context
from talkback.core.markup import render_markdown
from talkback.errors import Conflict, NotFound
from talkback.events.changes import CommentEdited, ThreadRef
from talkback.events.dispatcher import Changes
from talkback.sites.sites import Site
from talkback.staff.accounts import StaffMember
from talkback.staff.audit import record_audit
from talkback.store.queries import comment_in_locked_thread
from talkback.store.tables import comments


async def approve_comment(
    ctx: Context, site: Site, comment_id: int, staff: StaffMember
) -> PublicComment:
    """Publish a held, rejected or reported comment; open widgets receive it live.

    On a published comment with open reports this is "Keep": the reports are answered and
    the comment leaves the Reported queue, audited as `comment.keep`.
    """
    return await _set_status(ctx, site, comment_id, "approved", staff, "comment.approve")


async def reject_comment(
    ctx: Context, site: Site, comment_id: int, staff: StaffMember
) -> PublicComment:
    return await _set_status(ctx, site, comment_id, "rejected", staff, "comment.reject")


async def mark_spam(ctx: Context, site: Site, comment_id: int, staff: StaffMember) -> PublicComment:
    return await _set_status(ctx, site, comment_id, "spam", staff, "comment.spam")


async def remove_comment(ctx: Context, site: Site, comment_id: int, staff: StaffMember) -> None:
    """Delete as the author would: with replies under it, it stays as a placeholder."""
    await _set_status(ctx, site, comment_id, "deleted", staff, "comment.delete")


async def edit_comment_as_staff(
    ctx: Context, site: Site, comment_id: int, text: str, staff: StaffMember
) -> PublicComment:
    html = render_markdown(text)

    async def job(conn: AsyncConnection, changes: Changes) -> PublicComment:
        row = await _staff_comment(conn, site, comment_id)
        public = await conn.execute(
            update(comments)
            .where(comments.c.id == comment_id)
            .values(text=text, html=html, edited_at=clock.now())
            .returning(*PUBLIC_COLUMNS)
        )
        comment = public_comment(public.one())
        count = await bump_thread(conn, row.thread_id)
        await record_audit(
            conn, site_id=site.id, staff_id=staff.id, action="comment.edit",
            target=f"comment:{comment_id}", details={"before": row.text, "after": text},
        )  # fmt: skip
        changes.record(CommentEdited(ThreadRef(site.id, row.thread_uri, count), comment))
        return comment

    return await ctx.events.write(job)


async def _set_status(
    ctx: Context, site: Site, comment_id: int, status: str, staff: StaffMember, action: str
) -> PublicComment:
    """Give the comment `status`; any staff decision also answers its open reports.

    Idempotent: a comment already in `status` with no open report is left as it is and
    nothing is audited. One in `status` with open reports only has them answered (readers
    see no change, so nothing is announced).
    """

    async def job(conn: AsyncConnection, changes: Changes) -> PublicComment:
        row = await _staff_comment(conn, site, comment_id)
        if row.status == "deleted" and status != "deleted":
            # Its text is gone: bringing it back would publish an empty comment.
            raise Conflict("this comment was deleted", code="comment_deleted")
        # An imported comment brings its report count without the reports behind it.
        answered = max(await resolve_open_reports(conn, comment_id), int(row.report_count))
        comment = public_comment_of(row)
        if row.status == status:
            if not answered:
                return comment
            await conn.execute(
                update(comments).where(comments.c.id == comment_id).values(report_count=0)
            )
            audited = "comment.keep" if status == "approved" else action
            details: dict[str, Any] = {"reports_resolved": answered}
        else:
            values: dict[str, Any] = {"report_count": 0}
            if status == "deleted":
                values |= {"text": "", "html": "", "anchor": None}
            changed = await change_status(conn, site.id, row, status, **values)
            changes.record(changed)
            comment = changed.comment
            audited = action
            details = {"from": row.status, "to": status}
            if answered:
                details["reports_resolved"] = answered
        await record_audit(
            conn, site_id=site.id, staff_id=staff.id, action=audited,
            target=f"comment:{comment_id}", details=details,
        )  # fmt: skip
        return comment

    return await ctx.events.write(job)


async def _staff_comment(conn: AsyncConnection, site: Site, comment_id: int) -> Any:
    row = await comment_in_locked_thread(conn, site.id, comment_id)
    if row is None:
        raise NotFound("no such comment", code="comment_not_found")
    return row
