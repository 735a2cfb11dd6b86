"""Moderator alerts, sent: what still waits when the digest's turn comes, as one mail.

The digest's items say what happened since the last alert; by the time it goes out a
colleague may have dealt with all of them, and then nothing is sent (`NothingToSend`).
Otherwise the mail counts the whole queue as it stands, quotes a few of the digest's
comments (plain-text excerpts, never reader HTML) and links to the admin queue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback.errors import NotFound
from talkback.mail.compose import excerpt, render
from talkback.outbox.messages import OutboxItem
from talkback.outbox.worker import NothingToSend
from talkback.staff_mail.alert_digest import KIND
from talkback.store.tables import comments, staff, threads

if TYPE_CHECKING:
    from talkback.context import Context

EXCERPTS = 5

_held = comments.c.status == "pending"
_reported = and_(comments.c.report_count > 0, comments.c.status.in_(("approved", "pending")))


async def _count(conn: AsyncConnection, site_id: str, condition: Any) -> int:
    return int(
        await conn.scalar(
            select(func.count())
            .select_from(comments.join(threads, threads.c.id == comments.c.thread_id))
            .where(threads.c.site_id == site_id, condition)
        )
        or 0
    )


async def _still_waiting(conn: AsyncConnection, site_id: str, ids: list[int]) -> list[Any]:
    """The digest's comments that are still held or still have open reports, newest first."""
    if not ids:
        return []
    rows = await conn.execute(
        select(
            comments.c.id,
            comments.c.text,
            comments.c.author_name,
            comments.c.status,
            comments.c.report_count,
            threads.c.title,
            threads.c.uri,
        )
        .join(threads, threads.c.id == comments.c.thread_id)
        .where(threads.c.site_id == site_id, comments.c.id.in_(ids), or_(_held, _reported))
        .order_by(comments.c.id.desc())
    )
    return list(rows)


def install(ctx: Context) -> None:
    async def send(item: OutboxItem) -> None:
        assert item.site_id is not None
        try:
            site = await ctx.sites.get(item.site_id)
        except NotFound as exc:
            raise NothingToSend("the site was removed") from exc
        ids = sorted({int(i["comment_id"]) for i in item.payload.get("items", [])})
        async with ctx.database.read() as conn:
            member = await conn.scalar(
                select(staff.c.id).where(
                    staff.c.id == item.payload["staff_id"], staff.c.email == item.recipient
                )
            )
            if member is None:
                raise NothingToSend("the staff account was removed or changed its address")
            waiting = await _still_waiting(conn, site.id, ids)
            if not waiting:
                raise NothingToSend("everything in this alert was dealt with meanwhile")
            held = await _count(conn, site.id, _held)
            reported = await _count(conn, site.id, _reported)
        quotes = [
            {"excerpt": excerpt(row.text, 200), "author": row.author_name or "",
             "title": row.title or row.uri, "held": row.status == "pending",
             "reports": row.report_count}
            for row in waiting[:EXCERPTS]
        ]  # fmt: skip
        subject, text, html = render(
            "moderator_alert", site.locale, site_name=site.name, held=held, reported=reported,
            quotes=quotes, more=len(waiting) - len(quotes),
            queue_url=ctx.mail.link(f"/admin/{site.id}/queue"),
            reported_url=ctx.mail.link(f"/admin/{site.id}/queue", kind="reported"),
            settings_url=ctx.mail.link(f"/admin/{site.id}/settings"),
            minutes=site.moderator_alert_minutes,
        )  # fmt: skip
        await ctx.mail.send(
            ctx.mail.message(item, sender_name=site.name, subject=subject, text=text, html=html)
        )

    ctx.outbox.handle(KIND, send)
