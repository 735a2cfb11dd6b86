"""Talking to Stripe: creating Checkout Sessions and verifying webhook signatures.

Everything Stripe-specific stays here, so the services see plain data. The stripe library
does the HTTP (through httpx, asynchronously) and the signature check; tests point it at a
fake server on loopback with `TALKBACK_STRIPE_API_BASE`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from talkback.config import Settings
from talkback.errors import BadRequest, Unavailable

if TYPE_CHECKING:
    import stripe

SIGNATURE_HEADER = "Stripe-Signature"
SIGNATURE_TOLERANCE_SECONDS = 300


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    """One gift's session: amount and currency are fixed here, on the server."""

    amount_minor: int
    currency: str
    product_name: str
    success_url: str
    cancel_url: str
    metadata: dict[str, str]


@dataclass(frozen=True, slots=True)
class CheckoutSession:
    id: str
    url: str


def webhook_secret(settings: Settings, secret_key: str) -> str | None:
    """The configured endpoint secret; the demo signs its own test payments with one
    derived from the server's key, so they pass the very same verification."""
    if settings.stripe_webhook_secret is not None:
        return settings.stripe_webhook_secret.get_secret_value()
    if settings.demo_payments:
        digest = hmac.new(secret_key.encode(), b"demo-stripe-webhook", hashlib.sha256)
        return "whsec_demo_" + digest.hexdigest()
    return None


def verified_event(payload: bytes, signature: str | None, secret: str | None) -> dict[str, Any]:
    """The event in `payload` if Stripe (or the demo) signed exactly these bytes."""
    if secret is None:
        raise Unavailable("TALKBACK_STRIPE_WEBHOOK_SECRET is not set", code="payments_unavailable")
    if not signature:
        raise BadRequest(f"missing {SIGNATURE_HEADER} header", code="bad_signature")
    import stripe  # see StripeCheckout._stripe

    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"), signature, secret, SIGNATURE_TOLERANCE_SECONDS
        )
    except (stripe.SignatureVerificationError, UnicodeDecodeError) as exc:
        raise BadRequest("the webhook signature does not match", code="bad_signature") from exc
    try:
        event = json.loads(payload)
    except ValueError as exc:
        raise BadRequest("the webhook body is not JSON", code="bad_payload") from exc
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        raise BadRequest("the webhook body is not a Stripe event", code="bad_payload")
    return event


def sign_payload(payload: bytes, secret: str, timestamp: int) -> str:
    """A `Stripe-Signature` header for `payload`, as Stripe computes it (used by the demo)."""
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class StripeCheckout:
    """Checkout Sessions through one stripe client per process, whose httpx connection pool
    is reused across gifts and closed with the app."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._http: stripe.HTTPXClient | None = None
        self._client: stripe.StripeClient | None = None

    def _stripe(self) -> stripe.StripeClient:
        key = self._settings.stripe_secret_key
        if key is None:
            raise Unavailable("TALKBACK_STRIPE_SECRET_KEY is not set", code="payments_unavailable")
        if self._client is None:
            # Imported on first use: the library and the HTTP stacks it brings weigh
            # about 20 MB, in every worker of a site that may never take a gift.
            import stripe

            base = (
                {"api": self._settings.stripe_api_base} if self._settings.stripe_api_base else None
            )
            self._http = stripe.HTTPXClient()
            self._client = stripe.StripeClient(
                key.get_secret_value(),
                base_addresses=base,  # type: ignore[arg-type]
                http_client=self._http,
                max_network_retries=2,
            )
        return self._client

    async def create_session(self, request: CheckoutRequest) -> CheckoutSession:
        """A Stripe Checkout Session in payment mode for one line: the gift."""
        import stripe  # loaded by self._stripe()

        client = self._stripe()
        params: dict[str, Any] = {
            "mode": "payment",
            "submit_type": "donate",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": request.currency.lower(),
                        "unit_amount": request.amount_minor,
                        "product_data": {"name": request.product_name},
                    },
                }
            ],
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "metadata": request.metadata,
            "payment_intent_data": {"metadata": request.metadata},
        }
        try:
            session = await client.v1.checkout.sessions.create_async(params)  # type: ignore[arg-type]
        except stripe.StripeError as exc:
            raise Unavailable(
                f"the payment provider refused the checkout: {exc.user_message or exc}",
                code="payment_provider_error",
            ) from exc
        if not session.url:
            raise Unavailable(
                "the payment provider returned no checkout URL", code="payment_provider_error"
            )
        return CheckoutSession(id=session.id, url=session.url)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close_async()  # type: ignore[no-untyped-call]
