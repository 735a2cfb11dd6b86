"""An endpoint's deliveries as staff read them, and what staff can do with them: send a
test event, send a failed delivery again.

A delivery is an outbox row of the endpoint; its attempts are `outbox_attempts` rows.
Deliveries of a deleted endpoint are gone with it (ON DELETE CASCADE).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection
from typing_extensions import TypedDict

from talkback.comments.views import iso
from talkback.context import Context
from talkback.errors import Conflict, NotFound
from talkback.outbox.worker import retry_now
from talkback.sites.sites import Site
from talkback.staff.accounts import StaffMember
from talkback.store.tables import outbox, outbox_attempts
from talkback.webhooks.consumer import queue_ping
from talkback.webhooks.endpoints import audit_webhook, endpoint_row


class Attempt(TypedDict):
    at: str
    ok: bool
    status_code: int | None
    """The receiver's HTTP status; null when it never answered (timeout, connection)."""
    duration_ms: int
    error: str | None


class Delivery(TypedDict):
    """One event sent to one endpoint, however many attempts it took."""

    id: int
    delivery_id: str
    """The `Talkback-Delivery` header, the same on every attempt."""
    type: str
    status: str
    """pending, sending, sent, failed (gave up; can be sent again) or dropped."""
    attempts: int
    last_error: str | None
    created_at: str
    sent_at: str | None
    next_attempt_at: str | None
    """When a pending delivery is tried (again)."""
    attempt_log: list[Attempt]


async def list_deliveries(
    ctx: Context, site: Site, endpoint_id: int, *, limit: int, offset: int
) -> list[Delivery]:
    """Newest first, each with its attempts, oldest first."""
    async with ctx.database.read() as conn:
        await endpoint_row(conn, site, endpoint_id)
        rows = (
            await conn.execute(
                select(outbox)
                .where(outbox.c.endpoint_id == endpoint_id)
                .order_by(outbox.c.id.desc())
                .limit(limit)
                .offset(offset)
            )
        ).all()
        attempts = await _attempts(conn, [row.id for row in rows])
    return [_delivery(row, attempts.get(row.id, [])) for row in rows]


async def find_delivery(ctx: Context, site: Site, endpoint_id: int, outbox_id: int) -> Delivery:
    async with ctx.database.read() as conn:
        row = await _delivery_row(conn, site, endpoint_id, outbox_id)
        attempts = await _attempts(conn, [row.id])
    return _delivery(row, attempts.get(row.id, []))


async def send_test_event(
    ctx: Context, site: Site, endpoint_id: int, staff: StaffMember
) -> Delivery:
    async def job(conn: AsyncConnection) -> int:
        endpoint = await endpoint_row(conn, site, endpoint_id)
        outbox_id = await queue_ping(conn, endpoint)
        await audit_webhook(conn, site, staff, "webhook.test", endpoint_id, {"delivery": outbox_id})
        return outbox_id

    outbox_id = await ctx.database.write(job)
    ctx.outbox.worker.wake()
    return await find_delivery(ctx, site, endpoint_id, outbox_id)


async def redeliver(
    ctx: Context, site: Site, endpoint_id: int, outbox_id: int, staff: StaffMember
) -> Delivery:
    """Send a delivery that gave up once more, from a first attempt; 409 unless failed."""

    async def job(conn: AsyncConnection) -> None:
        await _delivery_row(conn, site, endpoint_id, outbox_id)
        if not await retry_now(conn, outbox_id):
            raise Conflict("only a failed delivery can be sent again", code="not_failed")
        await audit_webhook(
            conn, site, staff, "webhook.redeliver", endpoint_id, {"delivery": outbox_id}
        )

    await ctx.database.write(job)
    ctx.outbox.worker.wake()
    return await find_delivery(ctx, site, endpoint_id, outbox_id)


def _delivery(row: Any, attempts: list[Attempt]) -> Delivery:
    return {
        "id": row.id, "delivery_id": row.message_id, "type": str(row.payload.get("type", "")),
        "status": row.status, "attempts": row.attempts, "last_error": row.last_error,
        "created_at": iso(row.created_at), "sent_at": iso(row.sent_at),
        "next_attempt_at": iso(row.not_before) if row.status == "pending" else None,
        "attempt_log": attempts,
    }  # fmt: skip


async def _attempts(conn: AsyncConnection, outbox_ids: list[int]) -> dict[int, list[Attempt]]:
    found: dict[int, list[Attempt]] = {}
    if not outbox_ids:
        return found
    rows = await conn.execute(
        select(outbox_attempts)
        .where(outbox_attempts.c.outbox_id.in_(outbox_ids))
        .order_by(outbox_attempts.c.id)
    )
    for row in rows:
        found.setdefault(row.outbox_id, []).append(
            {"at": iso(row.at), "ok": bool(row.ok), "status_code": row.status_code,
             "duration_ms": row.duration_ms, "error": row.error}
        )  # fmt: skip
    return found


async def _delivery_row(conn: AsyncConnection, site: Site, endpoint_id: int, outbox_id: int) -> Any:
    await endpoint_row(conn, site, endpoint_id)
    row = (
        await conn.execute(
            select(outbox).where(outbox.c.id == outbox_id, outbox.c.endpoint_id == endpoint_id)
        )
    ).first()
    if row is None:
        raise NotFound("no such delivery", code="delivery_not_found")
    return row
