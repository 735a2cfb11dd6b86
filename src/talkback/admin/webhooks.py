"""The webhook pages at `/admin/{site}/webhooks`: endpoints, the create form, the test
button, and each endpoint's delivery log. Admins only, as the API (`webhooks_api.py`).

A new or rotated secret is shown on the page that answers the form post, never put in a
URL or shown again; the other actions redirect back with a notice.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Path, Request, Response

from talkback.admin.auth import AdminDep
from talkback.admin.render import guarded_router, redirect, render
from talkback.errors import Invalid
from talkback.sites.sites import Site
from talkback.web.deps import MAX_ID, Ctx, SiteDep
from talkback.webhooks import endpoints, log
from talkback.webhooks.endpoints import MAX_DESCRIPTION, EndpointWithSecret
from talkback.webhooks.events import EVENT_NAMES
from talkback.webhooks.urls import MAX_URL_LENGTH

EndpointId = Annotated[int, Path(ge=1, le=MAX_ID)]
DeliveryId = Annotated[int, Path(ge=1, le=MAX_ID)]
LOG_PAGE = 50

router = guarded_router()


@router.get("/{site}/webhooks")
async def webhooks_page(request: Request, ctx: Ctx, site: SiteDep, _admin: AdminDep) -> Response:
    return await _page(request, ctx, site, form={"events": list(EVENT_NAMES)})


async def _page(
    request: Request,
    ctx: Ctx,
    site: Site,
    *,
    form: dict[str, Any],
    error: str | None = None,
    shown: EndpointWithSecret | None = None,
    status: int = 200,
) -> Response:
    return await render(
        request, "webhooks.html", status=status, site=site,
        endpoints=await endpoints.list_endpoints(ctx, site), event_names=EVENT_NAMES,
        form=form, error=error, shown=shown, max_url=MAX_URL_LENGTH,
        max_description=MAX_DESCRIPTION, title="Webhooks", section="webhooks", wide=True,
    )  # fmt: skip


@router.post("/{site}/webhooks")
async def create_webhook(
    request: Request,
    ctx: Ctx,
    site: SiteDep,
    admin: AdminDep,
    url: Annotated[str, Form(max_length=MAX_URL_LENGTH)],
    events: Annotated[list[str], Form(max_length=len(EVENT_NAMES))] = [],  # noqa: B006
    description: Annotated[str, Form(max_length=MAX_DESCRIPTION)] = "",
) -> Response:
    """Answers the page itself, with the new secret shown this once."""
    try:
        created = await endpoints.create_endpoint(
            ctx, site, url=url, events=events, description=description, staff=admin
        )
    except Invalid as exc:
        form = {"url": url, "events": events, "description": description}
        return await _page(request, ctx, site, form=form, error=exc.message, status=422)
    return await _page(request, ctx, site, form={"events": list(EVENT_NAMES)}, shown=created)


@router.post("/{site}/webhooks/{endpoint_id}/rotate-secret")
async def rotate_secret(
    request: Request, ctx: Ctx, site: SiteDep, admin: AdminDep, endpoint_id: EndpointId
) -> Response:
    rotated = await endpoints.rotate_secret(ctx, site, endpoint_id, admin)
    return await _page(request, ctx, site, form={"events": list(EVENT_NAMES)}, shown=rotated)


@router.post("/{site}/webhooks/{endpoint_id}/active")
async def set_active(
    ctx: Ctx,
    site: SiteDep,
    admin: AdminDep,
    endpoint_id: EndpointId,
    active: Annotated[bool, Form()],
) -> Response:
    await endpoints.update_endpoint(ctx, site, endpoint_id, {"active": active}, admin)
    notice = "webhook_activated" if active else "webhook_deactivated"
    return redirect(f"/admin/{site.id}/webhooks", notice=notice)


@router.post("/{site}/webhooks/{endpoint_id}/delete")
async def delete_webhook(
    ctx: Ctx, site: SiteDep, admin: AdminDep, endpoint_id: EndpointId
) -> Response:
    await endpoints.delete_endpoint(ctx, site, endpoint_id, admin)
    return redirect(f"/admin/{site.id}/webhooks", notice="webhook_deleted")


@router.post("/{site}/webhooks/{endpoint_id}/test")
async def send_test(ctx: Ctx, site: SiteDep, admin: AdminDep, endpoint_id: EndpointId) -> Response:
    await log.send_test_event(ctx, site, endpoint_id, admin)
    return redirect(f"/admin/{site.id}/webhooks/{endpoint_id}/deliveries", notice="webhook_test")


@router.get("/{site}/webhooks/{endpoint_id}/deliveries")
async def deliveries_page(
    request: Request, ctx: Ctx, site: SiteDep, _admin: AdminDep, endpoint_id: EndpointId
) -> Response:
    endpoint = await endpoints.find_endpoint(ctx, site, endpoint_id)
    found = await log.list_deliveries(ctx, site, endpoint_id, limit=LOG_PAGE, offset=0)
    return await render(
        request, "webhook_deliveries.html", site=site, endpoint=endpoint, deliveries=found,
        title="Webhook deliveries", section="webhooks", wide=True,
    )  # fmt: skip


@router.post("/{site}/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver")
async def redeliver(
    ctx: Ctx, site: SiteDep, admin: AdminDep, endpoint_id: EndpointId, delivery_id: DeliveryId
) -> Response:
    await log.redeliver(ctx, site, endpoint_id, delivery_id, admin)
    return redirect(
        f"/admin/{site.id}/webhooks/{endpoint_id}/deliveries", notice="webhook_redelivered"
    )
