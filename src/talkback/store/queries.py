"""Query pieces shared by several services."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Table, and_, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback.store.tables import comments


def visible_comment() -> ColumnElement[bool]:
    """Comments a thread shows: approved ones, and deleted ones kept as placeholders
    because visible replies hang under them."""
    return or_(
        comments.c.status == "approved",
        and_(comments.c.status == "deleted", comments.c.reply_count > 0),
    )


async def insert_if_absent(
    conn: AsyncConnection, table: Table, values: dict[str, Any], unique: list[str]
) -> None:
    """INSERT that quietly does nothing when a row with the same unique key exists."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**values).on_conflict_do_nothing(index_elements=unique)
    await conn.execute(statement)


async def lock_row(conn: AsyncConnection, table: Table, row_id: int) -> Any:
    """Read a row for update (a row lock on PostgreSQL; SQLite's writer is already alone)."""
    return (await conn.execute(select(table).where(table.c.id == row_id).with_for_update())).first()
