"""A site's settings as staff see and change them: every change audited, every node told.

Moderation rules go through `moderation/rules.py` (which validates and audits them);
the other settings reuse `set_site_option`, the same path as `talkback site set`, so the
command line and the admin pages accept exactly the same values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from typing_extensions import TypedDict

from talkback.context import Context
from talkback.moderation.rules import update_moderation_settings
from talkback.moderation.settings import ModerationRules, ModerationSettings
from talkback.sites.sites import Site, set_site_option
from talkback.staff.accounts import StaffMember
from talkback.staff.audit import record_audit

_UNSET = object()

# Setting name in the admin API → (key of `set_site_option`, how to write the value as text)
SITE_OPTIONS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "name": ("name", str),
    "origins": ("origins", ",".join),
    "locale": ("locale", str),
    "edit_window_seconds": ("edit_window", str),
    "guest_identity": ("guest_identity", str),
    "digest_window_seconds": ("digest_window", str),
    "moderator_alert_minutes": ("moderator_alerts", str),
    "auto_close_days": ("auto_close_days", str),
}


class SiteSettings(TypedDict):
    id: str
    name: str
    origins: list[str]
    locale: str
    edit_window_seconds: int
    guest_identity: str
    digest_window_seconds: int
    """Follow-up comments within this long go to a subscriber as one mail (0: each alone)."""
    moderator_alert_minutes: int
    """Staff hear of waiting comments at most this often (0: never)."""
    auto_close_days: int
    """Threads close this many days after their first comment (0: never)."""
    moderation: ModerationRules


def settings_view(site: Site) -> SiteSettings:
    """Every setting with its effective value (moderation defaults filled in)."""
    return {
        "id": site.id,
        "name": site.name,
        "origins": list(site.origins),
        "locale": site.locale,
        "edit_window_seconds": site.edit_window_seconds,
        "guest_identity": site.guest_identity,
        "digest_window_seconds": site.digest_window_seconds,
        "moderator_alert_minutes": site.moderator_alert_minutes,
        "auto_close_days": site.auto_close_days or 0,
        "moderation": ModerationSettings.from_site(site.moderation).stored(),
    }


async def update_site_settings(
    ctx: Context, site: Site, changes: dict[str, Any], staff: StaffMember
) -> Site:
    """Apply `changes` (keys of `settings_view`), recording one audit entry per setting.

    Values equal to the current ones are skipped, so saving a whole form audits only what
    changed. Settings are applied one at a time, each validated on its own: a refused
    value raises and leaves the settings before it applied (each was valid and audited).
    """
    # Read by the names `changes` carries, so as a mapping rather than field by field.
    current: Mapping[str, Any] = settings_view(site)
    for key, value in changes.items():
        if key == "moderation" or value == current[key]:
            continue
        option, as_text = SITE_OPTIONS[key]
        site = await set_site_option(ctx.database, site.id, option, as_text(value))
        await ctx.sites.changed(site.id)
        updated: Mapping[str, Any] = settings_view(site)
        await _audit(ctx, site, staff, key, current[key], updated[key])
    rules = {
        key: value
        for key, value in (changes.get("moderation") or {}).items()
        if value != current["moderation"].get(key, _UNSET)
    }
    if rules:
        site = await update_moderation_settings(ctx, site, rules, staff)
        await ctx.sites.changed(site.id)
    return site


async def _audit(
    ctx: Context, site: Site, staff: StaffMember, key: str, before: Any, after: Any
) -> None:
    async def job(conn: AsyncConnection) -> None:
        await record_audit(
            conn,
            site_id=site.id,
            staff_id=staff.id,
            action="settings.update",
            target=key,
            details={"before": before, "after": after},
        )

    await ctx.database.write(job)
