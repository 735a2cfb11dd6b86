"""The admin pages around the queue: bans, site settings, audit log, stats.

Settings change only for admins (moderators see the settings
read-only); everything else is open to every staff member and audited by the services.
A refused form value re-renders the form with the message and what was typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Form, Path, Query, Request, Response

from talkback import clock
from talkback.admin.auth import AdminDep, StaffDep
from talkback.admin.charts import day_chart, thread_bars
from talkback.admin.render import guarded_router, redirect, render
from talkback.admin.schemas import BanKind
from talkback.errors import Invalid
from talkback.moderation import bans as ban_service
from talkback.moderation.stats import site_stats
from talkback.sites.settings import settings_view, update_site_settings
from talkback.staff.audit import audit_entries
from talkback.web.deps import MAX_ID, Ctx, SiteDep

AUDIT_PAGE = 50
BAN_DURATIONS = {"": "Permanent", "1": "1 day", "7": "7 days", "30": "30 days", "365": "1 year"}
Text = Annotated[str, Form(max_length=20_000)]
BanId = Annotated[int, Path(ge=1, le=MAX_ID)]

router = guarded_router()


@router.get("/{site}/bans")
async def bans_page(
    request: Request,
    ctx: Ctx,
    site: SiteDep,
    kind: Annotated[str, Query(max_length=16)] = "email",
    value: Annotated[str, Query(max_length=254)] = "",
) -> Response:
    """The ban list; `kind` and `value` prefill the form (the queue's "Ban…" links)."""
    return await _bans(request, ctx, site, form={"kind": kind, "value": value})


async def _bans(
    request: Request, ctx: Ctx, site: SiteDep, *, form: dict[str, Any], error: str | None = None
) -> Response:
    return await render(
        request, "bans.html", status=422 if error else 200, site=site,
        bans=await ban_service.list_bans(ctx, site), form=form, error=error,
        durations=BAN_DURATIONS, title="Bans", section="bans",
    )  # fmt: skip


@router.post("/{site}/bans")
async def add_ban(
    request: Request,
    ctx: Ctx,
    site: SiteDep,
    staff: StaffDep,
    kind: Annotated[BanKind, Form()],
    value: Annotated[str, Form(max_length=254)],
    duration: Annotated[str, Form(max_length=8)] = "",
    shadow: Annotated[bool, Form()] = False,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        if duration not in BAN_DURATIONS:
            raise Invalid("choose a duration from the list")
        expires_at = clock.now() + timedelta(days=int(duration)) if duration else None
        await ban_service.add_ban(
            ctx, site, kind=kind, value=value, shadow=shadow, reason=reason.strip() or None,
            expires_at=expires_at, staff=staff,
        )  # fmt: skip
    except Invalid as exc:
        form = {"kind": kind, "value": value, "duration": duration, "shadow": shadow,
                "reason": reason}  # fmt: skip
        return await _bans(request, ctx, site, form=form, error=exc.message)
    return redirect(f"/admin/{site.id}/bans", notice="banned")


@router.post("/{site}/bans/{ban_id}/lift")
async def lift_ban(ctx: Ctx, site: SiteDep, staff: StaffDep, ban_id: BanId) -> Response:
    await ban_service.lift_ban(ctx, site, ban_id, staff)
    return redirect(f"/admin/{site.id}/bans", notice="lifted")


@router.get("/{site}/settings")
async def settings_page(request: Request, site: SiteDep, _staff: StaffDep) -> Response:
    return await _settings(request, site, settings_view(site))


async def _settings(
    request: Request, site: SiteDep, values: Mapping[str, Any], error: str | None = None
) -> Response:
    """The form shows the settings, or after a refusal what was typed (text, not numbers)."""
    return await render(
        request, "settings.html", status=422 if error else 200, site=site, values=values,
        error=error, title="Settings", section="settings",
    )  # fmt: skip


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _number(name: str, text: str, kind: type[int] | type[float]) -> int | float:
    try:
        return kind(text.strip())
    except ValueError as exc:
        raise Invalid(f"{name.replace('_', ' ')}: {text!r} is not a number") from exc


@router.post("/{site}/settings")
async def save_settings(
    request: Request,
    ctx: Ctx,
    site: SiteDep,
    admin: AdminDep,
    name: Text,
    origins: Text,
    locale: Text,
    edit_window_seconds: Text,
    guest_identity: Text,
    mode: Text,
    hold_threshold: Text,
    reject_threshold: Text,
    banned_words: Text = "",
    banned_patterns: Text = "",
    max_links: Text = "",
    report_threshold: Text = "",
    min_form_seconds: Text = "",
    digest_window_seconds: Text = "",
    moderator_alert_minutes: Text = "",
    auto_close_days: Text = "",
) -> Response:
    typed: dict[str, Any] = {
        "name": name.strip(), "origins": _lines(origins), "locale": locale.strip(),
        "edit_window_seconds": edit_window_seconds, "guest_identity": guest_identity,
        "moderation": {
            "mode": mode, "hold_threshold": hold_threshold, "reject_threshold": reject_threshold,
            "banned_words": _lines(banned_words), "banned_patterns": _lines(banned_patterns),
            "max_links": max_links, "report_threshold": report_threshold,
            "min_form_seconds": min_form_seconds,
        },
    }  # fmt: skip
    # Notification settings are optional fields: a form without them leaves them as they are.
    notifications = {
        key: text for key, text in (("digest_window_seconds", digest_window_seconds),
                                    ("moderator_alert_minutes", moderator_alert_minutes))
        if text.strip()
    }  # fmt: skip
    typed.update(notifications)
    # Empty means never (FastAPI cannot tell an empty field from a missing one).
    typed["auto_close_days"] = auto_close_days
    days = auto_close_days.strip()
    try:
        changes = {
            **typed,
            "auto_close_days": _number("auto_close_days", days, int) if days else 0,
            "edit_window_seconds": _number("edit_window_seconds", edit_window_seconds, int),
            **{key: _number(key, text, int) for key, text in notifications.items()},
            "moderation": {
                **typed["moderation"],
                "hold_threshold": _number("hold_threshold", hold_threshold, float),
                "reject_threshold": _number("reject_threshold", reject_threshold, float),
                "max_links": _number("max_links", max_links, int),
                "report_threshold": _number("report_threshold", report_threshold, int),
                "min_form_seconds": _number("min_form_seconds", min_form_seconds, float),
            },
        }
        await update_site_settings(ctx, site, changes, admin)
    except Invalid as exc:
        return await _settings(request, site, {**settings_view(site), **typed}, exc.message)
    return redirect(f"/admin/{site.id}/settings", notice="settings_saved")


@router.get("/{site}/audit")
async def audit_page(
    request: Request,
    ctx: Ctx,
    site: SiteDep,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    entries = await audit_entries(ctx, site, limit=AUDIT_PAGE, offset=offset)
    return await render(
        request, "audit.html", site=site, entries=entries, offset=offset, page_size=AUDIT_PAGE,
        title="Audit log", section="audit",
    )  # fmt: skip


@router.get("/{site}/stats")
async def stats_page(request: Request, ctx: Ctx, site: SiteDep) -> Response:
    stats = await site_stats(ctx, site)
    return await render(
        request, "stats.html", site=site, stats=stats, chart=day_chart(stats.days),
        threads=thread_bars(stats.top_threads), title="Stats", section="stats",
        posted=sum(d.posted for d in stats.days), held=sum(d.held for d in stats.days),
        rejected=sum(d.rejected for d in stats.days),
    )  # fmt: skip
