"""A reader's subscriptions in their data export, and deleted with their data.

A reader's subscriptions are those to their address, and those made under a reader token
they wrote comments with or their sign-in account carries: all of it is theirs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from typing_extensions import TypedDict

from talkback.export.site import timestamp
from talkback.store.tables import reader_accounts, subscriptions, threads
from talkback.subscriptions.views import Kind


class ExportedSubscription(TypedDict):
    id: int
    kind: Kind
    page: str | None
    """The article of a `thread` or `comment` subscription; null for `replies`."""
    comment_id: int | None
    email: str
    confirmed_at: str | None
    created_at: str


async def _theirs(
    conn: AsyncConnection, site_id: str, email: str, reader_ids: Iterable[str]
) -> Any:
    address = email.strip().lower()
    ids = set(reader_ids)
    ids.update(
        await conn.scalars(
            select(reader_accounts.c.id).where(
                reader_accounts.c.site_id == site_id,
                func.lower(reader_accounts.c.email) == address,
            )
        )
    )
    return (subscriptions.c.site_id == site_id) & or_(
        subscriptions.c.email == address, subscriptions.c.reader_id.in_(sorted(ids))
    )


async def exported_subscriptions(
    conn: AsyncConnection, site_id: str, email: str, reader_ids: Iterable[str]
) -> list[ExportedSubscription]:
    rows = await conn.execute(
        select(subscriptions, threads.c.uri)
        .outerjoin(threads, threads.c.id == subscriptions.c.thread_id)
        .where(await _theirs(conn, site_id, email, reader_ids))
        .order_by(subscriptions.c.id)
    )
    return [
        {
            "id": row.id, "kind": row.kind, "page": row.uri, "comment_id": row.comment_id,
            "email": row.email, "confirmed_at": timestamp(row.confirmed_at),
            "created_at": timestamp(row.created_at),
        }
        for row in rows
    ]  # fmt: skip


async def forget_subscriptions(
    conn: AsyncConnection, site_id: str, email: str, reader_ids: Iterable[str]
) -> int:
    """Delete them; call before the reader's account is deleted (it names their reader id)."""
    gone = await conn.execute(
        delete(subscriptions).where(await _theirs(conn, site_id, email, reader_ids))
    )
    return int(gone.rowcount)
