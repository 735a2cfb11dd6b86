"""Moderator alerts, queued: one digest per staff member and site, at most every N minutes.

An in-transaction consumer of the change events: a comment stored as held (`pending`) or
a reader's report adds an item to the staff member's pending digest for that site (the
outbox row of group `modalert:{site}:{staff}` that no worker has taken yet), or opens a
new one. A new digest waits the site's interval after the last alert sent to that person
for that site, or, when none went out within the interval, the interval from now: so
items gather for a while and nobody gets more than one alert every N minutes per site.
What the mail says is decided when it goes out (`alert_mail.py`), from the queue as it
stands then.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback import clock
from talkback.events.changes import ChangeEvent, CommentCreated, CommentReported
from talkback.events.dispatcher import InTransaction
from talkback.outbox.messages import enqueue, pending_in_group, replace_payload
from talkback.staff.accounts import ROLES
from talkback.store.tables import outbox, staff

if TYPE_CHECKING:
    from talkback.context import Context

KIND = "moderator_alert"
MAX_ITEMS = 100
"""Items a digest remembers (the newest); its mail counts the whole queue anyway."""

Item = dict[str, Any]
"""`{"kind": "held" | "reported", "comment_id": int}` as stored in the payload."""


def group_key(site_id: str, staff_id: int) -> str:
    return f"modalert:{site_id}:{staff_id}"


def waiting_items(events: Sequence[ChangeEvent]) -> dict[str, list[Item]]:
    """What the events put in a site's queue, by site: held comments and reports."""
    by_site: dict[str, list[Item]] = {}
    for event in events:
        if isinstance(event, CommentCreated) and event.comment["status"] == "pending":
            item = {"kind": "held", "comment_id": int(event.comment["id"])}
        elif isinstance(event, CommentReported):
            item = {"kind": "reported", "comment_id": event.comment_id}
        else:
            continue
        by_site.setdefault(event.thread.site_id, []).append(item)
    return by_site


def merge(items: list[Item], new: list[Item]) -> list[Item]:
    """Each (kind, comment) once, the newest MAX_ITEMS kept."""
    seen = {(i["kind"], i["comment_id"]): i for i in [*items, *new]}
    return list(seen.values())[-MAX_ITEMS:]


def alert_consumer(ctx: Context) -> InTransaction:
    async def queue_alerts(conn: AsyncConnection, events: Sequence[ChangeEvent]) -> None:
        by_site = waiting_items(events)
        if not by_site or not ctx.mail.enabled:
            return
        members = (
            await conn.execute(select(staff.c.id, staff.c.email).where(staff.c.role.in_(ROLES)))
        ).all()
        for site_id, items in by_site.items():
            site = await ctx.sites.get(site_id)
            if site.moderator_alert_minutes <= 0:
                continue
            interval = timedelta(minutes=site.moderator_alert_minutes)
            for member in members:
                await _add_to_digest(conn, site_id, member.id, member.email, items, interval)

    return queue_alerts


async def _add_to_digest(
    conn: AsyncConnection,
    site_id: str,
    staff_id: int,
    email: str,
    items: list[Item],
    interval: timedelta,
) -> None:
    key = group_key(site_id, staff_id)
    pending = await pending_in_group(conn, key)
    if pending is not None:
        outbox_id, payload = pending
        payload["items"] = merge(payload.get("items", []), items)
        await replace_payload(conn, outbox_id, payload)
        return
    await enqueue(
        conn, site_id=site_id, channel="mail", kind=KIND, recipient=email,
        payload={"staff_id": staff_id, "items": merge([], items)},
        not_before=await _next_alert_at(conn, key, interval), group_key=key,
    )  # fmt: skip


async def _next_alert_at(conn: AsyncConnection, key: str, interval: timedelta) -> datetime:
    """The interval after the last alert of this group if it went out within the
    interval, else the interval from now (the time the digest gathers items)."""
    now = clock.now()
    last_sent: datetime | None = await conn.scalar(
        select(outbox.c.sent_at)
        .where(outbox.c.group_key == key, outbox.c.status == "sent")
        .order_by(outbox.c.sent_at.desc())
        .limit(1)
    )
    if last_sent is not None and last_sent > now - interval:
        return last_sent + interval
    return now + interval
