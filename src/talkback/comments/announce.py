"""Telling open widgets about committed changes.

Announcements happen after the commit, so a widget never hears of a change it then cannot
read. They are best effort: the change is already safe, and a widget that missed an event
(broker down, stream reconnecting) catches up from the thread page on its next read.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from talkback.context import Context
from talkback.store.tables import threads

log = logging.getLogger(__name__)


async def announce(ctx: Context, thread_id: int, name: str, data: dict[str, Any]) -> None:
    """Publish `name` to the thread's streams, with the thread's current comment count."""
    try:
        async with ctx.database.read() as conn:
            thread = (
                await conn.execute(
                    select(threads.c.site_id, threads.c.uri, threads.c.comment_count).where(
                        threads.c.id == thread_id
                    )
                )
            ).one()
    except Exception:
        log.exception("event=announce_failed name=%s thread=%s", name, thread_id)
        return
    await publish(ctx, thread.site_id, thread.uri, name, {**data, "count": thread.comment_count})


async def publish(ctx: Context, site_id: str, uri: str, name: str, data: dict[str, Any]) -> None:
    """Publish an event whose thread (and count) the caller already knows."""
    try:
        await ctx.live.publish(site_id, uri, name, data)
    except Exception:
        log.exception("event=publish_failed name=%s site=%s uri=%s", name, site_id, uri)


async def announce_status_change(
    ctx: Context, thread_id: int, comment: dict[str, Any], before: str
) -> None:
    """Tell widgets a comment appeared or went away (a placeholder stays if it has replies)."""
    if comment["status"] == before:
        return
    if comment["status"] == "approved":
        await announce(ctx, thread_id, "comment.created", {"comment": comment})
    elif before == "approved":
        placeholder = comment if comment["status"] == "deleted" and comment["reply_count"] else None
        await announce(
            ctx, thread_id, "comment.deleted", {"id": comment["id"], "comment": placeholder}
        )
