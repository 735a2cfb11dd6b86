"""The demo's stand-in for Stripe Checkout, so a newcomer without Stripe keys can give and
watch the bar move.

The session travels in a signed token (nothing to store); paying builds the very event
Stripe would send, signed with the demo's webhook secret, for the normal webhook code.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any
from urllib.parse import urlencode

from itsdangerous import BadSignature, URLSafeTimedSerializer

from talkback.errors import Invalid
from talkback.funding.stripe_gateway import CheckoutRequest

PATH = "/demo/checkout"
DEMO_PROVIDER = "demo"
"""The provider a demo gift is recorded under; its reference is the session id."""
SALT = "talkback-demo-checkout"
TOKEN_MAX_AGE_SECONDS = 3600


def demo_checkout_url(
    secret_key: str, server_url: str, session_id: str, request: CheckoutRequest
) -> str:
    token = URLSafeTimedSerializer(secret_key, salt=SALT).dumps(
        {"session_id": session_id, **dataclasses.asdict(request)}
    )
    return f"{server_url.rstrip('/')}{PATH}?{urlencode({'token': token})}"


def read_demo_checkout(secret_key: str, token: str) -> tuple[str, CheckoutRequest]:
    """The session a token describes; Invalid when it was forged or is over an hour old."""
    try:
        data: dict[str, Any] = URLSafeTimedSerializer(secret_key, salt=SALT).loads(
            token, max_age=TOKEN_MAX_AGE_SECONDS
        )
    except BadSignature as exc:
        raise Invalid("this test checkout has expired; start again from the article") from exc
    session_id = str(data.pop("session_id"))
    return session_id, CheckoutRequest(**data)


def completed_event(session_id: str, request: CheckoutRequest) -> dict[str, Any]:
    """A `checkout.session.completed` event as Stripe shapes it, marked as a demo gift."""
    return {
        "id": "evt_" + session_id,
        "object": "event",
        "type": "checkout.session.completed",
        "created": int(time.time()),
        "livemode": False,
        "data": {
            "object": {
                "id": session_id,
                "object": "checkout.session",
                "mode": "payment",
                "amount_total": request.amount_minor,
                "currency": request.currency.lower(),
                "payment_status": "paid",
                "payment_intent": "pi_" + session_id,
                "customer_details": {"email": None},
                "metadata": {**request.metadata, "talkback_demo": "1"},
            }
        },
    }
