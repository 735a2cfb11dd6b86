"""Reading many rows a page at a time, for exports: memory holds one page, not the table.

Pages follow a key (columns that together are unique and ordered), not an OFFSET: each
page starts after the last row of the one before with an index seek, so the thousandth
page costs what the first does. Read inside one transaction (`Database.read()` or the
export's own), the pages together are one consistent picture.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

PAGE = 1000


async def keyset_rows(
    conn: AsyncConnection,
    query: Select[Any],
    key: Sequence[ColumnElement[Any]],
    *,
    page: int = PAGE,
) -> AsyncIterator[Row[Any]]:
    """Every row of `query` in `key` order, read `page` rows at a time. The key's columns
    must be among the query's selected columns and never NULL."""
    ordered = query.order_by(*key).limit(page)
    last: tuple[Any, ...] | None = None
    while True:
        statement = ordered if last is None else ordered.where(tuple_(*key) > tuple_(*last))
        rows = (await conn.execute(statement)).all()
        for row in rows:
            yield row
        if len(rows) < page:
            return
        last = tuple(rows[-1]._mapping[column] for column in key)
