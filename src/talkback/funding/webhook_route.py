"""Stripe's webhook endpoint: the raw body goes to the signature check untouched."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Header, Request

from talkback.funding.schemas import WebhookOut
from talkback.funding.stripe_events import receive_stripe_webhook
from talkback.funding.stripe_gateway import SIGNATURE_HEADER
from talkback.web.deps import Ctx
from talkback.web.errors import API_ERRORS

router = APIRouter(tags=["funding"], responses=API_ERRORS)
log = logging.getLogger(__name__)


@router.post("/api/v1/webhooks/stripe")
async def stripe_webhook(
    request: Request,
    ctx: Ctx,
    signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER, max_length=2000)] = None,
) -> WebhookOut:
    """200 for every verified event (unknown types included), 400 for a bad signature."""
    outcome = await receive_stripe_webhook(ctx, await request.body(), signature)
    log.info("event=stripe_webhook outcome=%s", outcome)
    return {"received": True, "outcome": outcome}
