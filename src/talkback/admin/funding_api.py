"""The funding part of the admin JSON API: campaigns, donations, their CSV, manual gifts.

Campaigns, manual gifts and refunds are for admins (they are the newsroom's money);
moderators may read everything and approve or reject donors' public messages, which is
moderation. The services audit every change. Amounts are major units, as typed.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Annotated

from fastapi import Depends, Path, Query
from fastapi.responses import StreamingResponse

from talkback.admin.api import guarded_api_router
from talkback.admin.auth import AdminDep, StaffDep
from talkback.admin.donations_csv import donations_csv
from talkback.admin.funding_forms import (
    as_utc,
    campaign_json,
    donation_filter,
    draft_of,
    parse_email,
)
from talkback.admin.funding_schemas import (
    CampaignIn,
    CampaignOut,
    CampaignPatch,
    CampaignsOut,
    CampaignStatusIn,
    DonationOut,
    DonationsOut,
    ManualDonationIn,
    MessageStatusIn,
    RefundOut,
)
from talkback.core.funding_rules import CampaignDraft, Provider
from talkback.core.statuses import MessageStatus
from talkback.funding import campaigns, donations
from talkback.funding.donations import DonationFilter
from talkback.web.deps import MAX_ID, Ctx, SiteDep

CampaignId = Annotated[int, Path(ge=1, le=MAX_ID)]
DonationId = Annotated[int, Path(ge=1, le=MAX_ID)]
CLEARABLE = frozenset({"ticks", "presets", "starts_at", "ends_at"})

router = guarded_api_router()


async def _filters(
    campaign_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    provider: Provider | None = None,
    refunded: bool | None = None,
    message_status: MessageStatus | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    since: date | None = None,
    until: date | None = None,
) -> DonationFilter:
    """The donation filters; `since` and `until` are UTC days, both included."""
    return donation_filter(
        campaign_id=campaign_id, provider=provider, refunded=refunded,
        message_status=message_status, search=q, since=since, until=until,
    )  # fmt: skip


Filters = Annotated[DonationFilter, Depends(_filters)]


@router.get("/{site}/campaigns")
async def campaign_list(ctx: Ctx, site: SiteDep, _staff: StaffDep) -> CampaignsOut:
    """Newest first."""
    found = await campaigns.list_campaigns(ctx, site)
    return {"campaigns": [campaign_json(c, site.locale) for c in found]}


@router.post("/{site}/campaigns", status_code=201)
async def campaign_create(
    ctx: Ctx, site: SiteDep, admin: AdminDep, body: CampaignIn
) -> CampaignOut:
    fields = body.model_dump(exclude={"current"})
    draft = CampaignDraft(
        **{**fields, "starts_at": as_utc(body.starts_at), "ends_at": as_utc(body.ends_at)}
    )
    created = await campaigns.create_campaign(ctx, site, draft, current=body.current, staff=admin)
    return {"campaign": campaign_json(created, site.locale)}


@router.get("/{site}/campaigns/{campaign_id}")
async def campaign_one(
    ctx: Ctx, site: SiteDep, _staff: StaffDep, campaign_id: CampaignId
) -> CampaignOut:
    found = await campaigns.find_campaign(ctx, site, campaign_id)
    return {"campaign": campaign_json(found, site.locale)}


@router.patch("/{site}/campaigns/{campaign_id}")
async def campaign_edit(
    ctx: Ctx, site: SiteDep, admin: AdminDep, campaign_id: CampaignId, body: CampaignPatch
) -> CampaignOut:
    """Only the fields sent change; null clears ticks, presets, start or end, and is
    ignored for the others."""
    stored = await campaigns.find_campaign(ctx, site, campaign_id)
    sent = body.model_dump(exclude_unset=True)
    changes = {key: value for key, value in sent.items() if value is not None or key in CLEARABLE}
    for key in ("starts_at", "ends_at"):
        if key in changes:
            changes[key] = as_utc(changes[key])
    draft = dataclasses.replace(draft_of(stored), **changes)
    updated = await campaigns.update_campaign(ctx, site, campaign_id, draft, admin)
    return {"campaign": campaign_json(updated, site.locale)}


@router.post("/{site}/campaigns/{campaign_id}/status")
async def campaign_status(
    ctx: Ctx, site: SiteDep, admin: AdminDep, campaign_id: CampaignId, body: CampaignStatusIn
) -> CampaignOut:
    """Close a campaign (its bar stays, without the button) or open it again."""
    changed = await campaigns.set_campaign_status(ctx, site, campaign_id, body.status, admin)
    return {"campaign": campaign_json(changed, site.locale)}


@router.post("/{site}/campaigns/{campaign_id}/make-current")
async def campaign_make_current(
    ctx: Ctx, site: SiteDep, admin: AdminDep, campaign_id: CampaignId
) -> CampaignOut:
    """The campaign `…/campaigns/current` shows from now on."""
    changed = await campaigns.make_current(ctx, site, campaign_id, admin)
    return {"campaign": campaign_json(changed, site.locale)}


@router.get("/{site}/donations")
async def donation_list(
    ctx: Ctx,
    site: SiteDep,
    _staff: StaffDep,
    filters: Filters,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> DonationsOut:
    """Newest first; `total` counts every match, for paging."""
    found = await donations.list_donations(ctx, site, filters, limit=limit, offset=offset)
    total = await donations.count_donations(ctx, site, filters)
    return {"donations": found, "total": total}


@router.get("/{site}/donations/export", response_class=StreamingResponse)
async def donation_export(
    ctx: Ctx, site: SiteDep, _staff: StaffDep, filters: Filters
) -> StreamingResponse:
    """Every donation the filters match, as CSV (formula-safe)."""
    return await donations_csv(ctx, site, filters)


@router.post("/{site}/donations", status_code=201)
async def donation_add(
    ctx: Ctx, site: SiteDep, admin: AdminDep, body: ManualDonationIn
) -> CampaignOut:
    """A manual gift; answers its campaign with the new total."""
    await donations.add_manual_donation(
        ctx, site, body.campaign_id, amount=body.amount, donor_name=body.donor_name,
        donor_email=parse_email(body.donor_email), message=body.message, note=body.note,
        received_at=as_utc(body.received_at), staff=admin,
    )  # fmt: skip
    found = await campaigns.find_campaign(ctx, site, body.campaign_id)
    return {"campaign": campaign_json(found, site.locale)}


@router.post("/{site}/donations/{donation_id}/refund")
async def donation_refund(
    ctx: Ctx, site: SiteDep, admin: AdminDep, donation_id: DonationId
) -> RefundOut:
    """Mark a manual gift as given back in full (Stripe gifts are refunded in Stripe: 409)."""
    await donations.refund_donation(ctx, site, donation_id, admin)
    donation = await donations.find_donation(ctx, site, donation_id)
    found = await campaigns.find_campaign(ctx, site, donation["campaign_id"])
    return {"donation": donation, "campaign": campaign_json(found, site.locale)}


@router.post("/{site}/donations/{donation_id}/message")
async def donation_message(
    ctx: Ctx, site: SiteDep, staff: StaffDep, donation_id: DonationId, body: MessageStatusIn
) -> DonationOut:
    """Approve or reject a donor's public message (409 `no_message` when there is none)."""
    await donations.set_message_status(ctx, site, donation_id, body.status, staff)
    return {"donation": await donations.find_donation(ctx, site, donation_id)}
