"""The campaign pages at `/admin/{site}/campaigns`: the list, the form, and its buttons.

Every staff member sees the list; creating, editing, closing, reopening and choosing the
current campaign are for admins. A refused form comes back with the message and what was
typed. The donation pages are `donations.py`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Path, Request, Response
from pydantic import BaseModel, Field

from talkback.admin.auth import AdminDep
from talkback.admin.funding_forms import campaign_form, campaign_json, draft_from_form
from talkback.admin.render import guarded_router, redirect, render
from talkback.core.statuses import CampaignStatus
from talkback.errors import Invalid
from talkback.funding import campaigns
from talkback.sites.sites import Site
from talkback.web.deps import MAX_ID, Ctx, SiteDep

CampaignId = Annotated[int, Path(ge=1, le=MAX_ID)]
Short = Annotated[str, Form(max_length=300)]
Long = Annotated[str, Form(max_length=4000)]
Check = Annotated[bool, Form()]

router = guarded_router()


@router.get("/{site}/campaigns")
async def campaigns_page(request: Request, ctx: Ctx, site: SiteDep) -> Response:
    found = await campaigns.list_campaigns(ctx, site)
    return await render(
        request, "campaigns.html", site=site,
        campaigns=[campaign_json(c, site.locale) for c in found],
        title="Campaigns", section="campaigns",
    )  # fmt: skip


@router.get("/{site}/campaigns/new")
async def new_campaign_page(request: Request, site: SiteDep, _admin: AdminDep) -> Response:
    return await _form(request, site, None, campaign_form(None))


@router.get("/{site}/campaigns/{campaign_id}/edit")
async def edit_campaign_page(
    request: Request, ctx: Ctx, site: SiteDep, _admin: AdminDep, campaign_id: CampaignId
) -> Response:
    found = await campaigns.find_campaign(ctx, site, campaign_id)
    return await _form(request, site, found.id, campaign_form(found))


async def _form(
    request: Request,
    site: Site,
    campaign_id: int | None,
    form: dict[str, Any],
    error: str | None = None,
) -> Response:
    return await render(
        request, "campaign_form.html", status=422 if error else 200, site=site,
        campaign_id=campaign_id, form=form, error=error,
        title="Edit campaign" if campaign_id else "New campaign", section="campaigns",
    )  # fmt: skip


class CampaignFormIn(BaseModel):
    """The campaign form as typed: text until `draft_from_form` checks it, so a refused
    form can be shown again exactly as it was sent."""

    title: Annotated[str, Field(max_length=300)] = ""
    description: Annotated[str, Field(max_length=4000)] = ""
    currency: Annotated[str, Field(max_length=300)] = ""
    goal: Annotated[str, Field(max_length=300)] = ""
    ticks: Annotated[str, Field(max_length=300)] = ""
    presets: Annotated[str, Field(max_length=300)] = ""
    starts: Annotated[str, Field(max_length=300)] = ""
    ends: Annotated[str, Field(max_length=300)] = ""
    donor_wall: bool = False
    current: bool = False


CampaignForm = Annotated[CampaignFormIn, Form()]


@router.post("/{site}/campaigns")
async def create_campaign(
    request: Request, ctx: Ctx, site: SiteDep, admin: AdminDep, typed: CampaignForm
) -> Response:
    form = typed.model_dump()
    try:
        draft = draft_from_form(form)
        await campaigns.create_campaign(ctx, site, draft, current=typed.current, staff=admin)
    except Invalid as exc:
        return await _form(request, site, None, form, exc.message)
    return redirect(f"/admin/{site.id}/campaigns", notice="campaign_created")


@router.post("/{site}/campaigns/{campaign_id}/edit")
async def edit_campaign(
    request: Request,
    ctx: Ctx,
    site: SiteDep,
    admin: AdminDep,
    campaign_id: CampaignId,
    typed: CampaignForm,
) -> Response:
    form = {**typed.model_dump(), "current": False}
    try:
        draft = draft_from_form(form)
        await campaigns.update_campaign(ctx, site, campaign_id, draft, admin)
    except Invalid as exc:
        return await _form(request, site, campaign_id, form, exc.message)
    return redirect(f"/admin/{site.id}/campaigns", notice="campaign_saved")


@router.post("/{site}/campaigns/{campaign_id}/status")
async def campaign_status(
    ctx: Ctx,
    site: SiteDep,
    admin: AdminDep,
    campaign_id: CampaignId,
    status: Annotated[CampaignStatus, Form()],
) -> Response:
    await campaigns.set_campaign_status(ctx, site, campaign_id, status, admin)
    notice = "campaign_closed" if status == "closed" else "campaign_reopened"
    return redirect(f"/admin/{site.id}/campaigns", notice=notice)


@router.post("/{site}/campaigns/{campaign_id}/make-current")
async def campaign_make_current(
    ctx: Ctx, site: SiteDep, admin: AdminDep, campaign_id: CampaignId
) -> Response:
    await campaigns.make_current(ctx, site, campaign_id, admin)
    return redirect(f"/admin/{site.id}/campaigns", notice="campaign_current")
