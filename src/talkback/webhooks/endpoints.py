"""A site's webhook endpoints: stored, listed, changed and removed by admins, audited.

The secret is shown once, when the endpoint is made or its secret rotated; listings
never carry it. Rotating takes effect at once: every delivery from then on, retries of
older ones included, is signed with the new secret.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from typing_extensions import TypedDict

from talkback import clock
from talkback.comments.views import iso
from talkback.context import Context
from talkback.errors import Invalid, NotFound
from talkback.sites.sites import Site
from talkback.staff.accounts import StaffMember
from talkback.staff.audit import record_audit
from talkback.store.tables import webhook_endpoints
from talkback.webhooks.events import EVENT_NAMES
from talkback.webhooks.urls import check_url

SECRET_PREFIX = "whsec_"
MAX_DESCRIPTION = 200


class Endpoint(TypedDict):
    """An endpoint as staff see it; never its secret."""

    id: int
    url: str
    events: list[str]
    description: str
    active: bool
    created_at: str


class EndpointWithSecret(TypedDict):
    """The answer that shows the secret, once: on creation and on rotation."""

    endpoint: Endpoint
    secret: str


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def check_events(names: list[str]) -> list[str]:
    """The subscribed event names, each once, in the documented order; 422 otherwise."""
    unknown = sorted(set(names) - set(EVENT_NAMES))
    if unknown:
        raise Invalid(
            f"events: unknown {', '.join(unknown)}; choose from {', '.join(EVENT_NAMES)}",
            code="invalid_events",
        )
    if not names:
        raise Invalid("events: choose at least one", code="invalid_events")
    return [name for name in EVENT_NAMES if name in names]


def check_description(text: str) -> str:
    text = text.strip()
    if len(text) > MAX_DESCRIPTION or "\x00" in text:
        raise Invalid(f"description: at most {MAX_DESCRIPTION} characters", code="invalid")
    return text


def endpoint_view(row: Any) -> Endpoint:
    return {
        "id": row.id, "url": row.url, "events": list(row.events),
        "description": row.description, "active": bool(row.active),
        "created_at": iso(row.created_at),
    }  # fmt: skip


async def list_endpoints(ctx: Context, site: Site) -> list[Endpoint]:
    rows = await ctx.database.read_rows(
        select(webhook_endpoints)
        .where(webhook_endpoints.c.site_id == site.id)
        .order_by(webhook_endpoints.c.id)
    )
    return [endpoint_view(row) for row in rows]


async def find_endpoint(ctx: Context, site: Site, endpoint_id: int) -> Endpoint:
    async with ctx.database.read() as conn:
        return endpoint_view(await endpoint_row(conn, site, endpoint_id))


async def create_endpoint(
    ctx: Context,
    site: Site,
    *,
    url: str,
    events: list[str],
    description: str = "",
    active: bool = True,
    staff: StaffMember,
) -> EndpointWithSecret:
    values = {
        "site_id": site.id, "url": check_url(url), "events": check_events(events),
        "description": check_description(description), "active": active,
        "secret": new_secret(), "created_at": clock.now(),
    }  # fmt: skip

    async def job(conn: AsyncConnection) -> EndpointWithSecret:
        row = (
            await conn.execute(
                insert(webhook_endpoints).values(**values).returning(webhook_endpoints)
            )
        ).one()
        await audit_webhook(conn, site, staff, "webhook.create", row.id, {"url": row.url})
        return {"endpoint": endpoint_view(row), "secret": row.secret}

    return await ctx.database.write(job)


async def update_endpoint(
    ctx: Context, site: Site, endpoint_id: int, changes: dict[str, Any], staff: StaffMember
) -> Endpoint:
    """Change any of url, events, description and active; only what is given."""
    checks: dict[str, Callable[[Any], Any]] = {
        "url": check_url,
        "events": check_events,
        "description": check_description,
    }
    values = {
        key: checks[key](value) if key in checks else bool(value)
        for key, value in changes.items()
        if key in (*checks, "active")
    }

    async def job(conn: AsyncConnection) -> Endpoint:
        before = await endpoint_row(conn, site, endpoint_id)
        if not values:
            return endpoint_view(before)
        row = (
            await conn.execute(
                update(webhook_endpoints)
                .where(webhook_endpoints.c.id == endpoint_id)
                .values(**values)
                .returning(webhook_endpoints)
            )
        ).one()
        changed = {key: value for key, value in values.items() if getattr(before, key) != value}
        await audit_webhook(conn, site, staff, "webhook.update", endpoint_id, changed)
        return endpoint_view(row)

    return await ctx.database.write(job)


async def rotate_secret(
    ctx: Context, site: Site, endpoint_id: int, staff: StaffMember
) -> EndpointWithSecret:
    secret = new_secret()

    async def job(conn: AsyncConnection) -> EndpointWithSecret:
        await endpoint_row(conn, site, endpoint_id)
        row = (
            await conn.execute(
                update(webhook_endpoints)
                .where(webhook_endpoints.c.id == endpoint_id)
                .values(secret=secret)
                .returning(webhook_endpoints)
            )
        ).one()
        await audit_webhook(conn, site, staff, "webhook.rotate_secret", endpoint_id, {})
        return {"endpoint": endpoint_view(row), "secret": secret}

    return await ctx.database.write(job)


async def delete_endpoint(ctx: Context, site: Site, endpoint_id: int, staff: StaffMember) -> None:
    """Remove the endpoint and, with it, its deliveries and their log (the outbox rows
    reference it ON DELETE CASCADE); deactivate it instead to keep the log."""

    async def job(conn: AsyncConnection) -> None:
        row = await endpoint_row(conn, site, endpoint_id)
        await conn.execute(delete(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id))
        await audit_webhook(conn, site, staff, "webhook.delete", endpoint_id, {"url": row.url})

    await ctx.database.write(job)


async def endpoint_row(conn: AsyncConnection, site: Site, endpoint_id: int) -> Any:
    row = (
        await conn.execute(
            select(webhook_endpoints).where(
                webhook_endpoints.c.id == endpoint_id, webhook_endpoints.c.site_id == site.id
            )
        )
    ).first()
    if row is None:
        raise NotFound("no such webhook endpoint", code="webhook_not_found")
    return row


async def audit_webhook(
    conn: AsyncConnection,
    site: Site,
    staff: StaffMember,
    action: str,
    endpoint_id: int,
    details: dict[str, Any],
) -> None:
    await record_audit(
        conn, site_id=site.id, staff_id=staff.id, action=action,
        target=f"webhook:{endpoint_id}", details=details,
    )  # fmt: skip
