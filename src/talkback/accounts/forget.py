"""An address's account and sign-in links, deleted with the rest of the reader's data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from typing_extensions import TypedDict

from talkback.accounts.links import forget_links
from talkback.export.site import timestamp
from talkback.store.tables import reader_accounts


class ExportedAccount(TypedDict):
    """The reader's sign-in account on the site (times as in the rest of the export)."""

    id: str
    email: str
    display_name: str | None
    created_at: str
    last_signin_at: str | None


def _of_address(site_id: str, email: str) -> Any:
    return (reader_accounts.c.site_id == site_id) & (
        func.lower(reader_accounts.c.email) == email.strip().lower()
    )


async def exported_account(
    conn: AsyncConnection, site_id: str, email: str
) -> ExportedAccount | None:
    row = (await conn.execute(select(reader_accounts).where(_of_address(site_id, email)))).first()
    if row is None:
        return None
    return {
        "id": row.id, "email": row.email, "display_name": row.display_name,
        "created_at": timestamp(row.created_at), "last_signin_at": timestamp(row.last_signin_at),
    }  # fmt: skip


async def forget_address(conn: AsyncConnection, site_id: str, email: str) -> int:
    """Delete the address's account on the site (0 or 1) and every sign-in link sent to it."""
    await forget_links(conn, site_id, email)
    gone = await conn.execute(delete(reader_accounts).where(_of_address(site_id, email)))
    return int(gone.rowcount)
