"""A server without Stripe keys: bars still show, the button says payments are off; the
demo takes test gifts on its own checkout page through the same webhook code."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from talkback.core.funding_rules import CampaignDraft
from talkback.funding.campaigns import create_campaign
from tests.api.conftest import ORIGIN, SITE, Api, running_api
from tests.funding.conftest import ARTICLE_URL


@pytest.fixture
async def plain(database_url: str) -> AsyncIterator[Api]:
    async with running_api(database_url, rate_limits="off") as api:
        yield api


@pytest.fixture
async def demo(database_url: str) -> AsyncIterator[Api]:
    async with running_api(database_url, rate_limits="off", demo_payments=True) as api:
        yield api


async def _campaign(api: Api) -> None:
    site = await api.context.sites.get(SITE)
    draft = CampaignDraft(title="Keep the lights on", currency="EUR", goal=Decimal(2000))
    await create_campaign(api.context, site, draft, current=True)


async def _checkout(api: Api, amount: int = 10) -> tuple[int, dict[str, object]]:
    response = await api.client.post(
        f"/api/v1/{SITE}/campaigns/current/checkout",
        json={"amount": amount, "currency": "EUR", "return_url": ARTICLE_URL,
              "donor_name": "Jo", "message": "Keep it up"},
        headers={"Origin": ORIGIN},
    )  # fmt: skip
    return response.status_code, response.json()


async def test_without_stripe_keys_checkout_is_unavailable(plain: Api) -> None:
    await _campaign(plain)

    status, body = await _checkout(plain)
    shown = (await plain.client.get(f"/api/v1/{SITE}/campaigns/current")).json()
    webhook = await plain.client.post("/api/v1/webhooks/stripe", content=b"{}")

    assert (status, body["error"]["code"]) == (503, "payments_unavailable")  # type: ignore[index]
    assert shown["accepting"] is False
    assert webhook.status_code == 503
    assert (await plain.client.get("/demo/checkout", params={"token": "x"})).status_code == 404


async def test_the_demo_checkout_records_a_gift_once_and_returns_to_the_article(
    demo: Api,
) -> None:
    await _campaign(demo)

    status, body = await _checkout(demo, amount=15)
    assert status == 201
    url = urlsplit(str(body["url"]))
    page = await demo.client.get(f"{url.path}?{url.query}")
    assert page.status_code == 200
    for shown in ("€15", "Keep it up", "No money moves"):
        assert shown in page.text
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token is not None

    paid = await demo.client.post("/demo/checkout", data={"token": token.group(1)})
    again = await demo.client.post("/demo/checkout", data={"token": token.group(1)})

    assert paid.status_code == 303
    assert paid.headers["location"] == f"{ARTICLE_URL}?talkback_donation=thanks"
    assert again.status_code == 303
    shown = (await demo.client.get(f"/api/v1/{SITE}/campaigns/current")).json()
    assert (shown["raised"], shown["donors"], shown["accepting"]) == (15, 1, True)


async def test_a_forged_demo_token_is_refused(demo: Api) -> None:
    await _campaign(demo)

    response = await demo.client.post("/demo/checkout", data={"token": "forged.token"})

    assert response.status_code == 422
    shown = (await demo.client.get(f"/api/v1/{SITE}/campaigns/current")).json()
    assert shown["raised"] == 0
