"""Single-use sign-in links: a random token in the mail, only its SHA-256 in the database.

The token itself is never stored (`mail/link_tokens.py`): the outbox row that carries
the mail holds a random `seed` the token is derived from, so a copy of the database signs
nobody in. A link works once (`used_at` is set in the same transaction that signs the reader
in) and for `LIFETIME` after it was asked for.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback import clock
from talkback.errors import Gone, Invalid
from talkback.mail.link_tokens import link_token, token_hash
from talkback.store.tables import email_links

PURPOSE = "reader"
LIFETIME = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class NewLink:
    seed: str
    """What the outbox payload carries; `token_for(secret_key, seed)` is the token."""
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class UsedLink:
    email: str
    reader_id: str | None
    """The reader id of the device that asked for the link, if it had one."""


def token_for(secret_key: str, seed: str) -> str:
    return link_token(secret_key, PURPOSE, seed)


async def create_link(
    conn: AsyncConnection, secret_key: str, *, site_id: str, email: str, reader_id: str | None
) -> NewLink:
    now = clock.now()
    seed = secrets.token_urlsafe(32)
    await conn.execute(
        insert(email_links).values(
            token_hash=token_hash(token_for(secret_key, seed)), purpose=PURPOSE,
            site_id=site_id, email=email, reader_id=reader_id, created_at=now,
            expires_at=now + LIFETIME,
        )
    )  # fmt: skip
    return NewLink(seed, now + LIFETIME)


async def use_link(conn: AsyncConnection, site_id: str, token: str) -> UsedLink:
    """Mark the link used and return whom it signs in, or say why it cannot.

    One conditional UPDATE claims it, so of two requests racing with one link only one
    gets through, on SQLite and PostgreSQL alike.
    """
    now = clock.now()
    found = email_links.c.token_hash == token_hash(token)
    mine = found & (email_links.c.purpose == PURPOSE) & (email_links.c.site_id == site_id)
    claimed = await conn.execute(
        update(email_links)
        .where(mine, email_links.c.used_at.is_(None), email_links.c.expires_at > now)
        .values(used_at=now)
        .returning(email_links.c.email, email_links.c.reader_id)
    )
    row = claimed.first()
    if row is not None:
        return UsedLink(row.email, row.reader_id)
    link = (await conn.execute(select(email_links).where(mine))).first()
    if link is None:
        raise Invalid(
            "this sign-in link is not valid; ask for a new one", code="invalid_signin_link"
        )
    if link.used_at is not None:
        raise Gone("this sign-in link was used already; ask for a new one", code="signin_link_used")
    raise Gone("this sign-in link has expired; ask for a new one", code="signin_link_expired")


async def forget_links(conn: AsyncConnection, site_id: str, email: str) -> None:
    """Delete every sign-in link sent to the address on the site (with the reader's data)."""
    await conn.execute(
        delete(email_links).where(
            email_links.c.purpose == PURPOSE,
            email_links.c.site_id == site_id,
            func.lower(email_links.c.email) == email.strip().lower(),
        )
    )
