"""Bans by email, IP (stored only as its keyed hash) or reader id, shadow or not; each one
added or lifted with its audit entry. Screening (`screening.py`) applies them."""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from typing_extensions import TypedDict

from talkback import clock
from talkback.comments.views import iso
from talkback.context import Context
from talkback.core.identity import hash_ip
from talkback.errors import Conflict, Invalid, NotFound
from talkback.sites.sites import Site
from talkback.staff.accounts import StaffMember
from talkback.staff.audit import record_audit
from talkback.store.tables import bans

BAN_KINDS = ("email", "ip", "reader")
IP_HASH = re.compile(r"^[0-9a-f]{32}$")


class Ban(TypedDict):
    """A ban as staff see it; `value` is what it matches (an IP only as its hash)."""

    id: int
    kind: str
    value: str
    shadow: bool
    reason: str | None
    expires_at: str | None
    created_at: str
    active: bool


def ban_value(kind: str, value: str, secret_key: str) -> str:
    """What a ban matches on: a lower-cased email, an IP's keyed hash, or a reader id.

    An IP address typed by a moderator is hashed here, so bans never store addresses.
    """
    value = value.strip()
    if kind == "email":
        if "@" not in value or len(value) > 254:
            raise Invalid("an email ban needs an email address")
        return value.lower()
    if kind == "ip":
        if IP_HASH.match(value):
            return value
        try:
            return hash_ip(str(ipaddress.ip_address(value)), secret_key)
        except ValueError as exc:
            raise Invalid("an IP ban needs an IP address or an IP hash") from exc
    if kind == "reader":
        if not value or len(value) > 64:
            raise Invalid("a reader ban needs the reader id")
        return value
    raise Invalid(f"ban kind is one of {', '.join(BAN_KINDS)}")


async def add_ban(
    ctx: Context,
    site: Site,
    *,
    kind: str,
    value: str,
    shadow: bool,
    reason: str | None,
    expires_at: datetime | None,
    staff: StaffMember,
) -> Ban:
    matched = ban_value(kind, value, ctx.secret_key)
    if expires_at is not None and expires_at <= clock.now():
        raise Invalid("a ban must end in the future (or never)")

    async def job(conn: AsyncConnection) -> Any:
        row = (
            await conn.execute(
                insert(bans)
                .values(
                    site_id=site.id, kind=kind, value=matched, shadow=shadow, reason=reason,
                    expires_at=expires_at, created_by=staff.id, created_at=clock.now(),
                )
                .returning(*bans.c)
            )
        ).one()  # fmt: skip
        await record_audit(
            conn, site_id=site.id, staff_id=staff.id, action="ban.add", target=f"ban:{row.id}",
            details={"kind": kind, "shadow": shadow, "reason": reason,
                     "expires_at": iso(expires_at)},
        )  # fmt: skip
        return row

    return _ban_view(await ctx.database.write(job), clock.now())


async def lift_ban(ctx: Context, site: Site, ban_id: int, staff: StaffMember) -> None:
    """End a ban now; the record stays for the history."""

    async def job(conn: AsyncConnection) -> None:
        row = (
            await conn.execute(select(bans).where(bans.c.id == ban_id, bans.c.site_id == site.id))
        ).first()
        if row is None:
            raise NotFound("no such ban", code="ban_not_found")
        if row.expires_at is not None and row.expires_at <= clock.now():
            raise Conflict("this ban has already ended", code="ban_ended")
        await conn.execute(update(bans).where(bans.c.id == ban_id).values(expires_at=clock.now()))
        await record_audit(
            conn, site_id=site.id, staff_id=staff.id, action="ban.lift",
            target=f"ban:{ban_id}", details={"kind": row.kind},
        )  # fmt: skip

    await ctx.database.write(job)


async def list_bans(ctx: Context, site: Site) -> list[Ban]:
    async with ctx.database.read() as conn:
        rows = (
            await conn.execute(
                select(bans).where(bans.c.site_id == site.id).order_by(bans.c.id.desc())
            )
        ).all()
    now = clock.now()
    return [_ban_view(row, now) for row in rows]


def _ban_view(row: Any, now: datetime) -> Ban:
    return {
        "id": row.id, "kind": row.kind, "value": row.value, "shadow": row.shadow,
        "reason": row.reason, "expires_at": iso(row.expires_at),
        "created_at": iso(row.created_at),
        "active": row.expires_at is None or row.expires_at > now,
    }  # fmt: skip
