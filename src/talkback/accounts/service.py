"""Reader accounts: ask for a sign-in link, complete it, and what an account is.

An account is a reader id (the one their reader tokens carry) bound to an email address
on one site. Signing in on a device hands that device a reader token for the account's
id, so every device of the reader is the same reader: their comments (posted with that
id) can be edited from any of them within the edit window.

A first sign-in may adopt the reader id of the device that asked for the link, so that
what the reader posted there as a guest stays theirs. Only when the link is completed
on that same device (it sends the same reader token): otherwise whoever asked for a
link to someone else's address would have their own device signed in to that person's
account the moment the owner clicked it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from typing_extensions import TypedDict

from talkback import clock
from talkback.accounts.links import create_link, use_link
from talkback.accounts.mails import queue_signin_mail
from talkback.core.uris import InvalidUri, normalise_uri
from talkback.errors import Invalid, Unauthorized
from talkback.readers.tokens import Reader, issue_reader_token_for
from talkback.sites.sites import Site
from talkback.store.tables import reader_accounts

if TYPE_CHECKING:
    from talkback.context import Context

SIGNINS_PER_ADDRESS = "3/10minutes;10/day"
"""Links mailed to one address: enough for a lost mail or two, too few to flood an inbox."""
SIGNINS_PER_IP = "10/hour"


class PublicAccount(TypedDict):
    """The signed-in reader's account on this site, as the reader sees it."""

    email: str
    display_name: str | None
    """Shown on their comments; set on their first signed-in post or with `PATCH /me`."""


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    email: str
    display_name: str | None

    def public(self) -> PublicAccount:
        return {"email": self.email, "display_name": self.display_name}


@dataclass(frozen=True, slots=True)
class SignedIn:
    reader_token: str
    account: Account


def normalise_email(email: str) -> str:
    """One account per address, however its owner capitalises it."""
    return email.strip().lower()


def article_url(site: Site, uri: str) -> str:
    """Where the sign-in link sends the reader back to: the article they asked from.

    An absolute `uri` must be on one of the site's origins: the link carries a token that
    signs its holder in, and must never point at someone else's server.
    """
    try:
        path = normalise_uri(uri)
    except InvalidUri as exc:
        raise Invalid(f"uri: {exc}", code="invalid_uri") from exc
    origins = [origin for origin in site.origins if origin != "*"]
    parts = urlsplit(uri.strip())
    if parts.scheme:
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        if origin not in (known.lower() for known in origins):
            raise Invalid("uri: must be on one of the site's origins", code="uri_not_on_site")
        return origin + path
    if not origins:
        raise Invalid(
            'this site names no origin (only "*"), so a sign-in link cannot point at its '
            "articles; give the article's absolute URL or set the site's origins",
            code="site_has_no_origin",
        )
    return origins[0] + path


async def request_signin(ctx: Context, site: Site, email: str, uri: str, reader: Reader) -> None:
    """Mail a sign-in link to the address. The same answer whether or not it has an
    account, so nobody can find out whose addresses have one."""
    ctx.mail.require()
    address = normalise_email(email)
    back_to = article_url(site, uri)
    await ctx.rate_limits.check(
        SIGNINS_PER_IP, "signin-ip", reader.ip_hash, what="sign-in requests"
    )
    await ctx.rate_limits.check(
        SIGNINS_PER_ADDRESS,
        "signin-address",
        site.id,
        address,
        what="sign-in links to this address",
    )

    async def job(conn: AsyncConnection) -> None:
        link = await create_link(
            conn, ctx.secret_key, site_id=site.id, email=address, reader_id=reader.reader_id
        )
        await queue_signin_mail(conn, site, address, back_to, link)

    await ctx.database.write(job)
    ctx.outbox.worker.wake()


async def complete_signin(ctx: Context, site: Site, token: str, reader: Reader) -> SignedIn:
    """Use the link (once) and sign the device in, creating the account on first use."""

    async def job(conn: AsyncConnection) -> Account:
        used = await use_link(conn, site.id, token)
        now = clock.now()
        row = (
            await conn.execute(
                select(reader_accounts).where(
                    reader_accounts.c.site_id == site.id, reader_accounts.c.email == used.email
                )
            )
        ).first()
        if row is not None:
            await conn.execute(
                update(reader_accounts)
                .where(reader_accounts.c.id == row.id)
                .values(last_signin_at=now)
            )
            return _account(row)
        same_device = used.reader_id is not None and used.reader_id == reader.reader_id
        account_id = await _new_account_id(conn, used.reader_id if same_device else None)
        await conn.execute(
            insert(reader_accounts).values(
                id=account_id, site_id=site.id, email=used.email, display_name=None,
                created_at=now, last_signin_at=now,
            )
        )  # fmt: skip
        return Account(account_id, used.email, None)

    try:
        account = await ctx.database.write(job)
    except IntegrityError:
        # Two links of one new address completed at once (PostgreSQL): the other made the
        # account, and this link is still unused, since the failed job was rolled back.
        account = await ctx.database.write(job)
    return SignedIn(issue_reader_token_for(ctx.secret_key, account.id), account)


async def _new_account_id(conn: AsyncConnection, adopt: str | None) -> str:
    """The device's own reader id if no account has it yet, else a fresh one."""
    if adopt is not None:
        taken = await conn.scalar(select(reader_accounts.c.id).where(reader_accounts.c.id == adopt))
        if taken is None:
            return adopt
    return secrets.token_urlsafe(16)


async def account_of(ctx: Context, site: Site, reader: Reader) -> Account | None:
    """The account the reader is signed in to on this site, if any."""
    if reader.reader_id is None:
        return None
    rows = await ctx.database.read_rows(
        ACCOUNT_OF_READER, {"reader_id": reader.reader_id, "site_id": site.id}
    )
    return _account(rows[0]) if rows else None


ACCOUNT_OF_READER = select(reader_accounts).where(
    reader_accounts.c.id == bindparam("reader_id"),
    reader_accounts.c.site_id == bindparam("site_id"),
)
"""Built once: every post by a reader with a token looks up their account."""


async def require_account(ctx: Context, site: Site, reader: Reader) -> Account:
    account = await account_of(ctx, site, reader)
    if account is None:
        raise Unauthorized("sign in by email link first (POST /signin)", code="not_signed_in")
    return account


async def set_display_name(ctx: Context, site: Site, reader: Reader, name: str) -> Account:
    """The name shown on the reader's future comments, on every device."""
    account = await require_account(ctx, site, reader)

    async def job(conn: AsyncConnection) -> None:
        await conn.execute(
            update(reader_accounts)
            .where(reader_accounts.c.id == account.id)
            .values(display_name=name)
        )

    await ctx.database.write(job)
    return Account(account.id, account.email, name)


async def keep_display_name(conn: AsyncConnection, account: Account, name: str) -> None:
    """The name of a signed-in reader's first comment becomes their display name, unless
    they chose one meanwhile (on another device)."""
    await conn.execute(
        update(reader_accounts)
        .where(reader_accounts.c.id == account.id, reader_accounts.c.display_name.is_(None))
        .values(display_name=name)
    )


def _account(row: Any) -> Account:
    return Account(row.id, row.email, row.display_name)
