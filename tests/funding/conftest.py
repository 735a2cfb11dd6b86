"""Funding tests: the app with Stripe pointed at a fake Stripe server on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from talkback.core.funding_rules import CampaignDraft
from talkback.funding.campaigns import Campaign, create_campaign
from tests.api.conftest import ORIGIN, SITE, Api, running_api
from tests.fake_stripe import FakeStripe, fake_stripe
from tests.stripe_events import WEBHOOK_PATH, checkout_completed, encode, signature_header

WEBHOOK_SECRET = "whsec_test_funding"
STRIPE_KEY = "sk_test_funding"
ARTICLE_URL = f"{ORIGIN}/2026/11/river-barrier"


class Funding:
    """The API plus what funding tests do over and over: campaigns, gifts, webhooks."""

    def __init__(self, api: Api, stripe: FakeStripe) -> None:
        self.api = api
        self.client: httpx.AsyncClient = api.client
        self.stripe = stripe
        self.sessions = 0

    async def campaign(
        self, goal: str = "5000", currency: str = "USD", *, current: bool = True, **fields: Any
    ) -> Campaign:
        site = await self.api.context.sites.get(SITE)
        draft = CampaignDraft(
            title=fields.pop("title", "Keep the newsroom open"),
            currency=currency,
            goal=Decimal(goal),
            **fields,
        )
        return await create_campaign(self.api.context, site, draft, current=current)

    async def deliver(
        self, event: dict[str, Any], secret: str = WEBHOOK_SECRET, body: bytes | None = None
    ) -> httpx.Response:
        payload = encode(event) if body is None else body
        headers = {"Stripe-Signature": signature_header(payload, secret),
                   "Content-Type": "application/json"}  # fmt: skip
        return await self.client.post(WEBHOOK_PATH, content=payload, headers=headers)

    def gift_event(self, campaign: Campaign, amount_minor: int, **fields: Any) -> dict[str, Any]:
        self.sessions += 1
        return checkout_completed(
            session_id=fields.pop("session_id", f"cs_test_gift_{self.sessions}"),
            site=SITE,
            campaign_id=campaign.id,
            amount_minor=amount_minor,
            currency=fields.pop("currency", campaign.currency),
            **fields,
        )

    async def give(self, campaign: Campaign, amount_minor: int, **fields: Any) -> None:
        response = await self.deliver(self.gift_event(campaign, amount_minor, **fields))
        assert response.status_code == 200, response.text

    async def shown(self, ref: int | str = "current", **params: str) -> dict[str, Any]:
        response = await self.client.get(f"/api/v1/{SITE}/campaigns/{ref}", params=params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def checkout(self, ref: int | str = "current", **gift: Any) -> httpx.Response:
        body = {"amount": 25, "currency": "USD", "return_url": ARTICLE_URL, **gift}
        return await self.client.post(
            f"/api/v1/{SITE}/campaigns/{ref}/checkout", json=body, headers={"Origin": ORIGIN}
        )


@pytest.fixture
def stripe_server() -> Iterator[FakeStripe]:
    with fake_stripe() as server:
        yield server


@pytest.fixture
async def funding(database_url: str, stripe_server: FakeStripe) -> AsyncIterator[Funding]:
    async with running_api(
        database_url,
        rate_limits="off",
        stripe_secret_key=STRIPE_KEY,
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=stripe_server.url,
    ) as api:
        yield Funding(api, stripe_server)
