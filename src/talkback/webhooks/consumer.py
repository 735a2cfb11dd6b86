"""Queue one delivery per subscribed endpoint, in the transaction of the change.

An in-transaction consumer of the dispatcher: the outbox rows commit with the comment,
report or donation that caused them, or not at all, so no event is lost between the
change and its webhook and none is announced for a change that rolled back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback import clock
from talkback.events.changes import ChangeEvent
from talkback.outbox.messages import enqueue
from talkback.store.tables import webhook_endpoints
from talkback.webhooks.events import PING, envelope, webhook_event

KIND = "webhook"


async def webhook_consumer(conn: AsyncConnection, events: Sequence[ChangeEvent]) -> None:
    endpoints_of: dict[str, list[Any]] = {}
    for event in events:
        hook = webhook_event(event)
        if hook is None:
            continue
        if hook.site_id not in endpoints_of:
            endpoints_of[hook.site_id] = await _active_endpoints(conn, hook.site_id)
        for endpoint in endpoints_of[hook.site_id]:
            if hook.name in endpoint.events:
                await queue_delivery(
                    conn, endpoint, envelope(hook.name, hook.site_id, hook.data, clock.now())
                )


async def queue_ping(conn: AsyncConnection, endpoint: Any) -> int:
    """The admin's "Send test event": a `ping` to this endpoint, whatever it subscribed to."""
    data = {"endpoint_id": endpoint.id, "message": "A test event from Talkback."}
    return await queue_delivery(conn, endpoint, envelope(PING, endpoint.site_id, data, clock.now()))


async def queue_delivery(conn: AsyncConnection, endpoint: Any, payload: dict[str, Any]) -> int:
    return await enqueue(
        conn, site_id=endpoint.site_id, channel="webhook", kind=KIND, recipient=endpoint.url,
        payload=payload, endpoint_id=endpoint.id,
    )  # fmt: skip


ACTIVE_ENDPOINTS = (
    select(webhook_endpoints.c.id, webhook_endpoints.c.site_id, webhook_endpoints.c.url,
           webhook_endpoints.c.events)
    .where(webhook_endpoints.c.site_id == bindparam("site_id"),
           webhook_endpoints.c.active.is_(True))
    .order_by(webhook_endpoints.c.id)
)  # fmt: skip
"""Built once: every published comment runs it on the writer's path."""


async def _active_endpoints(conn: AsyncConnection, site_id: str) -> list[Any]:
    return list(await conn.execute(ACTIVE_ENDPOINTS, {"site_id": site_id}))
