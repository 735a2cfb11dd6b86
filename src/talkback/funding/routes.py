"""A campaign's goal bar data, and starting a gift to it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from talkback.core import money
from talkback.errors import Invalid
from talkback.funding.campaigns import CampaignView, find_campaign, public_view
from talkback.funding.checkout import GiftDraft, payments_enabled, start_checkout
from talkback.funding.donations import donor_wall
from talkback.funding.schemas import CheckoutOut, GiftIn
from talkback.web.deps import READER_ERRORS, Ctx, ReaderDep, SiteDep
from talkback.web.errors import API_ERRORS

router = APIRouter(
    prefix="/api/v1/{site}/campaigns", tags=["funding"], responses={**API_ERRORS, **READER_ERRORS}
)

CampaignRef = Annotated[str, Path(pattern=r"^(current|[0-9]{1,15})$", description="id or current")]
# Totals move at most as fast as gifts arrive; bars learn of each one over SSE anyway.
CAMPAIGN_CACHE_CONTROL = "public, max-age=5"


@router.get("/{campaign}")
async def campaign(
    ctx: Ctx,
    site: SiteDep,
    campaign: CampaignRef,
    response: Response,
    locale: Annotated[str | None, Query(max_length=20)] = None,
) -> CampaignView:
    """Goal, raised, ticks and presets as numbers and as strings for the locale."""
    try:
        chosen = money.check_locale(locale) if locale else site.locale
    except money.InvalidAmount as exc:
        raise Invalid(f"locale: {exc}", code="invalid_locale") from exc
    found = await find_campaign(ctx, site, campaign)
    wall = await donor_wall(ctx, found, chosen) if found.donor_wall else None
    response.headers["Cache-Control"] = CAMPAIGN_CACHE_CONTROL
    return public_view(found, site, locale=chosen, payments=payments_enabled(ctx), wall=wall)


@router.post("/{campaign}/checkout", status_code=201)
async def checkout(
    request: Request,
    ctx: Ctx,
    site: SiteDep,
    campaign: CampaignRef,
    body: GiftIn,
    reader: ReaderDep,
) -> CheckoutOut:
    """`{url}` of a checkout page for this gift (Stripe's, or the demo's test page)."""
    gift = GiftDraft(
        amount=body.amount,
        currency=body.currency,
        return_url=body.return_url,
        donor_name=body.donor_name,
        message=body.message,
    )
    url = await start_checkout(ctx, site, campaign, gift, reader, server_url=str(request.base_url))
    return {"url": url}
