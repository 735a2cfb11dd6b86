"""`GET /metrics`: this node's metrics in the Prometheus text format (or OpenMetrics)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response

from talkback.observability.access import check_scraper
from talkback.observability.exposition import scrape
from talkback.web.deps import Ctx
from talkback.web.errors import ErrorBody

router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"description": "Prometheus metrics", "content": {"text/plain": {}}},
        401: {"model": ErrorBody, "description": "`TALKBACK_METRICS_TOKEN` is set and not sent"},
        403: {"model": ErrorBody, "description": "Not a loopback client, and no token is set"},
    },
)
async def metrics(
    ctx: Ctx,
    request: Request,
    authorization: Annotated[str | None, Header(max_length=1000)] = None,
    accept: Annotated[str, Header(max_length=1000)] = "",
) -> Response:
    """Request latencies by route, the writer's groups and queue, the classifier's batches,
    open event streams, page cache hits and misses, and the outbox's backlog, added up over
    every worker process of this node. Loopback clients only, unless
    `TALKBACK_METRICS_TOKEN` is set and sent as a bearer token."""
    client = request.client.host if request.client else None
    check_scraper(ctx.settings.metrics_token, authorization, client)
    result = await scrape(ctx.database, accept)
    return Response(result.body, media_type=result.content_type)
