"""Query pieces shared by several services."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Table, and_, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback.store.tables import comments, threads


def visible_comment() -> ColumnElement[bool]:
    """Comments a thread shows: approved ones, and deleted ones kept as placeholders
    because visible replies hang under them."""
    return or_(
        comments.c.status == "approved",
        and_(comments.c.status == "deleted", comments.c.reply_count > 0),
    )


async def insert_if_absent(
    conn: AsyncConnection, table: Table, values: dict[str, Any], unique: list[str]
) -> bool:
    """INSERT that quietly does nothing when a row with the same unique key exists;
    True when the row was inserted."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**values).on_conflict_do_nothing(index_elements=unique)
    return (await conn.execute(statement)).rowcount == 1


async def lock_thread(conn: AsyncConnection, thread_id: int) -> str | None:
    """Lock a thread row and return its site id.

    Every write that touches a thread's comments takes this lock first, so on PostgreSQL
    writes to one thread serialise in one order and cannot deadlock; SQLite's single
    writer is alone anyway, and ignores FOR UPDATE.
    """
    site_id: str | None = await conn.scalar(
        select(threads.c.site_id).where(threads.c.id == thread_id).with_for_update()
    )
    return site_id


async def comment_in_locked_thread(conn: AsyncConnection, site_id: str, comment_id: int) -> Any:
    """The comment row with its thread's uri as `thread_uri`, the thread locked; None if it
    is not one of the site's. The uri names the thread in the change events the write
    records, so nothing reads the thread again after the commit. The thread's
    `thread_created_at`, `close_override` and `close_message` tell whether it is closed."""
    thread_id = await conn.scalar(select(comments.c.thread_id).where(comments.c.id == comment_id))
    if thread_id is None or await lock_thread(conn, thread_id) != site_id:
        return None
    return (
        await conn.execute(
            select(
                comments,
                threads.c.uri.label("thread_uri"),
                threads.c.created_at.label("thread_created_at"),
                threads.c.close_override,
                threads.c.close_message,
            )
            .join(threads, threads.c.id == comments.c.thread_id)
            .where(comments.c.id == comment_id)
        )
    ).one()
