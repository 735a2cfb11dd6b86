"""The audit log: who did what, written in the transaction of the change it records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection
from typing_extensions import TypedDict

from talkback import clock
from talkback.comments.views import iso
from talkback.sites.sites import Site
from talkback.store.tables import audit_log
from talkback.store.tables import staff as staff_accounts

if TYPE_CHECKING:  # the context builds features that record audit entries
    from talkback.context import Context

SYSTEM_ACTOR = "system"


class AuditEntry(TypedDict):
    """One entry of the log. `details` differ by action (what changed, from what to what),
    so they stay an open object; `staff` is the account's email, `actor` whoever acted."""

    id: int
    action: str
    target: str | None
    details: dict[str, Any]
    staff: str | None
    actor: str | None
    created_at: str


async def record_audit(
    conn: AsyncConnection,
    *,
    site_id: str | None,
    staff_id: int | None,
    action: str,
    target: str | None,
    details: dict[str, Any],
    actor: str = SYSTEM_ACTOR,
) -> None:
    """Add an audit entry inside the caller's transaction.

    An entry without a staff account (the command line, the demo, a payment webhook) keeps
    `actor` in its details, so the log can tell it from the entry of an account removed
    since (whose `staff_id` the database sets to NULL, leaving no actor).
    """
    if staff_id is None:
        details = {**details, "actor": actor}
    await conn.execute(
        insert(audit_log).values(
            site_id=site_id, staff_id=staff_id, action=action, target=target,
            details=details, created_at=clock.now(),
        )
    )  # fmt: skip


async def audit_entries(ctx: Context, site: Site, *, limit: int, offset: int) -> list[AuditEntry]:
    """Newest first. `actor` is who acted: the staff member's email, what acted without an
    account (`"system"`…), or None for an account removed since."""
    return await _entries(ctx, audit_log.c.site_id == site.id, limit=limit, offset=offset)


async def staff_audit_entries(ctx: Context, *, limit: int) -> list[AuditEntry]:
    """Changes to staff accounts (added, removed, roles, passwords), newest first: they
    belong to no site, so the staff page shows them rather than a site's log."""
    condition = audit_log.c.site_id.is_(None) & audit_log.c.action.startswith("staff.")
    return await _entries(ctx, condition, limit=limit, offset=0)


async def _entries(ctx: Context, condition: Any, *, limit: int, offset: int) -> list[AuditEntry]:
    query = (
        select(audit_log, staff_accounts.c.email.label("staff_email"))
        .outerjoin(staff_accounts, staff_accounts.c.id == audit_log.c.staff_id)
        .where(condition)
        .order_by(audit_log.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    async with ctx.database.read() as conn:
        rows = (await conn.execute(query)).all()
    return [
        {"id": row.id, "action": row.action, "target": row.target, "details": row.details,
         "staff": row.staff_email, "actor": row.staff_email or (row.details or {}).get("actor"),
         "created_at": iso(row.created_at)}
        for row in rows
    ]  # fmt: skip
