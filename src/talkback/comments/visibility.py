"""Status changes of comments, keeping the thread's counters true in the same transaction.

- `threads.comment_count` counts approved comments;
- `comments.reply_count` counts a comment's visible direct replies;
- a comment is visible when approved, or deleted with visible replies (a placeholder);
- `threads.version` grows with every change a reader could see, which is what makes
  cached pages and ETags safe.
When a comment appears or disappears, its parent's reply count changes, which can make a
deleted parent appear or disappear in turn, and so on up the tree.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback.comments.views import PUBLIC_COLUMNS, public_comment
from talkback.events.changes import CommentStatusChanged, ThreadRef
from talkback.store.tables import comments, threads


def is_visible(status: str, reply_count: int) -> bool:
    return status == "approved" or (status == "deleted" and reply_count > 0)


async def change_status(
    conn: AsyncConnection, site_id: str, row: Any, status: str, **values: Any
) -> CommentStatusChanged:
    """Give the comment `row` (read by `comment_in_locked_thread`, thread locked) a new
    status and other values; the change as an event, built from what the statements
    returned (the comment's public view, the thread's new count)."""
    public = (
        await conn.execute(
            update(comments)
            .where(comments.c.id == row.id)
            .values(status=status, **values)
            .returning(*PUBLIC_COLUMNS)
        )
    ).one()
    approved = (status == "approved") - (row.status == "approved")
    count = await bump_thread(conn, row.thread_id, approved=approved)
    was_visible = is_visible(row.status, row.reply_count)
    now_visible = is_visible(status, row.reply_count)
    if was_visible != now_visible:
        await propagate_to_parents(conn, row.parent_id, 1 if now_visible else -1)
    thread = ThreadRef(site_id, row.thread_uri, count)
    return CommentStatusChanged(thread, str(row.status), public_comment(public))


async def bump_thread(conn: AsyncConnection, thread_id: int, *, approved: int = 0) -> int:
    """Count `approved` more (or fewer) approved comments, mark the thread changed, and
    return its new comment count."""
    count: int = (
        await conn.execute(
            update(threads)
            .where(threads.c.id == thread_id)
            .values(comment_count=threads.c.comment_count + approved, version=threads.c.version + 1)
            .returning(threads.c.comment_count)
        )
    ).scalar_one()
    return count


async def propagate_to_parents(conn: AsyncConnection, parent_id: int | None, delta: int) -> None:
    """A child of `parent_id` appeared (+1) or disappeared (-1); walk up while that changes
    whether the parent itself is visible."""
    while parent_id is not None:
        parent = (
            await conn.execute(
                update(comments)
                .where(comments.c.id == parent_id)
                .values(reply_count=comments.c.reply_count + delta)
                .returning(comments.c.status, comments.c.reply_count, comments.c.parent_id)
            )
        ).one()
        before = is_visible(parent.status, parent.reply_count - delta)
        if before == is_visible(parent.status, parent.reply_count):
            return
        parent_id = parent.parent_id
