"""Subscribing, confirming and unsubscribing: the rules of "Notify of".

Double opt-in: a new subscription is stored unconfirmed and a confirmation mail is queued
with it; nothing else goes to the address before the reader follows that mail's link. A
signed-in reader subscribing their account's address is confirmed at once (the sign-in
link proved the address). Asking again for the same address and target sends the
confirmation again while it is unconfirmed, and nothing once it is confirmed. Requests
are rate limited per IP hash, and confirmation mails per address, so the form cannot be
used to flood someone's inbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import ColumnElement, and_, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from typing_extensions import TypedDict

from talkback import clock
from talkback.comments.writes import claim_thread
from talkback.errors import Invalid, NotFound
from talkback.outbox.messages import enqueue
from talkback.readers.tokens import Reader
from talkback.sites.sites import Site
from talkback.store.tables import comments, subscriptions, threads
from talkback.subscriptions import tokens
from talkback.subscriptions.views import (
    Kind,
    Subscription,
    account_email,
    owned_by_reader,
    select_subscriptions,
)

if TYPE_CHECKING:
    from talkback.context import Context

CONFIRM_KIND = "subscription_confirm"
SUBSCRIBES_PER_IP = "20/hour"
CONFIRMATIONS_PER_ADDRESS = "5/hour;20/day"


class SubscribeAnswer(TypedDict):
    status: Literal["confirmation_sent", "subscribed"]
    """`confirmation_sent`: a mail asks the address to confirm; `subscribed`: it is active."""
    subscription: Subscription


@dataclass(frozen=True, slots=True)
class StoredSubscription:
    """A subscription with what its pages and mails show about it."""

    id: int
    site_id: str
    email: str
    kind: Kind
    uri: str | None
    title: str | None
    comment_id: int | None
    confirmed: bool
    locale: str | None

    @classmethod
    def from_row(cls, row: Any) -> StoredSubscription:
        return cls(
            id=row.id, site_id=row.site_id, email=row.email, kind=row.kind, uri=row.uri,
            title=row.title, comment_id=row.comment_id, confirmed=row.confirmed_at is not None,
            locale=row.locale,
        )  # fmt: skip


def normalise_email(raw: str) -> str:
    """The address as stored and compared: checked, and lower-cased whole (mail systems
    treat local parts without regard to case, and one reader must not get two mails)."""
    try:
        checked = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise Invalid(f"email: {exc}", code="invalid_email") from exc
    return str(checked.normalized).lower()


async def subscribe(
    ctx: Context,
    site: Site,
    uri: str,
    reader: Reader,
    *,
    kind: Kind,
    email: str | None,
    comment_id: int | None,
) -> SubscribeAnswer:
    ctx.mail.require()
    if kind == "comment" and comment_id is None:
        raise Invalid("comment_id: required for a comment subscription", code="invalid_comment")
    if kind != "comment" and comment_id is not None:
        raise Invalid("comment_id: only for a comment subscription", code="invalid_comment")
    address = normalise_email(email) if email is not None else None
    await ctx.rate_limits.check(
        SUBSCRIBES_PER_IP, "subscribe-ip", site.id, reader.ip_hash, what="subscription requests"
    )

    async def job(conn: AsyncConnection) -> SubscribeAnswer:
        account = await account_email(conn, site.id, reader.reader_id)
        to = address or account
        if to is None:
            raise Invalid("email: required unless signed in", code="invalid_email")
        proven = account is not None and to == account
        thread_id = await _target_thread(conn, site, uri, kind, comment_id)
        now = clock.now()
        existing = (
            await conn.execute(
                select(subscriptions.c.id, subscriptions.c.confirmed_at).where(
                    _same_target(site.id, to, kind, thread_id, comment_id)
                )
            )
        ).first()
        if existing is None:
            subscription_id = (
                await conn.execute(
                    insert(subscriptions)
                    .values(
                        site_id=site.id, email=to, kind=kind, thread_id=thread_id,
                        comment_id=comment_id, reader_id=reader.reader_id, locale=site.locale,
                        confirmed_at=now if proven else None, created_at=now,
                    )
                    .returning(subscriptions.c.id)
                )
            ).scalar_one()  # fmt: skip
            confirmed = proven
        else:
            subscription_id, confirmed = existing.id, existing.confirmed_at is not None
            if not confirmed and proven:
                await conn.execute(
                    update(subscriptions)
                    .where(subscriptions.c.id == subscription_id)
                    .values(confirmed_at=now)
                )
                confirmed = True
        if not confirmed:
            await ctx.rate_limits.check(
                CONFIRMATIONS_PER_ADDRESS, "subscribe-address", site.id, to,
                what="confirmation mails to this address",
            )  # fmt: skip
            await enqueue(
                conn, site_id=site.id, channel="mail", kind=CONFIRM_KIND, recipient=to,
                payload={"subscription_id": subscription_id, "uri": uri},
            )  # fmt: skip
        subscription: Subscription = {
            "id": subscription_id,
            "kind": kind,
            "uri": None if kind == "replies" else uri,
            "comment_id": comment_id,
            "confirmed": confirmed,
        }
        return {
            "status": "subscribed" if confirmed else "confirmation_sent",
            "subscription": subscription,
        }

    answer: SubscribeAnswer = await ctx.database.write(job)
    if answer["status"] == "confirmation_sent":
        ctx.outbox.worker.wake()
    return answer


async def _target_thread(
    conn: AsyncConnection, site: Site, uri: str, kind: Kind, comment_id: int | None
) -> int | None:
    """The thread a subscription is to: none for `replies` (they follow an address across
    the site); for `thread`, created if the article has no comment yet, as posting the
    first comment would; for `comment`, the thread of a comment readers can see."""
    if kind == "replies":
        return None
    if kind == "thread":
        statement = claim_thread(conn.dialect.name, fills_title=False)
        values = {
            "site_id": site.id, "uri": uri, "title": None, "comment_count": 0, "version": 0,
            "created_at": clock.now(), "approved": 0,
        }  # fmt: skip
        return int((await conn.execute(statement, values)).one().id)
    row = (
        await conn.execute(
            select(comments.c.thread_id)
            .join(threads, threads.c.id == comments.c.thread_id)
            .where(
                comments.c.id == comment_id,
                comments.c.status == "approved",
                threads.c.site_id == site.id,
                threads.c.uri == uri,
            )
        )
    ).first()
    if row is None:
        raise NotFound("no such comment on this page", code="comment_not_found")
    return int(row.thread_id)


def _same_target(
    site_id: str, email: str, kind: Kind, thread_id: int | None, comment_id: int | None
) -> ColumnElement[bool]:
    return and_(
        subscriptions.c.site_id == site_id,
        subscriptions.c.email == email,
        subscriptions.c.kind == kind,
        subscriptions.c.thread_id.is_(None)
        if thread_id is None
        else subscriptions.c.thread_id == thread_id,
        subscriptions.c.comment_id.is_(None)
        if comment_id is None
        else subscriptions.c.comment_id == comment_id,
    )


async def stored_subscription(ctx: Context, subscription_id: int) -> StoredSubscription | None:
    async with ctx.database.read() as conn:
        return await load_subscription(conn, subscription_id)


async def load_subscription(
    conn: AsyncConnection, subscription_id: int
) -> StoredSubscription | None:
    row = (
        await conn.execute(select_subscriptions().where(subscriptions.c.id == subscription_id))
    ).first()
    return None if row is None else StoredSubscription.from_row(row)


async def confirm(ctx: Context, token: str) -> StoredSubscription:
    """Confirm the subscription a confirmation token names (again is fine)."""
    subscription_id = tokens.confirmed_subscription(ctx.secret_key, token)

    async def job(conn: AsyncConnection) -> StoredSubscription:
        await conn.execute(
            update(subscriptions)
            .where(subscriptions.c.id == subscription_id, subscriptions.c.confirmed_at.is_(None))
            .values(confirmed_at=clock.now())
        )
        stored = await load_subscription(conn, subscription_id)
        if stored is None:
            raise NotFound("this subscription was removed", code="subscription_not_found")
        return stored

    return await ctx.database.write(job)


async def unsubscribe(ctx: Context, subscription_id: int, email: str) -> None:
    """Remove one subscription of `email`; removing one already gone is not an error."""
    await ctx.database.write(
        lambda conn: conn.execute(
            delete(subscriptions).where(
                subscriptions.c.id == subscription_id, subscriptions.c.email == email
            )
        )
    )


async def address_subscriptions(ctx: Context, site_id: str, email: str) -> list[StoredSubscription]:
    """Every subscription of an address on a site, for its manage page."""
    rows = await ctx.database.read_rows(
        select_subscriptions()
        .where(subscriptions.c.site_id == site_id, subscriptions.c.email == email)
        .order_by(subscriptions.c.id)
    )
    return [StoredSubscription.from_row(row) for row in rows]


async def remove_for_address(ctx: Context, site_id: str, email: str, subscription_id: int) -> None:
    await ctx.database.write(
        lambda conn: conn.execute(
            delete(subscriptions).where(
                subscriptions.c.id == subscription_id,
                subscriptions.c.site_id == site_id,
                subscriptions.c.email == email,
            )
        )
    )


async def remove_for_reader(ctx: Context, site: Site, reader: Reader, subscription_id: int) -> None:
    """A reader removes one of their own (by reader token or account address)."""

    async def job(conn: AsyncConnection) -> None:
        mine = await owned_by_reader(conn, site.id, reader.reader_id)
        removed = await conn.execute(
            delete(subscriptions).where(subscriptions.c.id == subscription_id, mine)
        )
        if not removed.rowcount:
            raise NotFound("no such subscription of yours", code="subscription_not_found")

    await ctx.database.write(job)
