"""Starting a gift: a Stripe Checkout Session whose amount, currency and campaign are fixed
here on the server, never by the page (or the demo's local test checkout page)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode, urlsplit, urlunsplit

from talkback import clock
from talkback.context import Context
from talkback.core import money
from talkback.core.funding_rules import clean_donor_text
from talkback.errors import Conflict, Invalid, Unavailable
from talkback.funding.campaigns import Campaign, find_campaign
from talkback.funding.demo_checkout import demo_checkout_url
from talkback.funding.stripe_gateway import CheckoutRequest
from talkback.moderation.rate_limits import CHECKOUTS_PER_READER
from talkback.readers.tokens import Reader
from talkback.sites.sites import Site

RESULT_PARAM = "talkback_donation"


@dataclass(frozen=True, slots=True)
class GiftDraft:
    """What the reader chose in the widget; amount in major units."""

    amount: Decimal
    currency: str
    return_url: str
    donor_name: str | None = None
    message: str | None = None


def payments_enabled(ctx: Context) -> bool:
    return ctx.settings.stripe_secret_key is not None or ctx.settings.demo_payments


async def start_checkout(
    ctx: Context, site: Site, ref: int | str, gift: GiftDraft, reader: Reader, *, server_url: str
) -> str:
    """The URL to send the reader to; Stripe sends them back to `return_url`."""
    await ctx.rate_limits.check(CHECKOUTS_PER_READER, site.id, reader.ip_hash, what="checkouts")
    campaign = await find_campaign(ctx, site, ref)
    if not campaign.accepts_gifts(clock.now()):
        raise Conflict("this campaign is not taking gifts any more", code="campaign_closed")
    if not payments_enabled(ctx):
        raise Unavailable("this server is not set up to take payments", code="payments_unavailable")
    amount_minor = _checked_amount(campaign, gift)
    name, message = clean_donor_text(gift.donor_name, gift.message)
    _check_return_url(site, gift.return_url)
    metadata = {"talkback_site": site.id, "talkback_campaign": str(campaign.id)}
    if name:
        metadata["donor_name"] = name
    if message:
        metadata["message"] = message
    request = CheckoutRequest(
        amount_minor=amount_minor,
        currency=campaign.currency,
        product_name=f"Support {site.name}: {campaign.title}"[:250],
        success_url=with_result(gift.return_url, "thanks"),
        cancel_url=with_result(gift.return_url, "cancelled"),
        metadata=metadata,
    )
    if ctx.settings.stripe_secret_key is None:
        session_id = "cs_demo_" + secrets.token_hex(12)
        return demo_checkout_url(ctx.secret_key, server_url, session_id, request)
    return (await ctx.stripe.create_session(request)).url


def with_result(url: str, result: str) -> str:
    """`url` with `talkback_donation=result` in its query, any fragment dropped."""
    parts = urlsplit(url)
    query = "&".join(p for p in parts.query.split("&") if p and not p.startswith(RESULT_PARAM))
    query = f"{query}&" if query else ""
    return urlunsplit(parts._replace(query=query + urlencode({RESULT_PARAM: result}), fragment=""))


def _checked_amount(campaign: Campaign, gift: GiftDraft) -> int:
    if gift.currency.strip().upper() != campaign.currency:
        raise Invalid(
            f"currency: this campaign takes {campaign.currency}", code="currency_mismatch"
        )
    try:
        amount_minor = money.to_minor(gift.amount, campaign.currency)
    except money.InvalidAmount as exc:
        raise Invalid(f"amount: {exc}", code="invalid_amount") from exc
    if not campaign.min_gift_minor <= amount_minor <= campaign.max_gift_minor:
        low = money.to_json_number(campaign.min_gift_minor, campaign.currency)
        high = money.to_json_number(campaign.max_gift_minor, campaign.currency)
        raise Invalid(
            f"amount: between {low} and {high} {campaign.currency}", code="invalid_amount"
        )
    return amount_minor


def _check_return_url(site: Site, url: str) -> None:
    """Only back to the site's own pages: a checkout must not become an open redirect."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid("return_url: an absolute http(s) URL", code="invalid_return_url")
    if not site.allows_origin(f"{parts.scheme}://{parts.netloc}"):
        raise Invalid("return_url: not one of this site's origins", code="invalid_return_url")
