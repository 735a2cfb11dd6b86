"""Server-sent events of one page's thread, for open widgets."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter
from sse_starlette import EventSourceResponse, ServerSentEvent

from talkback.observability.metrics import open_sse_connection
from talkback.web.deps import Ctx, SiteDep, Uri
from talkback.web.errors import API_ERRORS

router = APIRouter(prefix="/api/v1/{site}", tags=["live"], responses=API_ERRORS)

PING_SECONDS = 15


@router.get(
    "/stream",
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": "Server-sent events; each event's `data` is one line of JSON",
            "content": {"text/event-stream": {}},
        }
    },
)
async def stream(ctx: Ctx, site: SiteDep, uri: Uri) -> EventSourceResponse:
    """`comment.created`, `comment.updated`, `comment.deleted` and `vote` events, each with
    the thread's comment count, and `campaign.updated` of the site's goal bar; a comment
    line every 15 s keeps proxies from closing it."""

    async def events() -> AsyncIterator[ServerSentEvent]:
        with open_sse_connection():
            async with ctx.live.subscribe(site.id, uri) as subscription:
                async for event in subscription.events():
                    yield ServerSentEvent(data=event.data_json(), event=event.name)

    return EventSourceResponse(
        events(),
        ping=PING_SECONDS,
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
