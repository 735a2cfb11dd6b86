"""Stripe webhook events as Stripe sends them, signed the way Stripe signs them.

Shared by the API, service and browser tests: a test builds an event, serialises it once,
and posts exactly those bytes with the `Stripe-Signature` header made here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

WEBHOOK_PATH = "/api/v1/webhooks/stripe"


def signature_header(body: bytes, secret: str, timestamp: int | None = None) -> str:
    """`t=…,v1=…`: HMAC-SHA256 of `"{t}.{body}"` under the endpoint's secret."""
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def encode(event: dict[str, Any]) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode()


def checkout_completed(
    *,
    session_id: str,
    site: str,
    campaign_id: int,
    amount_minor: int,
    currency: str,
    payment_intent: str | None = None,
    donor_name: str | None = None,
    email: str | None = None,
    message: str | None = None,
    payment_status: str = "paid",
) -> dict[str, Any]:
    """A `checkout.session.completed` event for a session Talkback created."""
    metadata = {"talkback_site": site, "talkback_campaign": str(campaign_id)}
    if donor_name is not None:
        metadata["donor_name"] = donor_name
    if message is not None:
        metadata["message"] = message
    return {
        "id": f"evt_{session_id}",
        "object": "event",
        "type": "checkout.session.completed",
        "created": int(time.time()),
        "livemode": False,
        "data": {
            "object": {
                "id": session_id,
                "object": "checkout.session",
                "mode": "payment",
                "amount_total": amount_minor,
                "currency": currency.lower(),
                "payment_status": payment_status,
                "payment_intent": payment_intent or f"pi_{session_id}",
                "customer_details": {"email": email, "name": None},
                "metadata": metadata,
            }
        },
    }


def charge_refunded(*, payment_intent: str, amount_refunded: int, currency: str) -> dict[str, Any]:
    """A `charge.refunded` event; `amount_refunded` is the charge's cumulative refund."""
    return {
        "id": f"evt_refund_{payment_intent}_{amount_refunded}",
        "object": "event",
        "type": "charge.refunded",
        "created": int(time.time()),
        "livemode": False,
        "data": {
            "object": {
                "id": f"ch_{payment_intent}",
                "object": "charge",
                "amount_refunded": amount_refunded,
                "currency": currency.lower(),
                "payment_intent": payment_intent,
                "refunded": True,
            }
        },
    }
