"""Server-sent events of one page's thread, for open widgets.

A stream subscribes before its headers go out, so a widget that has the answer's headers
hears every event published after them. Its heartbeat comes from the subscription (a
comment line after `live_heartbeat_seconds` of silence), not from sse-starlette's ping
task: one task less per open stream, and a busy stream sends no heartbeats at all. A
stream the hub cuts off (its reader fell `hub.QUEUE_LIMIT` events behind) is ended at
once, connection and all, even while a send to a full socket holds it; its EventSource
reconnects.
"""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack

import anyio
from fastapi import APIRouter, Request
from sse_starlette import EventSourceResponse
from starlette.types import Receive, Scope, Send

from talkback.live.hub import Subscription
from talkback.observability.metrics import open_sse_connection
from talkback.web.deps import Ctx, SiteDep, Uri
from talkback.web.errors import API_ERRORS

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1/{site}", tags=["live"], responses=API_ERRORS)


class LiveStream(EventSourceResponse):
    """The stream of one subscription, which it ends (unsubscribes) however it ends."""

    def __init__(
        self, subscription: Subscription, held: AsyncExitStack, heartbeat_seconds: float
    ) -> None:
        super().__init__(
            subscription.frames(heartbeat_seconds),
            ping=0,
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
        self._subscription = subscription
        self._held = held

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            with open_sse_connection(), anyio.CancelScope() as cut_off:
                self._subscription.when_closed(cut_off.cancel)
                await super().__call__(scope, receive, send)
            if cut_off.cancel_called:
                log.info("event=live_stream_cut_off reason=fell_behind")
        finally:
            await self._held.aclose()


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
async def stream(request: Request, ctx: Ctx, site: SiteDep, uri: Uri) -> EventSourceResponse:
    """`comment.created`, `comment.updated`, `comment.deleted` and `vote` events, each with
    the thread's comment count, and `campaign.updated` of the site's goal bar; a comment
    line after 15 s of silence (`TALKBACK_LIVE_HEARTBEAT_SECONDS`) keeps proxies from
    closing it. Every event published after the answer's headers reaches the stream.
    One address may hold `TALKBACK_LIVE_STREAMS_PER_ADDRESS` open per server process; one
    more is answered 429 (`live/quota.py`)."""
    held = AsyncExitStack()
    try:
        held.enter_context(ctx.live.quota.hold(request.client.host if request.client else ""))
        subscription = await held.enter_async_context(ctx.live.subscribe(site.id, uri))
    except BaseException:
        await held.aclose()
        raise
    return LiveStream(subscription, held, ctx.settings.live_heartbeat_seconds)
