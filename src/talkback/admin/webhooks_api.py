"""The webhook part of the admin JSON API: endpoints, their secrets, test events and the
delivery log. Admins only: an endpoint receives the site's comments and donations, so
choosing where they go is as sensitive as the site's settings. Every change is audited.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Response
from pydantic import Field
from typing_extensions import TypedDict

from talkback.admin.api import guarded_api_router
from talkback.admin.auth import AdminDep
from talkback.admin.schemas import Strict
from talkback.web.deps import MAX_ID, Ctx, SiteDep
from talkback.webhooks import endpoints, log
from talkback.webhooks.endpoints import MAX_DESCRIPTION, Endpoint, EndpointWithSecret
from talkback.webhooks.events import EVENT_NAMES
from talkback.webhooks.log import Delivery
from talkback.webhooks.urls import MAX_URL_LENGTH

EndpointId = Annotated[int, Path(ge=1, le=MAX_ID)]
DeliveryId = Annotated[int, Path(ge=1, le=MAX_ID)]
Url = Annotated[str, Field(min_length=1, max_length=MAX_URL_LENGTH)]
Events = Annotated[list[str], Field(min_length=1, max_length=len(EVENT_NAMES))]
Description = Annotated[str, Field(max_length=MAX_DESCRIPTION)]

router = guarded_api_router()


class EndpointIn(Strict):
    """`url`: https (plain http only to 127.0.0.1, localhost or ::1); `events`: names from
    the list `GET …/webhooks` answers."""

    url: Url
    events: Events
    description: Description = ""
    active: bool = True


class EndpointPatch(Strict):
    """Any subset of the fields; those not sent stay as they are."""

    url: Url | None = None
    events: Events | None = None
    description: Description | None = None
    active: bool | None = None


class EndpointsOut(TypedDict):
    endpoints: list[Endpoint]
    events: list[str]
    """Every event name an endpoint can subscribe to."""


class EndpointOut(TypedDict):
    endpoint: Endpoint


class DeliveriesOut(TypedDict):
    deliveries: list[Delivery]


class DeliveryOut(TypedDict):
    delivery: Delivery


@router.get("/{site}/webhooks")
async def endpoint_list(ctx: Ctx, site: SiteDep, _admin: AdminDep) -> EndpointsOut:
    return {"endpoints": await endpoints.list_endpoints(ctx, site), "events": list(EVENT_NAMES)}


@router.post("/{site}/webhooks", status_code=201)
async def endpoint_create(
    ctx: Ctx, site: SiteDep, admin: AdminDep, body: EndpointIn
) -> EndpointWithSecret:
    """The answer carries the signing secret: the only time it is shown."""
    return await endpoints.create_endpoint(
        ctx, site, url=body.url, events=body.events, description=body.description,
        active=body.active, staff=admin,
    )  # fmt: skip


@router.get("/{site}/webhooks/{endpoint_id}")
async def endpoint_one(
    ctx: Ctx, site: SiteDep, _admin: AdminDep, endpoint_id: EndpointId
) -> EndpointOut:
    return {"endpoint": await endpoints.find_endpoint(ctx, site, endpoint_id)}


@router.patch("/{site}/webhooks/{endpoint_id}")
async def endpoint_edit(
    ctx: Ctx, site: SiteDep, admin: AdminDep, endpoint_id: EndpointId, body: EndpointPatch
) -> EndpointOut:
    changes = body.model_dump(exclude_none=True)
    return {"endpoint": await endpoints.update_endpoint(ctx, site, endpoint_id, changes, admin)}


@router.delete("/{site}/webhooks/{endpoint_id}", status_code=204)
async def endpoint_delete(
    ctx: Ctx, site: SiteDep, admin: AdminDep, endpoint_id: EndpointId
) -> Response:
    """Removes its delivery log too; deactivate it to keep the log."""
    await endpoints.delete_endpoint(ctx, site, endpoint_id, admin)
    return Response(status_code=204)


@router.post("/{site}/webhooks/{endpoint_id}/rotate-secret")
async def endpoint_rotate(
    ctx: Ctx, site: SiteDep, admin: AdminDep, endpoint_id: EndpointId
) -> EndpointWithSecret:
    """A new secret signs every delivery from now on, retries included; shown this once."""
    return await endpoints.rotate_secret(ctx, site, endpoint_id, admin)


@router.post("/{site}/webhooks/{endpoint_id}/test", status_code=202)
async def endpoint_test(
    ctx: Ctx, site: SiteDep, admin: AdminDep, endpoint_id: EndpointId
) -> DeliveryOut:
    """Queue a `ping` event to the endpoint (active or not); its delivery is answered."""
    return {"delivery": await log.send_test_event(ctx, site, endpoint_id, admin)}


@router.get("/{site}/webhooks/{endpoint_id}/deliveries")
async def delivery_list(
    ctx: Ctx,
    site: SiteDep,
    _admin: AdminDep,
    endpoint_id: EndpointId,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> DeliveriesOut:
    """Newest first, each with its attempts (time, status code, duration, error)."""
    found = await log.list_deliveries(ctx, site, endpoint_id, limit=limit, offset=offset)
    return {"deliveries": found}


@router.post("/{site}/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver")
async def delivery_redeliver(
    ctx: Ctx, site: SiteDep, admin: AdminDep, endpoint_id: EndpointId, delivery_id: DeliveryId
) -> DeliveryOut:
    """Send a failed delivery again, under the same `Talkback-Delivery` id (409 otherwise)."""
    return {"delivery": await log.redeliver(ctx, site, endpoint_id, delivery_id, admin)}
