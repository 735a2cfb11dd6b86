"""Staff password reset by email link: ask, receive a single-use link, set a new password.

Asking always gets the same answer, whether or not the address has an account, so the
form tells nobody who is staff; it is rate limited per address and per IP. The link
carries a token that is kept nowhere (`mail/link_tokens.py`): the outbox row holds a
random nonce the token is derived from, so a copy of the database alone resets no
password. A link works for LINK_MINUTES, once; setting
the password rotates the account's session nonce (every browser signed in before is
signed out), spends every other reset link of the address and is audited.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, Select, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback import clock
from talkback.errors import Gone, Invalid
from talkback.mail.compose import render
from talkback.mail.link_tokens import link_token, token_hash
from talkback.outbox.messages import OutboxItem, enqueue
from talkback.outbox.worker import NothingToSend
from talkback.staff.accounts import hash_password, normalise_email, replace_password
from talkback.staff.audit import record_audit
from talkback.store.tables import email_links, staff

if TYPE_CHECKING:
    from talkback.context import Context

PURPOSE = "staff_reset"
KIND = "staff_reset"
LINK_MINUTES = 30
LIMIT_PER_ADDRESS = "3/hour;10/day"
LIMIT_PER_IP = "10/hour;50/day"
FORM_PATH = "/admin/password-reset/new"


@dataclass(frozen=True, slots=True)
class ResetLink:
    email: str
    expires_at: datetime


async def request_reset(ctx: Context, email: str, ip_hash: str) -> None:
    """Queue a reset mail if `email` is a staff account's; the caller answers the same
    either way. Counted against the limits before anything is looked up."""
    ctx.mail.require()
    address_key = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    await ctx.rate_limits.check(LIMIT_PER_IP, "staff-reset-ip", ip_hash, what="reset requests")
    await ctx.rate_limits.check(
        LIMIT_PER_ADDRESS, "staff-reset-email", address_key, what="reset requests"
    )
    try:
        address = normalise_email(email)
    except Invalid:
        return
    nonce = secrets.token_urlsafe(24)
    now = clock.now()

    async def job(conn: AsyncConnection) -> bool:
        if await conn.scalar(select(staff.c.id).where(staff.c.email == address)) is None:
            return False
        await conn.execute(
            insert(email_links).values(
                token_hash=token_hash(link_token(ctx.secret_key, PURPOSE, nonce)), purpose=PURPOSE,
                site_id=None, email=address, created_at=now,
                expires_at=now + timedelta(minutes=LINK_MINUTES),
            )
        )  # fmt: skip
        await enqueue(
            conn, site_id=None, channel="mail", kind=KIND, recipient=address,
            payload={"nonce": nonce},
        )  # fmt: skip
        return True

    if await ctx.database.write(job):
        ctx.outbox.worker.wake()


def _checked(row: Row[Any] | None) -> ResetLink:
    """The link a token names, or why it cannot be used."""
    if row is None:
        raise Invalid("this reset link is not valid; ask for a new one", code="invalid_reset_link")
    if row.used_at is not None:
        raise Gone("this reset link was used already; ask for a new one", code="reset_link_used")
    if row.expires_at <= clock.now():
        raise Gone("this reset link has expired; ask for a new one", code="reset_link_expired")
    return ResetLink(email=row.email, expires_at=row.expires_at)


def _link_query(hashed: str) -> Select[Any]:
    return select(email_links).where(
        email_links.c.token_hash == hashed, email_links.c.purpose == PURPOSE
    )


async def usable_link(ctx: Context, token: str) -> ResetLink:
    """Check a link without spending it (mail scanners open links too)."""
    async with ctx.database.read() as conn:
        row = (await conn.execute(_link_query(token_hash(token)))).first()
    return _checked(row)


async def complete_reset(ctx: Context, token: str, password: str) -> str:
    """Set the new password of the link's account; returns the account's address."""
    await usable_link(ctx, token)
    password_hash = await hash_password(password)
    hashed = token_hash(token)

    async def job(conn: AsyncConnection) -> str:
        link = _checked((await conn.execute(_link_query(hashed))).first())
        member = await conn.scalar(select(staff.c.id).where(staff.c.email == link.email))
        if member is None:
            raise Invalid("the account of this link no longer exists", code="invalid_reset_link")
        await conn.execute(
            update(email_links)
            .where(
                email_links.c.email == link.email,
                email_links.c.purpose == PURPOSE,
                email_links.c.used_at.is_(None),
            )
            .values(used_at=clock.now())
        )
        await replace_password(conn, member, password_hash)
        await record_audit(
            conn, site_id=None, staff_id=member, action="staff.password_reset",
            target=link.email, details={"by": "email link"},
        )  # fmt: skip
        return link.email

    return await ctx.database.write(job)


def install(ctx: Context) -> None:
    async def send(item: OutboxItem) -> None:
        token = link_token(ctx.secret_key, PURPOSE, item.payload["nonce"])
        try:
            link = await usable_link(ctx, token)
        except (Invalid, Gone) as exc:
            raise NothingToSend(f"the link can no longer be used: {exc.message}") from exc
        subject, text, html = render(
            "staff_reset", "en", email=item.recipient, minutes=LINK_MINUTES,
            link=ctx.mail.link(FORM_PATH, token=token), expires_at=link.expires_at,
            public_url=ctx.mail.public_url,
        )  # fmt: skip
        await ctx.mail.send(
            ctx.mail.message(item, sender_name="Talkback", subject=subject, text=text, html=html)
        )

    ctx.outbox.handle(KIND, send)
