"""A mail staff send to themselves to check that mail leaves this server at all.

`talkback mail check ADDRESS` and the admin outbox page queue one; it goes through the
outbox like every other mail, so it proves the whole path (worker, transport, relay).
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncConnection

from talkback.mail.compose import render
from talkback.outbox.messages import OutboxItem, enqueue

if TYPE_CHECKING:
    from talkback.context import Context

KIND = "check_mail"


async def queue_check_mail(conn: AsyncConnection, recipient: str, *, requested_by: str) -> int:
    return await enqueue(
        conn,
        site_id=None,
        channel="mail",
        kind=KIND,
        recipient=recipient,
        payload={"requested_by": requested_by, "host": socket.gethostname()},
    )


def install(ctx: Context) -> None:
    async def send(item: OutboxItem) -> None:
        subject, text, html = render(
            "check_mail", "en", requested_by=item.payload["requested_by"],
            host=item.payload["host"], public_url=ctx.mail.public_url,
        )  # fmt: skip
        await ctx.mail.send(
            ctx.mail.message(item, sender_name="Talkback", subject=subject, text=text, html=html)
        )

    ctx.outbox.handle(KIND, send)
