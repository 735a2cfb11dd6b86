"""The outbox as admins see it: messages by status (failed first), retry, a test mail.

Messages that keep failing stay `failed` with their last error until an admin retries
them; a retry is audited (on the message's site, or server-wide for a test mail).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from typing_extensions import TypedDict

from talkback.comments.views import iso
from talkback.errors import Conflict, NotFound
from talkback.mail.check_mail import queue_check_mail
from talkback.outbox.messages import Status
from talkback.outbox.worker import retry_now
from talkback.staff.accounts import StaffMember, normalise_email
from talkback.staff.audit import record_audit
from talkback.store.tables import outbox

if TYPE_CHECKING:
    from talkback.context import Context

STATUS_ORDER: tuple[Status, ...] = ("failed", "pending", "sending", "dropped", "sent")


class OutboxMessage(TypedDict):
    """One message: a mail (`recipient` an address) or a webhook call (a URL)."""

    id: int
    site_id: str | None
    channel: str
    kind: str
    recipient: str
    status: str
    attempts: int
    last_error: str | None
    created_at: str
    not_before: str
    sent_at: str | None


class OutboxCounts(TypedDict):
    failed: int
    pending: int
    sending: int
    dropped: int
    sent: int


def _message(row: Any) -> OutboxMessage:
    return {
        "id": row.id, "site_id": row.site_id, "channel": row.channel, "kind": row.kind,
        "recipient": row.recipient, "status": row.status, "attempts": row.attempts,
        "last_error": row.last_error, "created_at": iso(row.created_at),
        "not_before": iso(row.not_before), "sent_at": iso(row.sent_at),
    }  # fmt: skip


async def list_messages(
    ctx: Context, *, status: Status | None, limit: int, offset: int
) -> list[OutboxMessage]:
    """Failed first, then waiting, then done; newest first within each status."""
    rank = case({s: n for n, s in enumerate(STATUS_ORDER)}, value=outbox.c.status, else_=9)
    query = select(outbox).order_by(rank, outbox.c.id.desc()).limit(limit).offset(offset)
    if status is not None:
        query = query.where(outbox.c.status == status)
    return [_message(row) for row in await ctx.database.read_rows(query)]


async def status_counts(ctx: Context) -> OutboxCounts:
    rows = await ctx.database.read_rows(
        select(outbox.c.status, func.count().label("n")).group_by(outbox.c.status)
    )
    found = {row.status: int(row.n) for row in rows}
    return {
        "failed": found.get("failed", 0), "pending": found.get("pending", 0),
        "sending": found.get("sending", 0), "dropped": found.get("dropped", 0),
        "sent": found.get("sent", 0),
    }  # fmt: skip


async def _one(conn: AsyncConnection, outbox_id: int) -> Any:
    row = (await conn.execute(select(outbox).where(outbox.c.id == outbox_id))).first()
    if row is None:
        raise NotFound(f"no outbox message {outbox_id}", code="message_not_found")
    return row


async def retry_message(ctx: Context, outbox_id: int, admin: StaffMember) -> OutboxMessage:
    """Put a failed message back in line at once, with its attempts counted afresh."""

    async def job(conn: AsyncConnection) -> OutboxMessage:
        row = await _one(conn, outbox_id)
        if not await retry_now(conn, outbox_id):
            raise Conflict(
                f"message {outbox_id} is {row.status}, not failed: only failed ones are retried",
                code="not_failed",
            )
        await record_audit(
            conn, site_id=row.site_id, staff_id=admin.id, action="outbox.retry",
            target=str(outbox_id),
            details={"kind": row.kind, "recipient": row.recipient, "error": row.last_error},
        )  # fmt: skip
        return _message(await _one(conn, outbox_id))

    message = await ctx.database.write(job)
    ctx.outbox.worker.wake()
    return message


async def send_test_mail(ctx: Context, recipient: str, admin: StaffMember) -> OutboxMessage:
    """Queue a check mail (`mail/check_mail.py`) to `recipient`, through the outbox."""
    ctx.mail.require()
    address = normalise_email(recipient)

    async def job(conn: AsyncConnection) -> OutboxMessage:
        outbox_id = await queue_check_mail(conn, address, requested_by=admin.email)
        await record_audit(
            conn, site_id=None, staff_id=admin.id, action="outbox.test_mail", target=address,
            details={},
        )  # fmt: skip
        return _message(await _one(conn, outbox_id))

    message = await ctx.database.write(job)
    ctx.outbox.worker.wake()
    return message
