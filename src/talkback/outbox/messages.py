"""Writing to the outbox, inside the caller's transaction."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback import clock
from talkback.store.tables import outbox

Channel = Literal["mail", "webhook"]
Status = Literal["pending", "sending", "sent", "failed", "dropped"]
"""`pending` waits for `not_before`; `sending` is leased by a worker until `leased_until`;
`failed` gave up after the last retry (kept, with its error, for staff to retry);
`dropped` had nothing left to send when its turn came (say, every comment of a digest was
deleted first)."""


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One row as a worker hands it to the handler of its `kind`."""

    id: int
    site_id: str | None
    channel: Channel
    kind: str
    recipient: str
    payload: dict[str, Any]
    message_id: str
    endpoint_id: int | None
    attempts: int
    created_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> OutboxItem:
        return cls(
            id=row.id,
            site_id=row.site_id,
            channel=row.channel,
            kind=row.kind,
            recipient=row.recipient,
            payload=dict(row.payload),
            message_id=row.message_id,
            endpoint_id=row.endpoint_id,
            attempts=row.attempts,
            created_at=row.created_at,
        )


def new_message_id() -> str:
    return secrets.token_hex(16)


_queued_in_this_process = 0


def queued_in_this_process() -> int:
    """How many messages `enqueue` has added in this process (committed or not).

    The outbox worker is woken after a commit only when this moved: most changes (a
    comment nobody subscribed to) queue nothing, and a look at the outbox after each of
    them was a database read on every post. Messages queued by other processes are found
    by the worker's poll, as before.
    """
    return _queued_in_this_process


async def enqueue(
    conn: AsyncConnection,
    *,
    site_id: str | None,
    channel: Channel,
    kind: str,
    recipient: str,
    payload: dict[str, Any],
    not_before: datetime | None = None,
    group_key: str | None = None,
    endpoint_id: int | None = None,
) -> int:
    """Add one message to send once the caller's transaction commits; returns its id."""
    global _queued_in_this_process
    _queued_in_this_process += 1
    now = clock.now()
    return int(
        (
            await conn.execute(
                insert(outbox)
                .values(
                    site_id=site_id,
                    channel=channel,
                    kind=kind,
                    recipient=recipient,
                    payload=payload,
                    message_id=new_message_id(),
                    endpoint_id=endpoint_id,
                    group_key=group_key,
                    status="pending",
                    attempts=0,
                    not_before=not_before or now,
                    created_at=now,
                )
                .returning(outbox.c.id)
            )
        ).scalar_one()
    )


async def pending_in_group(
    conn: AsyncConnection, group_key: str
) -> tuple[int, dict[str, Any]] | None:
    """The message of `group_key` that no worker has taken yet, locked until commit.

    A digest adds to it instead of queueing a second mail. The row is locked (on
    PostgreSQL) so a worker cannot take it between this read and the caller's update; a
    worker that took it first has made it `sending`, and then a new digest starts.
    """
    row = (
        await conn.execute(
            select(outbox.c.id, outbox.c.payload)
            .where(outbox.c.group_key == group_key, outbox.c.status == "pending")
            .order_by(outbox.c.id)
            .limit(1)
            .with_for_update()
        )
    ).first()
    return None if row is None else (row.id, dict(row.payload))


async def replace_payload(conn: AsyncConnection, outbox_id: int, payload: dict[str, Any]) -> None:
    await conn.execute(update(outbox).where(outbox.c.id == outbox_id).values(payload=payload))


async def forget_recipient(conn: AsyncConnection, site_id: str, email: str) -> int:
    """Delete the site's mail to `email`, sent or waiting, with its attempts: part of
    deleting a reader's data, so the outbox neither keeps their address in its log nor
    mails them after they asked to be forgotten. Returns how many mails went."""
    gone = await conn.execute(
        delete(outbox).where(
            outbox.c.site_id == site_id,
            outbox.c.channel == "mail",
            func.lower(outbox.c.recipient) == email.strip().lower(),
        )
    )
    return int(gone.rowcount)
