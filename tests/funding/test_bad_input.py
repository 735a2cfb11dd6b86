"""Random input to the funding endpoints: clear 4xx answers, never a 500, nothing counted
from a body that is not a paid session of ours."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import ORIGIN, SITE
from tests.api.test_bad_input import json_values
from tests.funding.conftest import ARTICLE_URL, WEBHOOK_SECRET, Funding
from tests.stripe_events import WEBHOOK_PATH, signature_header

FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
amounts = st.integers(min_value=-(2**70), max_value=2**70) | json_values
gifts = st.fixed_dictionaries(
    {},
    optional={
        "amount": amounts | st.decimals(allow_nan=False, allow_infinity=False).map(str),
        "currency": st.sampled_from(["USD", "usd", "JPY", "XXX", ""]) | json_values,
        "return_url": st.sampled_from([ARTICLE_URL, "javascript:alert(1)", "//evil.example"])
        | json_values,
        "donor_name": st.text(max_size=120) | json_values,
        "message": st.text(max_size=600) | json_values,
    },
)
sessions = st.fixed_dictionaries(
    {
        "id": st.text(max_size=30) | json_values,
        "amount_total": amounts,
        "currency": st.sampled_from(["usd", "jpy", ""]) | json_values,
        "payment_status": st.sampled_from(["paid", "unpaid"]) | json_values,
        "metadata": st.fixed_dictionaries(
            {"talkback_site": st.sampled_from([SITE, "nowhere"]) | json_values,
             "talkback_campaign": st.sampled_from(["1", "99999999999999999999", "x"])
             | json_values},
            optional={"donor_name": st.text(max_size=120) | json_values},
        )
        | json_values,
    },
    optional={"payment_intent": json_values, "customer_details": json_values},
)  # fmt: skip
events = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["checkout.session.completed", "charge.refunded", "ping"]),
        "data": st.fixed_dictionaries({"object": sessions | json_values}) | json_values,
    }
)


@FUZZ
@given(gift=gifts | json_values)
async def test_random_gifts_never_cause_a_server_error(funding: Funding, gift: Any) -> None:
    if not funding.sessions:
        await funding.campaign()
        funding.sessions = 1
    response = await funding.client.post(
        f"/api/v1/{SITE}/campaigns/current/checkout",
        content=json.dumps(gift).encode(),
        headers={"Content-Type": "application/json", "Origin": ORIGIN},
    )
    assert response.status_code in (201, 409, 422), response.text


@FUZZ
@given(event=events)
async def test_random_signed_events_never_cause_a_server_error(
    funding: Funding, event: dict[str, Any]
) -> None:
    if not funding.sessions:
        await funding.campaign()
        funding.sessions = 1
    body = json.dumps(event).encode()

    response = await funding.client.post(
        WEBHOOK_PATH, content=body,
        headers={"Stripe-Signature": signature_header(body, WEBHOOK_SECRET)},
    )  # fmt: skip

    assert response.status_code in (200, 400, 422), response.text
    assert (await funding.shown())["raised"] >= 0


async def test_a_nul_in_a_gifts_name_or_message_is_a_422_naming_the_field(
    funding: Funding,
) -> None:
    await funding.campaign()
    for field in ("donor_name", "message"):
        response = await funding.checkout(**{field: "Ana\x00"})
        assert response.status_code == 422, response.text
        assert field in response.json()["error"]["message"]
    unnamed = await funding.checkout(donor_name=None, message=None)
    assert unnamed.status_code == 201, unnamed.text


async def test_a_paid_gift_whose_metadata_holds_a_nul_is_counted_without_it(
    funding: Funding,
) -> None:
    """Stripe has taken the money by then: the gift counts, the NUL is dropped."""
    campaign = await funding.campaign(donor_wall=True)
    await funding.give(campaign, 1500, donor_name="Ma\x00ra", message="For the\x00 maps")
    shown = await funding.shown()
    assert shown["raised"] == 15
    assert [(w["name"], w["message"]) for w in shown["wall"]] == [("Mara", "For the maps")]
