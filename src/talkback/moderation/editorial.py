"""Editors' choices: pin and feature comments, close and reopen threads.

Each change runs in one transaction with its audit entry and raises the thread's version
(so cached pages and ETags move on), and open widgets hear of it after the commit: a
pinned or featured comment as `comment.updated`, a thread's closing as `thread.closing`.
Setting what is already set changes nothing and audits nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from typing_extensions import TypedDict

from talkback import clock
from talkback.comments.views import (
    PUBLIC_COLUMNS,
    PublicComment,
    iso,
    public_comment,
    public_comment_of,
)
from talkback.comments.visibility import bump_thread
from talkback.comments.writes import claim_thread
from talkback.context import Context
from talkback.core.closing import MAX_CLOSE_MESSAGE, CloseOverride, is_closed
from talkback.errors import Conflict, Invalid, NotFound
from talkback.events.changes import CommentMarked, ThreadClosing, ThreadRef
from talkback.events.dispatcher import Changes
from talkback.sites.sites import Site
from talkback.staff.accounts import StaffMember
from talkback.staff.audit import record_audit
from talkback.store.queries import comment_in_locked_thread
from talkback.store.tables import comments, threads

MAX_PINNED = 5
"""Pinned comments of one thread: each costs the first page's room above the others."""


class ThreadClosingView(TypedDict):
    """A thread's closing as staff see it: the moderator's word (`override`: "closed",
    "open" or null to follow the site), the message, and whether it is closed now."""

    uri: str
    title: str | None
    override: CloseOverride | None
    message: str | None
    closed: bool
    closed_at: str | None
    """When a moderator closed it (null when it follows the site or was reopened)."""
    auto_close_days: int
    """The site's setting (0: threads never close by themselves)."""
    comment_count: int


async def pin_comment(
    ctx: Context, site: Site, comment_id: int, staff: StaffMember, *, pinned: bool = True
) -> PublicComment:
    """Pin a top-level published comment (first on the first page, in every sort; several
    pins earliest first), or unpin it; at most MAX_PINNED per thread."""
    return await _mark(ctx, site, comment_id, staff, "pinned_at", pinned)


async def feature_comment(
    ctx: Context, site: Site, comment_id: int, staff: StaffMember, *, featured: bool = True
) -> PublicComment:
    """Feature a top-level published comment (its badge, and the Featured filter), or not."""
    return await _mark(ctx, site, comment_id, staff, "featured_at", featured)


async def _mark(
    ctx: Context, site: Site, comment_id: int, staff: StaffMember, column: str, on: bool
) -> PublicComment:
    verb = "pin" if column == "pinned_at" else "feature"

    async def job(conn: AsyncConnection, changes: Changes) -> PublicComment:
        row = await comment_in_locked_thread(conn, site.id, comment_id)
        if row is None:
            raise NotFound("no such comment", code="comment_not_found")
        if (getattr(row, column) is not None) == on:
            return public_comment_of(row)
        if on:
            _check_markable(row, verb)
            if column == "pinned_at":
                await _check_room(conn, row.thread_id)
        public = await conn.execute(
            update(comments)
            .where(comments.c.id == comment_id)
            .values({column: clock.now() if on else None})
            .returning(*PUBLIC_COLUMNS)
        )
        comment = public_comment(public.one())
        count = await bump_thread(conn, row.thread_id)
        await record_audit(
            conn, site_id=site.id, staff_id=staff.id,
            action=f"comment.{verb if on else 'un' + verb}", target=f"comment:{comment_id}",
            details={"thread": row.thread_uri},
        )  # fmt: skip
        changes.record(CommentMarked(ThreadRef(site.id, row.thread_uri, count), comment))
        return comment

    return await ctx.events.write(job)


def _check_markable(row: Any, verb: str) -> None:
    done = "pinned" if verb == "pin" else "featured"
    if row.status != "approved":
        raise Conflict(f"only a published comment can be {done}", code="not_published")
    if row.parent_id is not None:
        raise Conflict(
            f"only a top-level comment can be {done}: a reply stays under what it answers",
            code="not_top_level",
        )


async def _check_room(conn: AsyncConnection, thread_id: int) -> None:
    pinned = await conn.scalar(
        select(func.count())
        .select_from(comments)
        .where(comments.c.thread_id == thread_id, comments.c.pinned_at.is_not(None))
    )
    if (pinned or 0) >= MAX_PINNED:
        raise Conflict(
            f"this thread has {MAX_PINNED} pinned comments already: unpin one first",
            code="too_many_pins",
        )


async def set_thread_closing(
    ctx: Context,
    site: Site,
    uri: str,
    staff: StaffMember,
    *,
    override: CloseOverride | None,
    message: str | None = None,
) -> ThreadClosingView:
    """Close the thread of `uri` ("closed", with an optional message readers see in place
    of the form), reopen it against the site's clock ("open"), or let the site's clock
    decide (None). A page nobody commented on yet gets its thread now, so an article can
    be closed before its first comment."""
    text = (message or "").strip() or None
    if text is not None and len(text) > MAX_CLOSE_MESSAGE:
        raise Invalid(f"message: at most {MAX_CLOSE_MESSAGE} characters", code="invalid")
    if override != "closed":
        text = None

    async def job(conn: AsyncConnection, changes: Changes) -> ThreadClosingView:
        moment = clock.now()
        claimed = (
            await conn.execute(
                claim_thread(conn.dialect.name, fills_title=False),
                {"site_id": site.id, "uri": uri, "title": None, "comment_count": 0,
                 "version": 0, "created_at": moment, "approved": 0},
            )
        ).one()  # fmt: skip
        before = (claimed.close_override, claimed.close_message)
        if before == (override, text):
            return await _view(conn, site, claimed.id)
        await conn.execute(
            update(threads)
            .where(threads.c.id == claimed.id)
            .values(
                close_override=override, close_message=text,
                closed_at=moment if override == "closed" else None,
            )
        )  # fmt: skip
        count = await bump_thread(conn, claimed.id)
        closed = is_closed(override, claimed.created_at, site.auto_close_days, moment)
        action = {"closed": "thread.close", "open": "thread.reopen"}.get(
            override or "", "thread.follow_site"
        )
        await record_audit(
            conn, site_id=site.id, staff_id=staff.id, action=action, target=f"thread:{uri}",
            details={"before": before[0], "after": override, "message": text},
        )  # fmt: skip
        changes.record(ThreadClosing(ThreadRef(site.id, uri, count), closed, text))
        return await _view(conn, site, claimed.id)

    return await ctx.events.write(job)


async def thread_closing(ctx: Context, site: Site, uri: str) -> ThreadClosingView:
    """The thread's closing as it stands (a page without a thread is open)."""
    async with ctx.database.read() as conn:
        thread_id = await conn.scalar(
            select(threads.c.id).where(threads.c.site_id == site.id, threads.c.uri == uri)
        )
        if thread_id is None:
            return {
                "uri": uri, "title": None, "override": None, "message": None,
                "closed": False, "closed_at": None,
                "auto_close_days": site.auto_close_days or 0, "comment_count": 0,
            }  # fmt: skip
        return await _view(conn, site, thread_id)


async def _view(conn: AsyncConnection, site: Site, thread_id: int) -> ThreadClosingView:
    row = (await conn.execute(select(threads).where(threads.c.id == thread_id))).one()
    closed_at: datetime | None = row.closed_at
    return {
        "uri": row.uri, "title": row.title, "override": row.close_override,
        "message": row.close_message,
        "closed": is_closed(row.close_override, row.created_at, site.auto_close_days, clock.now()),
        "closed_at": iso(closed_at), "auto_close_days": site.auto_close_days or 0,
        "comment_count": row.comment_count,
    }  # fmt: skip
