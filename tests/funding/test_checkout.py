"""Starting a gift: the server fixes amount, currency and campaign, and Stripe gets them."""

from __future__ import annotations

from datetime import timedelta

from talkback import clock
from tests.api.conftest import ORIGIN, SITE, running_api
from tests.fake_stripe import CHECKOUT_HOST, FakeStripe
from tests.funding.conftest import ARTICLE_URL, STRIPE_KEY, Funding


async def test_checkout_sends_stripe_the_gift_and_returns_its_url(funding: Funding) -> None:
    campaign = await funding.campaign()

    response = await funding.checkout(amount=25, donor_name="Mara", message="For the river desk")

    assert response.status_code == 201, response.text
    assert response.json() == {"url": f"{CHECKOUT_HOST}/c/pay/cs_test_1"}
    (sent,) = funding.stripe.checkout_requests()
    assert sent.headers["Authorization"] == f"Bearer {STRIPE_KEY}"
    assert sent.form["mode"] == "payment"
    assert sent.form["line_items[0][quantity]"] == "1"
    assert sent.form["line_items[0][price_data][currency]"] == "usd"
    assert sent.form["line_items[0][price_data][unit_amount]"] == "2500"
    assert sent.form["line_items[0][price_data][product_data][name]"] == (
        "Support The Example News: Keep the newsroom open"
    )
    assert sent.form["metadata[talkback_site]"] == SITE
    assert sent.form["metadata[talkback_campaign]"] == str(campaign.id)
    assert sent.form["metadata[donor_name]"] == "Mara"
    assert sent.form["metadata[message]"] == "For the river desk"
    assert sent.form["success_url"] == f"{ARTICLE_URL}?talkback_donation=thanks"
    assert sent.form["cancel_url"] == f"{ARTICLE_URL}?talkback_donation=cancelled"


async def test_yen_are_sent_as_whole_units(funding: Funding) -> None:
    await funding.campaign("1000000", "JPY")

    response = await funding.checkout(amount=3000, currency="JPY")
    fraction = await funding.checkout(amount="3000.5", currency="JPY")

    assert response.status_code == 201, response.text
    assert funding.stripe.checkout_requests()[0].form[
        "line_items[0][price_data][unit_amount]"
    ] == "3000"  # fmt: skip
    assert fraction.status_code == 422
    assert "whole" in fraction.json()["error"]["message"]


async def test_a_return_url_keeps_its_query_and_loses_its_fragment(funding: Funding) -> None:
    await funding.campaign()

    await funding.checkout(return_url=f"{ARTICLE_URL}?ref=home&talkback_donation=thanks#top")

    sent = funding.stripe.checkout_requests()[0].form
    assert sent["success_url"] == f"{ARTICLE_URL}?ref=home&talkback_donation=thanks"
    assert sent["cancel_url"] == f"{ARTICLE_URL}?ref=home&talkback_donation=cancelled"


async def test_gifts_the_campaign_cannot_take_are_refused_in_words(funding: Funding) -> None:
    await funding.campaign()
    cases = {
        "currency_mismatch": {"currency": "EUR"},
        "invalid_amount": {"amount": "12.345"},
        "invalid_return_url": {"return_url": "https://evil.example/phish"},
    }
    for code, gift in cases.items():
        response = await funding.checkout(**gift)
        assert (response.status_code, response.json()["error"]["code"]) == (422, code), gift

    too_small = await funding.checkout(amount="0.5")
    too_big = await funding.checkout(amount=10001)
    assert [too_small.status_code, too_big.status_code] == [422, 422]
    assert "between 1 and 10000 USD" in too_big.json()["error"]["message"]
    malformed = (
        {"amount": 5},
        {"amount": "NaN", "currency": "USD", "return_url": ARTICLE_URL},
        {"amount": 5, "currency": "USD", "return_url": ARTICLE_URL, "extra": 1},
    )
    for body in malformed:
        response = await funding.client.post(
            f"/api/v1/{SITE}/campaigns/current/checkout", json=body, headers={"Origin": ORIGIN}
        )
        assert response.status_code == 422, body
    assert funding.stripe.checkout_requests() == []


async def test_a_closed_or_ended_campaign_takes_no_gifts(funding: Funding) -> None:
    ended = await funding.campaign(ends_at=clock.now() - timedelta(days=1))
    response = await funding.checkout(ended.id)
    assert (response.status_code, response.json()["error"]["code"]) == (409, "campaign_closed")
    assert (await funding.shown(ended.id))["accepting"] is False


async def test_a_provider_error_is_reported_not_a_500(funding: Funding) -> None:
    await funding.campaign()
    funding.stripe.fail_with = 402

    response = await funding.checkout()

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "payment_provider_error"


async def test_unknown_campaigns_are_404(funding: Funding) -> None:
    missing = await funding.client.get(f"/api/v1/{SITE}/campaigns/current")
    unknown = await funding.client.get(f"/api/v1/{SITE}/campaigns/999")
    bad_ref = await funding.client.get(f"/api/v1/{SITE}/campaigns/latest")

    assert [missing.status_code, unknown.status_code] == [404, 404]
    assert missing.json()["error"]["code"] == "campaign_not_found"
    assert bad_ref.status_code == 422


async def test_checkouts_are_rate_limited_per_reader(
    database_url: str, stripe_server: FakeStripe
) -> None:
    async with running_api(
        database_url, rate_limits="on", stripe_secret_key=STRIPE_KEY,
        stripe_api_base=stripe_server.url,
    ) as api:  # fmt: skip
        limited = Funding(api, stripe_server)
        await limited.campaign()
        statuses = [(await limited.checkout()).status_code for _ in range(11)]

    assert statuses == [201] * 10 + [429]
    assert len(stripe_server.checkout_requests()) == 10
