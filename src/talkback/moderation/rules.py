"""A site's moderation rules as staff change them: validated (`settings.py`), audited, and
forgotten by this node's site directory so the next request reads them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback.context import Context
from talkback.moderation.settings import ModerationSettings, validated_changes
from talkback.sites.sites import Site
from talkback.staff.accounts import StaffMember
from talkback.staff.audit import record_audit
from talkback.store.tables import sites


async def update_moderation_settings(
    ctx: Context, site: Site, changes: dict[str, Any], staff: StaffMember
) -> Site:
    current = ModerationSettings.from_site(site.moderation)
    updated = validated_changes(current, changes)

    async def job(conn: AsyncConnection) -> None:
        await conn.execute(
            update(sites).where(sites.c.id == site.id).values(moderation=updated.stored())
        )
        await record_audit(
            conn, site_id=site.id, staff_id=staff.id, action="settings.moderation",
            target=f"site:{site.id}", details={"changes": changes},
        )  # fmt: skip

    await ctx.database.write(job)
    ctx.sites.forget(site.id)
    return await ctx.sites.get(site.id)
