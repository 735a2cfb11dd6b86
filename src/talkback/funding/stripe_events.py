"""What a verified Stripe event means for us: a gift to count, a refund to subtract, or
nothing (unknown types are acknowledged, so Stripe stops resending them)."""

from __future__ import annotations

from typing import Any, Literal

from talkback.context import Context
from talkback.errors import BadRequest, NotFound
from talkback.funding.demo_checkout import DEMO_PROVIDER
from talkback.funding.donations import DonationDraft, record_donation, record_refund
from talkback.funding.stripe_gateway import verified_event, webhook_secret

PAID_TYPES = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
REFUND_TYPE = "charge.refunded"
# Stripe's own ceiling on an amount is eight digits; ours only keeps a forged-but-signed
# number from overflowing a BIGINT column.
MAX_AMOUNT = 10**15
MAX_ID_DIGITS = 15

Outcome = Literal[
    "recorded", "duplicate", "refund_recorded", "refund_unchanged", "ignored",
    "awaiting_payment", "not_ours", "unknown_site",
]  # fmt: skip
"""What a verified delivery came to, as the webhook answers and logs it."""


async def receive_stripe_webhook(ctx: Context, payload: bytes, signature: str | None) -> Outcome:
    """Verify and apply one delivery; returns what happened, for the response and logs.

    Stripe retries anything but a 2xx, so only a bad signature or an unreadable event is
    an error; events about sessions we did not create are acknowledged and ignored.
    """
    event = verified_event(payload, signature, webhook_secret(ctx.settings, ctx.secret_key))
    kind = event["type"]
    data = event.get("data")
    subject = data.get("object") if isinstance(data, dict) else None
    if not isinstance(subject, dict):
        raise BadRequest("the event has no data.object", code="bad_payload")
    if kind in PAID_TYPES:
        return await _paid_session(ctx, subject)
    if kind == REFUND_TYPE:
        payment_intent = _text(subject, "payment_intent")
        refunded = _amount(subject, "amount_refunded")
        changed = await record_refund(ctx, "stripe", payment_intent, refunded)
        return "refund_recorded" if changed else "refund_unchanged"
    return "ignored"


async def _paid_session(ctx: Context, session: dict[str, Any]) -> Outcome:
    if session.get("payment_status") != "paid":
        return "awaiting_payment"  # a delayed method: async_payment_succeeded follows
    metadata = session.get("metadata")
    if not isinstance(metadata, dict):
        return "not_ours"
    site_id, campaign = metadata.get("talkback_site"), metadata.get("talkback_campaign")
    if not isinstance(site_id, str) or not isinstance(campaign, str):
        return "not_ours"
    if not campaign.isdigit() or len(campaign) > MAX_ID_DIGITS:
        raise BadRequest("the session's campaign is not an id", code="bad_payload")
    try:
        site = await ctx.sites.get(site_id)
    except NotFound:
        return "unknown_site"
    customer = session.get("customer_details")
    email = customer.get("email") if isinstance(customer, dict) else None
    payment_intent = session.get("payment_intent")
    demo = metadata.get("talkback_demo") == "1" and ctx.settings.stripe_secret_key is None
    draft = DonationDraft(
        campaign_id=int(campaign),
        amount_minor=_amount(session, "amount_total"),
        currency=_text(session, "currency"),
        provider=DEMO_PROVIDER if demo else "stripe",
        provider_ref=_text(session, "id"),
        payment_ref=payment_intent if isinstance(payment_intent, str) else None,
        donor_name=_optional_text(metadata, "donor_name"),
        donor_email=email if isinstance(email, str) else None,
        message=_optional_text(metadata, "message"),
    )
    counted = await record_donation(ctx, site, draft)
    return "recorded" if counted else "duplicate"


def _text(subject: dict[str, Any], key: str) -> str:
    value = subject.get(key)
    if not isinstance(value, str) or not value:
        raise BadRequest(f"the event's {key} is missing", code="bad_payload")
    return value


def _optional_text(subject: dict[str, Any], key: str) -> str | None:
    value = subject.get(key)
    return value if isinstance(value, str) else None


def _amount(subject: dict[str, Any], key: str) -> int:
    value = subject.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_AMOUNT:
        raise BadRequest(f"the event's {key} is not an amount", code="bad_payload")
    return value
