"""Campaigns: a site's funding goals, one of them current, and how a goal bar shows one.

Staff create, edit, close and reopen campaigns; each change is audited in its own
transaction. Readers only ever see `public_view`, amounts formatted for their locale.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from typing_extensions import TypedDict

from talkback import clock
from talkback.comments.views import iso
from talkback.context import Context
from talkback.core import money
from talkback.core.funding_rules import (
    CampaignDraft,
    campaign_columns,
    max_gift_minor,
    min_gift_minor,
)
from talkback.core.statuses import CAMPAIGN_STATUSES, CampaignStatus
from talkback.errors import Invalid, NotFound
from talkback.events.changes import CampaignChanged
from talkback.events.dispatcher import Changes
from talkback.moderation.settings import ModerationSettings
from talkback.sites.sites import Site
from talkback.staff.accounts import StaffMember
from talkback.staff.audit import SYSTEM_ACTOR, record_audit
from talkback.store.tables import campaigns

log = logging.getLogger(__name__)

CURRENT = "current"


@dataclass(frozen=True, slots=True)
class Campaign:
    id: int
    site_id: str
    title: str
    description: str
    currency: str
    goal_minor: int
    ticks_minor: list[int]
    presets_minor: list[int]
    starts_at: datetime | None
    ends_at: datetime | None
    status: CampaignStatus
    is_current: bool
    donor_wall: bool
    raised_minor: int
    donor_count: int
    created_at: datetime
    custom_ticks: bool = field(default=False)
    custom_presets: bool = field(default=False)

    def accepts_gifts(self, now: datetime) -> bool:
        started = self.starts_at is None or self.starts_at <= now
        ended = self.ends_at is not None and self.ends_at <= now
        return self.status == "open" and started and not ended

    @property
    def min_gift_minor(self) -> int:
        return min_gift_minor(self.currency)

    @property
    def max_gift_minor(self) -> int:
        return max_gift_minor(self.goal_minor, self.currency)


def campaign_of(row: Any) -> Campaign:
    return Campaign(
        id=row.id,
        site_id=row.site_id,
        title=row.title,
        description=row.description,
        currency=row.currency,
        goal_minor=row.goal_minor,
        ticks_minor=list(row.ticks_minor or money.default_ticks(row.goal_minor)),
        presets_minor=list(
            row.presets_minor or money.default_presets(row.goal_minor, row.currency)
        ),
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        status=row.status,
        is_current=row.is_current,
        donor_wall=row.donor_wall,
        raised_minor=row.raised_minor,
        donor_count=row.donor_count,
        created_at=row.created_at,
        custom_ticks=row.ticks_minor is not None,
        custom_presets=row.presets_minor is not None,
    )


async def create_campaign(
    ctx: Context,
    site: Site,
    draft: CampaignDraft,
    *,
    current: bool = False,
    staff: StaffMember | None = None,
    actor: str = SYSTEM_ACTOR,
) -> Campaign:
    """A new open campaign; `current` makes it the one `…/campaigns/current` shows.
    Without `staff`, the audit log names `actor` as the one who made it."""
    values = campaign_columns(draft)

    async def job(conn: AsyncConnection) -> int:
        if current:
            await _clear_current(conn, site.id)
        campaign_id: int = (
            await conn.execute(
                campaigns.insert()
                .values(
                    site_id=site.id, status="open", is_current=current, raised_minor=0,
                    donor_count=0, created_at=clock.now(), **values,
                )
                .returning(campaigns.c.id)
            )
        ).scalar_one()  # fmt: skip
        await audit_campaign_action(
            conn, site, staff, "campaign.create", campaign_id, {"title": values["title"]},
            actor=actor,
        )  # fmt: skip
        return campaign_id

    return await find_campaign(ctx, site, await ctx.database.write(job))


async def update_campaign(
    ctx: Context, site: Site, campaign_id: int, draft: CampaignDraft, staff: StaffMember | None
) -> Campaign:
    """Change what staff typed; the currency is fixed once a gift has been counted."""
    values = campaign_columns(draft)

    async def job(conn: AsyncConnection) -> None:
        row = await lock_campaign(conn, site.id, campaign_id)
        if row.currency != values["currency"] and row.donor_count > 0:
            raise Invalid(
                "the currency cannot change once the campaign has donations",
                code="currency_fixed",
            )
        await conn.execute(update(campaigns).where(campaigns.c.id == campaign_id).values(**values))
        await audit_campaign_action(
            conn, site, staff, "campaign.edit", campaign_id, {"title": values["title"]}
        )

    await ctx.database.write(job)
    return await find_campaign(ctx, site, campaign_id)


async def set_campaign_status(
    ctx: Context, site: Site, campaign_id: int, status: str, staff: StaffMember | None
) -> Campaign:
    """Close a campaign (its bar stays, the button goes) or reopen it."""
    if status not in CAMPAIGN_STATUSES:
        raise Invalid(f"status: one of {', '.join(CAMPAIGN_STATUSES)}", code="invalid_status")

    async def job(conn: AsyncConnection, changes: Changes) -> Campaign:
        await lock_campaign(conn, site.id, campaign_id)
        row = await conn.execute(
            update(campaigns)
            .where(campaigns.c.id == campaign_id)
            .values(status=status)
            .returning(*campaigns.c)
        )
        campaign = campaign_of(row.one())
        action = "campaign.close" if status == "closed" else "campaign.reopen"
        await audit_campaign_action(conn, site, staff, action, campaign_id, {})
        changes.record(campaign_changed(campaign))
        return campaign

    return await ctx.events.write(job)


async def make_current(
    ctx: Context, site: Site, campaign_id: int, staff: StaffMember | None
) -> Campaign:
    """The campaign every `data-talkback-campaign="current"` bar of the site shows."""

    async def job(conn: AsyncConnection) -> None:
        await lock_campaign(conn, site.id, campaign_id)
        await _clear_current(conn, site.id)
        await conn.execute(
            update(campaigns).where(campaigns.c.id == campaign_id).values(is_current=True)
        )
        await audit_campaign_action(conn, site, staff, "campaign.make_current", campaign_id, {})

    await ctx.database.write(job)
    return await find_campaign(ctx, site, campaign_id)


async def find_campaign(ctx: Context, site: Site, ref: int | str) -> Campaign:
    """By id, or `current`; NotFound (`campaign_not_found`) otherwise."""
    query = select(campaigns).where(campaigns.c.site_id == site.id)
    if ref == CURRENT:
        query = query.where(campaigns.c.is_current.is_(True))
    elif isinstance(ref, int) or ref.isdigit():
        query = query.where(campaigns.c.id == int(ref))
    else:
        raise NotFound("no such campaign", code="campaign_not_found")
    async with ctx.database.read() as conn:
        row = (await conn.execute(query.limit(1))).first()
    if row is None:
        what = "this site has no current campaign" if ref == CURRENT else "no such campaign"
        raise NotFound(what, code="campaign_not_found")
    return campaign_of(row)


async def list_campaigns(ctx: Context, site: Site) -> list[Campaign]:
    """Newest first."""
    async with ctx.database.read() as conn:
        rows = await conn.execute(
            select(campaigns)
            .where(campaigns.c.site_id == site.id)
            .order_by(campaigns.c.created_at.desc(), campaigns.c.id.desc())
        )
        return [campaign_of(row) for row in rows]


def campaign_changed(campaign: Campaign) -> CampaignChanged:
    """The change event of a campaign as it now stands (read or returned in the job)."""
    return CampaignChanged(
        campaign.site_id,
        campaign.id,
        money.to_json_number(campaign.raised_minor, campaign.currency),
        campaign.donor_count,
    )


class WallEntry(TypedDict):
    """One of the latest gifts on the donor wall: `name` None for an anonymous donor, the
    amount formatted for the reader's locale, `message` only once approved; never an email."""

    name: str | None
    amount: str
    message: str | None
    created_at: str


class FormattedAmounts(TypedDict):
    """The goal bar's amounts as the reader's locale writes them (`$1,112`, `1.112 $`)."""

    goal: str
    raised: str
    min_amount: str
    max_amount: str
    ticks: list[str]
    presets: list[str]


MessageReview = Literal["before", "after"]


class CampaignView(TypedDict):
    """The goal bar's data (docs/funding.md): amounts as numbers in major units (an int when
    whole) and as strings in `formatted`; `wall` None unless the campaign shows one."""

    id: int
    title: str
    description: str
    status: CampaignStatus
    currency: str
    locale: str
    site_name: str
    goal: money.JsonNumber
    raised: money.JsonNumber
    min_amount: money.JsonNumber
    max_amount: money.JsonNumber
    percent: int
    donors: int
    ticks: list[money.JsonNumber]
    presets: list[money.JsonNumber]
    starts_at: str | None
    ends_at: str | None
    days_left: int | None
    accepting: bool
    formatted: FormattedAmounts
    wall: list[WallEntry] | None
    message_review: MessageReview


def public_view(
    campaign: Campaign,
    site: Site,
    *,
    locale: str,
    payments: bool,
    wall: list[WallEntry] | None,
) -> CampaignView:
    """The goal bar's data for a reader in `locale`."""
    now = clock.now()
    currency = campaign.currency

    def number(minor: int) -> money.JsonNumber:
        return money.to_json_number(minor, currency)

    def text(minor: int) -> str:
        return money.format_money(minor, currency, locale)

    days_left = None
    if campaign.ends_at is not None:
        days_left = max(0, math.ceil((campaign.ends_at - now).total_seconds() / 86400))
    return {
        "id": campaign.id,
        "title": campaign.title,
        "description": campaign.description,
        "status": campaign.status,
        "currency": currency,
        "locale": locale,
        "site_name": site.name,
        "goal": number(campaign.goal_minor),
        "raised": number(campaign.raised_minor),
        "min_amount": number(campaign.min_gift_minor),
        "max_amount": number(campaign.max_gift_minor),
        "percent": campaign.raised_minor * 100 // campaign.goal_minor,
        "donors": campaign.donor_count,
        "ticks": [number(t) for t in campaign.ticks_minor],
        "presets": [number(p) for p in campaign.presets_minor],
        "starts_at": iso(campaign.starts_at),
        "ends_at": iso(campaign.ends_at),
        "days_left": days_left,
        "accepting": payments and campaign.accepts_gifts(now),
        "formatted": {
            "goal": text(campaign.goal_minor),
            "raised": text(campaign.raised_minor),
            "min_amount": text(campaign.min_gift_minor),
            "max_amount": text(campaign.max_gift_minor),
            "ticks": [text(t) for t in campaign.ticks_minor],
            "presets": [text(p) for p in campaign.presets_minor],
        },
        "wall": wall if campaign.donor_wall else None,
        "message_review": message_review(site),
    }


def message_review(site: Site) -> MessageReview:
    """When a moderator sees a donor's public message: "before" it is shown on a site that
    reviews every comment first, else "after" (shown once the checks pass, removable).

    Donor messages follow the site's own moderation mode instead of a stricter rule of
    their own: the newsroom chose how far it trusts readers once, for comments and gifts
    alike, and the checks still hold or reject a message they flag. The gift form says
    which of the two applies, so its promise stays true.
    """
    return "before" if ModerationSettings.from_site(site.moderation).mode == "pre" else "after"


async def lock_campaign(conn: AsyncConnection, site_id: str, campaign_id: int) -> Any:
    """The campaign row, locked on PostgreSQL so concurrent edits and gifts serialise."""
    row = (
        await conn.execute(
            select(campaigns)
            .where(campaigns.c.id == campaign_id, campaigns.c.site_id == site_id)
            .with_for_update()
        )
    ).first()
    if row is None:
        raise NotFound("no such campaign", code="campaign_not_found")
    return row


async def move_totals(
    conn: AsyncConnection, campaign_id: int, *, raised_minor: int, donors: int
) -> Campaign:
    """Add to a locked campaign's totals (negative for refunds), inside the caller's
    transaction; the campaign as it now stands, for the announcement after the commit."""
    row = (
        await conn.execute(
            update(campaigns)
            .where(campaigns.c.id == campaign_id)
            .values(
                raised_minor=campaigns.c.raised_minor + raised_minor,
                donor_count=campaigns.c.donor_count + donors,
            )
            .returning(*campaigns.c)
        )
    ).one()
    return campaign_of(row)


async def _clear_current(conn: AsyncConnection, site_id: str) -> None:
    await conn.execute(
        update(campaigns)
        .where(campaigns.c.site_id == site_id, campaigns.c.is_current.is_(True))
        .values(is_current=False)
    )


async def audit_campaign_action(
    conn: AsyncConnection,
    site: Site,
    staff: StaffMember | None,
    action: str,
    campaign_id: int,
    details: dict[str, Any],
    *,
    actor: str = SYSTEM_ACTOR,
) -> None:
    """Staff actions are audited under their account; others under `actor`."""
    await record_audit(
        conn,
        site_id=site.id,
        staff_id=staff.id if staff else None,
        action=action,
        target=f"campaign:{campaign_id}",
        details=details,
        actor=actor,
    )
