"""Bulk writes for a million comments: the driver's own fast path, SQLAlchemy's types.

thread_read.py's `seed` inserts through SQLAlchemy's executemany, which costs about 30 µs
a row: fine for its one large thread, but 1,000,000 comments and their ~2,600,000 votes
would take minutes per database. Here each value still goes through the column type's own
bind processor (so UTC datetimes, JSON and ids are stored exactly as Talkback stores them),
and the rows then go to the driver in one call: `COPY` (asyncpg's
`copy_records_to_table`) on PostgreSQL, one `executemany` on SQLite. Everything runs on
the connection of the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncConnection


def driver_values(
    conn: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and rows as tuples of values ready for the driver."""
    columns = list(rows[0])
    dialect = conn.dialect
    processors = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
    ]
    values = [
        tuple(
            value if process is None else process(value)
            for value, process in zip((row[name] for name in columns), processors, strict=True)
        )
        for row in rows
    ]
    return columns, values


async def insert_rows(conn: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys) into `table` in one driver call."""
    if not rows:
        return
    columns, values = driver_values(conn, table, rows)
    raw = await conn.get_raw_connection()
    driver: Any = raw.driver_connection
    if conn.dialect.name == "postgresql":
        await driver.copy_records_to_table(table.name, records=values, columns=columns)
    else:
        marks = ", ".join("?" * len(columns))
        await driver.executemany(
            f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", values
        )


async def skip_foreign_key_checks(conn: AsyncConnection) -> None:
    """PostgreSQL: no per-row foreign-key triggers for the rest of this transaction.

    They would double the load's time; the rows reference each other correctly by
    construction, and thread_read's counter checks (run after the load) would catch a
    comment whose parent or thread is not where it should be. Needs a superuser, which the
    trust login to the local test server is.
    """
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SET LOCAL session_replication_role = replica"))


async def after_load(conn: AsyncConnection) -> None:
    """PostgreSQL: id sequences past the explicit ids (as thread_read's `seed` does)."""
    if conn.dialect.name != "postgresql":
        return
    for table in ("threads", "comments"):
        await conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        )
