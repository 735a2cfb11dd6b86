"""What the feeds show: the newest published comments of a site, of a thread, and of the
replies to one reader's comments, each one statement.

Only published comments (`approved`): a deleted placeholder keeps its place in a thread,
but a feed item with no words would be noise. Each statement is built once at import with
its values as parameters, as the thread page's are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, func, or_, select

from talkback.context import Context
from talkback.store.tables import comments, threads

FEED_SIZE = 50
"""Items per feed: a day of a busy thread; readers poll far more often than that."""

ENTRY_COLUMNS = (
    comments.c.id,
    comments.c.author_name,
    comments.c.author_website,
    comments.c.html,
    comments.c.created_at,
    comments.c.edited_at,
    threads.c.uri,
    threads.c.title,
)


def _newest(where: Any) -> Select[Any]:
    return (
        select(*ENTRY_COLUMNS)
        .join(threads, threads.c.id == comments.c.thread_id)
        .where(comments.c.status == "approved", where)
        .order_by(comments.c.created_at.desc(), comments.c.id.desc())
        .limit(FEED_SIZE)
    )


SITE_COMMENTS = _newest(threads.c.site_id == bindparam("site_id"))
THREAD_COMMENTS = _newest(comments.c.thread_id == bindparam("thread_id"))
_parent = comments.alias("parent")
REPLIES_TO_READER = _newest(
    and_(
        threads.c.site_id == bindparam("site_id"),
        comments.c.parent_id.in_(
            select(_parent.c.id).where(_parent.c.reader_id == bindparam("reader_id"))
        ),
        # Their own answers in a conversation are not news to them.
        or_(comments.c.reader_id.is_(None), comments.c.reader_id != bindparam("reader_id")),
    )
)
SITE_VERSION = select(
    func.count().label("threads"),
    func.coalesce(func.sum(threads.c.version), 0).label("versions"),
).where(threads.c.site_id == bindparam("site_id"))
"""A number that changes with every change to any of the site's threads (each bumps its
thread's version, and versions only grow), and the number of threads: one indexed scan
of the site's threads, never of its comments."""


async def site_comments(ctx: Context, site_id: str) -> Sequence[Row[Any]]:
    return await ctx.database.read_rows(SITE_COMMENTS, {"site_id": site_id})


async def thread_comments(ctx: Context, thread_id: int) -> Sequence[Row[Any]]:
    return await ctx.database.read_rows(THREAD_COMMENTS, {"thread_id": thread_id})


async def replies_to_reader(ctx: Context, site_id: str, reader_id: str) -> Sequence[Row[Any]]:
    return await ctx.database.read_rows(
        REPLIES_TO_READER, {"site_id": site_id, "reader_id": reader_id}
    )


async def site_version(ctx: Context, site_id: str) -> tuple[int, int]:
    rows = await ctx.database.read_rows(SITE_VERSION, {"site_id": site_id})
    row: Any = rows[0]
    return int(row.threads), int(row.versions)
