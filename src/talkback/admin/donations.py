"""The donations page at `/admin/{site}/donations`: filters, a paged table, the CSV export,
manual entry, refunds and the donors' messages.

Every staff member may look, export, and approve or reject a donor's public message
(that is moderation); entering a gift by hand and marking one refunded are for admins.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Form, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from talkback.admin.auth import AdminDep, StaffDep
from talkback.admin.donations_csv import donations_csv
from talkback.admin.funding_forms import (
    DonationQuery,
    formatted,
    parse_amount,
    parse_day,
    parse_email,
    received_at,
)
from talkback.admin.render import guarded_router, local_path, redirect, render
from talkback.context import Context
from talkback.core.funding_rules import PROVIDERS
from talkback.core.statuses import MESSAGE_STATUSES, MessageStatus
from talkback.errors import Invalid
from talkback.funding import campaigns, donations
from talkback.sites.sites import Site
from talkback.web.deps import MAX_ID, Ctx, SiteDep

PAGE_SIZE = 50
DonationId = Annotated[int, Path(ge=1, le=MAX_ID)]
Filter = Annotated[str, Query(max_length=200)]
NextPath = Annotated[str | None, Form(max_length=2000)]

router = guarded_router()


def _query(
    campaign: Filter = "",
    provider: Filter = "",
    refunded: Filter = "",
    message: Filter = "",
    q: Filter = "",
    since: Filter = "",
    until: Filter = "",
) -> DonationQuery:
    """The filters as typed; checked when the page asks the service."""
    return DonationQuery(campaign, provider, refunded, message, q, since, until)


Filters = Annotated[DonationQuery, Depends(_query)]


@router.get("/{site}/donations")
async def donations_page(
    request: Request,
    ctx: Ctx,
    site: SiteDep,
    filters: Filters,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    return await _page(request, ctx, site, filters, offset=offset, manual={})


async def _page(
    request: Request,
    ctx: Context,
    site: Site,
    query: DonationQuery,
    *,
    offset: int,
    manual: dict[str, Any],
    error: str | None = None,
) -> Response:
    """The page; a refused manual gift shows `error` above its form, with what was typed."""
    chosen = query.to_filter()
    found = await donations.list_donations(ctx, site, chosen, limit=PAGE_SIZE, offset=offset)
    total = await donations.count_donations(ctx, site, chosen)
    all_campaigns = await campaigns.list_campaigns(ctx, site)
    titles = {c.id: c.title for c in all_campaigns}
    rows = [
        {**row, "campaign": titles.get(row["campaign_id"], ""),
         "amount_text": formatted(row["amount"], row["currency"], site.locale),
         "refunded_text": formatted(row["refunded"], row["currency"], site.locale)}
        for row in found
    ]  # fmt: skip
    current = next((c.id for c in all_campaigns if c.is_current), None)
    return await render(
        request, "donations.html", status=422 if error else 200, site=site, rows=rows,
        total=total, offset=offset, page_size=PAGE_SIZE, filters=query,
        params=query.as_params(), campaigns=all_campaigns, providers=PROVIDERS,
        message_statuses=MESSAGE_STATUSES,
        manual={"campaign": str(current or ""), **manual}, error=error,
        title="Donations", section="donations",
    )  # fmt: skip


@router.get("/{site}/donations/export", response_class=StreamingResponse)
async def export(ctx: Ctx, site: SiteDep, filters: Filters) -> StreamingResponse:
    """Every donation the filters match, not only the page shown."""
    return await donations_csv(ctx, site, filters.to_filter())


class ManualGiftIn(BaseModel):
    """The manual entry form as typed, shown again as it was when it is refused."""

    campaign: Annotated[str, Field(max_length=600)] = ""
    amount: Annotated[str, Field(max_length=600)] = ""
    donor_name: Annotated[str, Field(max_length=600)] = ""
    donor_email: Annotated[str, Field(max_length=600)] = ""
    message: Annotated[str, Field(max_length=600)] = ""
    note: Annotated[str, Field(max_length=600)] = ""
    received: Annotated[str, Field(max_length=600)] = ""


@router.post("/{site}/donations")
async def add_manual(
    request: Request,
    ctx: Ctx,
    site: SiteDep,
    admin: AdminDep,
    form: Annotated[ManualGiftIn, Form()],
) -> Response:
    typed = form.model_dump()
    campaign = form.campaign
    try:
        if not campaign.isdigit() or len(campaign) > 15:
            raise Invalid("campaign: choose one from the list", code="invalid_campaign")
        await donations.add_manual_donation(
            ctx, site, int(campaign), amount=parse_amount("amount", form.amount),
            donor_name=form.donor_name, donor_email=parse_email(form.donor_email),
            message=form.message, note=form.note,
            received_at=received_at(parse_day("date received", form.received)), staff=admin,
        )  # fmt: skip
    except Invalid as exc:
        return await _page(
            request, ctx, site, DonationQuery(), offset=0, manual=typed, error=exc.message
        )
    return redirect(f"/admin/{site.id}/donations", notice="donation_added")


@router.post("/{site}/donations/{donation_id}/refund")
async def refund(
    ctx: Ctx, site: SiteDep, admin: AdminDep, donation_id: DonationId, next: NextPath = None
) -> Response:
    await donations.refund_donation(ctx, site, donation_id, admin)
    return redirect(local_path(next, f"/admin/{site.id}/donations"), notice="donation_refunded")


@router.post("/{site}/donations/{donation_id}/message")
async def message_status(
    ctx: Ctx,
    site: SiteDep,
    staff: StaffDep,
    donation_id: DonationId,
    status: Annotated[MessageStatus, Form()],
    next: NextPath = None,
) -> Response:
    await donations.set_message_status(ctx, site, donation_id, status, staff)
    back = local_path(next, f"/admin/{site.id}/donations")
    return redirect(back, notice=f"message_{status}")
