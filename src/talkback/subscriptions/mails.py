"""The two mails of "Notify of": the confirmation of a new subscription, and the
notification (a digest of one or more comments on one thread).

Both are rendered when their turn comes, not when queued, from what is stored then: a
digest keeps only comments that are still published and subscriptions that still exist,
and is dropped (`NothingToSend`) when nothing is left, so a comment removed or a
subscription cancelled within the digest window sends nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from talkback.mail.compose import excerpt, render
from talkback.outbox.messages import OutboxItem
from talkback.outbox.worker import Handler, NothingToSend
from talkback.store.tables import comments, subscriptions, threads
from talkback.subscriptions.links import (
    article_url,
    comment_url,
    confirm_link,
    manage_link,
    unsubscribe_link,
)
from talkback.subscriptions.service import stored_subscription
from talkback.subscriptions.views import SPECIFICITY

if TYPE_CHECKING:
    from talkback.context import Context


def confirmation_handler(ctx: Context) -> Handler:
    async def send(item: OutboxItem) -> None:
        stored = await stored_subscription(ctx, int(item.payload["subscription_id"]))
        if stored is None:
            raise NothingToSend("the subscription was removed before it was confirmed")
        if stored.confirmed:
            raise NothingToSend("the subscription is confirmed already")
        site = await ctx.sites.get(stored.site_id)
        uri = stored.uri or str(item.payload["uri"])
        subject, text, html = render(
            "subscription_confirm", site.locale, site_name=site.name, kind=stored.kind,
            article_title=stored.title or uri, article_url=article_url(site, uri),
            comment_url=comment_url(site, uri, stored.comment_id) if stored.comment_id else "",
            confirm_url=confirm_link(ctx, stored.id),
        )  # fmt: skip
        await ctx.mail.send(
            ctx.mail.message(item, sender_name=site.name, subject=subject, text=text, html=html)
        )

    return send


def notification_handler(ctx: Context) -> Handler:
    async def send(item: OutboxItem) -> None:
        items: list[dict[str, int]] = item.payload["items"]
        comment_ids = sorted({entry["comment_id"] for entry in items})
        subscription_ids = sorted({entry["subscription_id"] for entry in items})
        async with ctx.database.read() as conn:
            shown = {
                row.id: row
                for row in await conn.execute(
                    select(comments.c.id, comments.c.author_name, comments.c.text)
                    .where(comments.c.id.in_(comment_ids), comments.c.status == "approved")
                    .order_by(comments.c.id)
                )
            }
            active = {
                row.id: row.kind
                for row in await conn.execute(
                    select(subscriptions.c.id, subscriptions.c.kind).where(
                        subscriptions.c.id.in_(subscription_ids),
                        subscriptions.c.email == item.recipient,
                        subscriptions.c.confirmed_at.is_not(None),
                    )
                )
            }
            thread = (
                await conn.execute(
                    select(threads.c.uri, threads.c.title).where(
                        threads.c.id == item.payload["thread_id"]
                    )
                )
            ).first()
        kept = [e for e in items if e["comment_id"] in shown and e["subscription_id"] in active]
        if thread is None or not kept:
            raise NothingToSend("its comments were taken down or its subscription removed")
        cause = min(
            {e["subscription_id"] for e in kept}, key=lambda sid: (SPECIFICITY[active[sid]], sid)
        )
        assert item.site_id is not None
        site = await ctx.sites.get(item.site_id)
        unsubscribe_url = unsubscribe_link(ctx, cause, item.recipient)
        listed = [
            {
                "author": shown[cid].author_name,
                "excerpt": excerpt(shown[cid].text),
                "url": comment_url(site, thread.uri, cid),
            }
            for cid in sorted({e["comment_id"] for e in kept})
        ]
        subject, text, html = render(
            "comment_notification", site.locale, site_name=site.name, comments=listed,
            article_title=thread.title or thread.uri, article_url=article_url(site, thread.uri),
            kind=active[cause], unsubscribe_url=unsubscribe_url,
            manage_url=manage_link(ctx, site.id, item.recipient),
        )  # fmt: skip
        message = ctx.mail.message(
            item, sender_name=site.name, subject=subject, text=text, html=html,
            unsubscribe_url=unsubscribe_url,
        )  # fmt: skip
        await ctx.mail.send(message)

    return send
