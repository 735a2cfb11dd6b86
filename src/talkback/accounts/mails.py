"""The sign-in mail: a link back to the article that signs the reader in there.

Queued in the transaction that creates the link; sent by the outbox worker, which
rebuilds the token from the payload's seed (see `links.py`). A mail whose link expired
before its turn came (the mail server was down for a quarter of an hour) is dropped:
it could only disappoint.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncConnection

from talkback import clock
from talkback.accounts.links import LIFETIME, NewLink, token_for
from talkback.mail.compose import render
from talkback.outbox.messages import OutboxItem, enqueue
from talkback.outbox.worker import NothingToSend

if TYPE_CHECKING:
    from talkback.context import Context
    from talkback.sites.sites import Site

KIND = "reader_signin"
FRAGMENT = "#talkback-signin="
"""The widget on the article page reads the token from this fragment: a fragment never
reaches the web server's logs, nor a proxy's."""


async def queue_signin_mail(
    conn: AsyncConnection, site: Site, email: str, article_url: str, link: NewLink
) -> int:
    return await enqueue(
        conn,
        site_id=site.id,
        channel="mail",
        kind=KIND,
        recipient=email,
        payload={
            "seed": link.seed, "expires_at": link.expires_at.isoformat(),
            "article_url": article_url, "site_name": site.name, "locale": site.locale,
        },
    )  # fmt: skip


def install(ctx: Context) -> None:
    async def send(item: OutboxItem) -> None:
        payload = item.payload
        if clock.now() >= datetime.fromisoformat(payload["expires_at"]):
            raise NothingToSend("the sign-in link expired before the mail could be sent")
        link = payload["article_url"] + FRAGMENT + token_for(ctx.secret_key, payload["seed"])
        subject, text, html = render(
            "reader_signin", payload["locale"], site_name=payload["site_name"], link=link,
            minutes=int(LIFETIME.total_seconds() // 60),
        )  # fmt: skip
        await ctx.mail.send(
            ctx.mail.message(
                item, sender_name=payload["site_name"], subject=subject, text=text, html=html
            )
        )

    ctx.outbox.handle(KIND, send)
