"""A subscription as readers are shown it (`/me`, the subscribe answer), and the queries
that find a reader's or an address's subscriptions."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, false, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from typing_extensions import TypedDict

from talkback.store.tables import reader_accounts, subscriptions, threads

Kind = Literal["thread", "replies", "comment"]
KINDS: tuple[Kind, ...] = ("thread", "replies", "comment")
SPECIFICITY: dict[str, int] = {"comment": 0, "replies": 1, "thread": 2}
"""Which subscription a mail is "because of" when several match: the narrowest."""


class Subscription(TypedDict):
    id: int
    kind: Kind
    uri: str | None
    """The article of a `thread` or `comment` subscription; null for `replies`, which
    covers replies to the address's comments anywhere on the site."""
    comment_id: int | None
    confirmed: bool


def select_subscriptions() -> Select[Any]:
    return select(
        subscriptions.c.id,
        subscriptions.c.site_id,
        subscriptions.c.kind,
        subscriptions.c.comment_id,
        subscriptions.c.email,
        subscriptions.c.confirmed_at,
        subscriptions.c.locale,
        threads.c.uri,
        threads.c.title,
    ).outerjoin(threads, threads.c.id == subscriptions.c.thread_id)


def subscription_view(row: Any) -> Subscription:
    return {
        "id": row.id,
        "kind": row.kind,
        "uri": row.uri,
        "comment_id": row.comment_id,
        "confirmed": row.confirmed_at is not None,
    }


async def account_email(conn: AsyncConnection, site_id: str, reader_id: str | None) -> str | None:
    """The address a signed-in reader proved by their sign-in link, if they signed in."""
    if reader_id is None:
        return None
    email: str | None = await conn.scalar(
        select(reader_accounts.c.email).where(
            reader_accounts.c.id == reader_id, reader_accounts.c.site_id == site_id
        )
    )
    return email.lower() if email else None


async def owned_by_reader(
    conn: AsyncConnection, site_id: str, reader_id: str | None
) -> ColumnElement[bool]:
    """Subscriptions a reader may see and remove: made under their reader token, or to the
    address of their account."""
    if reader_id is None:
        return false()
    email = await account_email(conn, site_id, reader_id)
    mine = [subscriptions.c.reader_id == reader_id]
    if email is not None:
        mine.append(subscriptions.c.email == email)
    return (subscriptions.c.site_id == site_id) & or_(*mine)


async def reader_subscriptions(
    conn: AsyncConnection, site_id: str, reader_id: str | None
) -> list[Subscription]:
    if reader_id is None:
        return []
    rows = await conn.execute(
        select_subscriptions()
        .where(await owned_by_reader(conn, site_id, reader_id))
        .order_by(subscriptions.c.id)
    )
    return [subscription_view(row) for row in rows]
