"""Recomputing a thread's counters from its rows, for changes made in bulk.

Posting and deleting keep the counters up to date one step at a time (see the invariants
in `comments/posting.py`). Imports and reader-data deletion change many comments of a
thread at once; for them, counting the thread afresh is simpler and cannot drift:
- `threads.comment_count` is the number of approved comments;
- `comments.reply_count` is the number of visible direct replies, where a reply is
  visible when approved, or deleted with visible replies of its own (a placeholder);
- `threads.version` is bumped when anything a reader could see has changed.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback.store.tables import comments, threads


async def recount_thread(conn: AsyncConnection, thread_id: int, *, changed: bool) -> bool:
    """Bring the thread's counters in line with its rows; bump its version if anything
    changed (`changed` says the caller already changed something visible). Returns whether
    the version was bumped."""
    rows = (
        await conn.execute(
            select(
                comments.c.id, comments.c.parent_id, comments.c.status, comments.c.depth,
                comments.c.reply_count,
            ).where(comments.c.thread_id == thread_id)
        )
    ).all()  # fmt: skip
    children: dict[int, list[int]] = defaultdict(list)
    status: dict[int, str] = {}
    stored: dict[int, int] = {}
    for row in rows:
        status[row.id] = row.status
        stored[row.id] = row.reply_count
        if row.parent_id is not None:
            children[row.parent_id].append(row.id)
    visible_replies: dict[int, int] = {}
    for row in sorted(rows, key=lambda r: r.depth, reverse=True):
        visible_replies[row.id] = sum(
            1
            for child in children.get(row.id, ())
            if status[child] == "approved"
            or (status[child] == "deleted" and visible_replies.get(child, 0) > 0)
        )
    fixes = [
        {"comment": comment_id, "count": count}
        for comment_id, count in visible_replies.items()
        if stored[comment_id] != count
    ]
    if fixes:
        await conn.execute(
            update(comments)
            .where(comments.c.id == bindparam("comment"))
            .values(reply_count=bindparam("count")),
            fixes,
        )
    approved = sum(1 for value in status.values() if value == "approved")
    current = await conn.scalar(select(threads.c.comment_count).where(threads.c.id == thread_id))
    if not (changed or fixes or current != approved):
        return False
    await conn.execute(
        update(threads)
        .where(threads.c.id == thread_id)
        .values(comment_count=approved, version=threads.c.version + 1)
    )
    return True
