"""Who hears of a comment that readers can now see, queued with the change itself.

An in-transaction consumer of the dispatcher: when a comment is published at once
(`CommentCreated.visible`) or approved later (`CommentStatusChanged.appeared`), the
notification mails are written to the outbox in the same transaction, so an approval and
its mails are stored together or not at all. Held, refused, shadowed and deleted comments
cause no event of those kinds, so they notify nobody.

Recipients are the confirmed `thread` subscribers of the thread, the confirmed `replies`
subscribers whose comment this one answers (by the address the parent was written with,
or the account of the reader who wrote it) and the confirmed `comment` subscribers of the
parent; each address once, never the comment's own author.

Digest: one mail per (address, thread). If that address already has a mail about the
thread waiting, the comment is added to it; otherwise a new one waits for the site's
digest window (`not_before`), collecting what else comes in meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import CompoundSelect, Integer, String, bindparam, func, select, union, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback import clock
from talkback.events.changes import ChangeEvent, CommentCreated, CommentStatusChanged
from talkback.events.dispatcher import InTransaction
from talkback.outbox.messages import enqueue, pending_in_group, replace_payload
from talkback.store.tables import comments, reader_accounts, subscriptions
from talkback.subscriptions.views import SPECIFICITY, account_email

if TYPE_CHECKING:
    from talkback.context import Context

NOTIFY_KIND = "comment_notification"


def notification_consumer(ctx: Context) -> InTransaction:
    async def consume(conn: AsyncConnection, events: Sequence[ChangeEvent]) -> None:
        for event in events:
            appeared = (isinstance(event, CommentCreated) and event.visible) or (
                isinstance(event, CommentStatusChanged) and event.appeared
            )
            if appeared:
                assert isinstance(event, CommentCreated | CommentStatusChanged)
                site = await ctx.sites.get(event.thread.site_id)
                await queue_notifications(
                    conn, site.id, int(event.comment["id"]), site.digest_window_seconds
                )

    return consume


async def queue_notifications(
    conn: AsyncConnection, site_id: str, comment_id: int, digest_window_seconds: int
) -> None:
    # Runs inside every publishing write (on SQLite, on the one writer's critical path),
    # so the usual case, nobody to tell, costs one statement.
    candidates = (
        await conn.execute(CANDIDATES, {"site_id": site_id, "comment_id": comment_id})
    ).all()
    if not candidates:
        return
    comment = (
        await conn.execute(
            select(
                comments.c.thread_id, comments.c.author_email, comments.c.reader_id,
                comments.c.status,
            ).where(comments.c.id == comment_id)
        )
    ).one()  # fmt: skip
    if comment.status != "approved":
        return
    recipients = await _recipients(conn, site_id, comment, candidates)
    for email, subscription_id in sorted(recipients.items()):
        await _add_to_digest(
            conn, site_id, comment.thread_id, email,
            {"comment_id": comment_id, "subscription_id": subscription_id},
            digest_window_seconds,
        )  # fmt: skip


def _candidates_statement() -> CompoundSelect[Any]:
    """The confirmed subscriptions a new comment matches, as three indexed lookups: the
    `thread` subscribers of its thread, the `comment` subscribers of its parent, and the
    `replies` subscribers known by an address the parent's author wrote with (given with
    the parent, or proved by the account of the reader who wrote it).

    Built once, with the site and comment as parameters: building it (an alias of the wide
    comments table) cost more than running it.
    """
    parent = comments.alias("parent")
    site_id = bindparam("site_id", type_=String())
    comment_id = bindparam("comment_id", type_=Integer())
    thread_id = select(comments.c.thread_id).where(comments.c.id == comment_id).scalar_subquery()
    parent_id = select(comments.c.parent_id).where(comments.c.id == comment_id).scalar_subquery()
    parent_addresses = union(
        select(func.lower(parent.c.author_email)).where(parent.c.id == parent_id),
        select(func.lower(reader_accounts.c.email)).where(
            reader_accounts.c.site_id == site_id,
            reader_accounts.c.id
            == select(parent.c.reader_id).where(parent.c.id == parent_id).scalar_subquery(),
        ),
    )
    confirmed = select(
        subscriptions.c.id, subscriptions.c.email, subscriptions.c.kind, subscriptions.c.reader_id
    ).where(subscriptions.c.site_id == site_id, subscriptions.c.confirmed_at.is_not(None))
    return union_all(
        confirmed.where(subscriptions.c.kind == "thread", subscriptions.c.thread_id == thread_id),
        confirmed.where(subscriptions.c.kind == "comment", subscriptions.c.comment_id == parent_id),
        confirmed.where(
            subscriptions.c.kind == "replies", subscriptions.c.email.in_(parent_addresses)
        ),
    )


CANDIDATES = _candidates_statement()


async def _recipients(
    conn: AsyncConnection, site_id: str, comment: Any, candidates: Sequence[Any]
) -> dict[str, int]:
    """Address → the most specific of its subscriptions that this comment matches, the
    comment's own author left out."""
    author = await _addresses(conn, site_id, comment)
    chosen: dict[str, tuple[int, int]] = {}
    for row in candidates:
        if row.email in author or (row.reader_id and row.reader_id == comment.reader_id):
            continue
        rank = (SPECIFICITY[row.kind], row.id)
        if row.email not in chosen or rank < chosen[row.email]:
            chosen[row.email] = rank
    return {email: rank[1] for email, rank in chosen.items()}


async def _addresses(conn: AsyncConnection, site_id: str, comment: Any) -> set[str]:
    """The addresses a comment's author is known by: the one given with it, and the one of
    the account of the reader who wrote it."""
    found = {comment.author_email.lower()} if comment.author_email else set()
    account = await account_email(conn, site_id, comment.reader_id)
    if account is not None:
        found.add(account)
    return found


async def _add_to_digest(
    conn: AsyncConnection,
    site_id: str,
    thread_id: int,
    email: str,
    item: dict[str, int],
    digest_window_seconds: int,
) -> None:
    group_key = f"notify:{thread_id}:{email}"
    waiting = await pending_in_group(conn, group_key)
    if waiting is not None:
        outbox_id, payload = waiting
        payload["items"] = [*payload["items"], item]
        await replace_payload(conn, outbox_id, payload)
        return
    not_before = (
        clock.now() + timedelta(seconds=digest_window_seconds) if digest_window_seconds else None
    )
    await enqueue(
        conn, site_id=site_id, channel="mail", kind=NOTIFY_KIND, recipient=email,
        payload={"thread_id": thread_id, "items": [item]}, not_before=not_before,
        group_key=group_key,
    )  # fmt: skip
