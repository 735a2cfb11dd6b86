"""Stripe's webhook: each gift counted exactly once, refunds subtracted, forgeries refused."""

from __future__ import annotations

import asyncio
import time

from talkback.funding.donations import DonationFilter, list_donations, set_message_status
from talkback.sites.sites import set_site_option
from tests.api.conftest import SITE
from tests.funding.conftest import Funding
from tests.stripe_events import WEBHOOK_PATH, charge_refunded, encode, signature_header


async def test_a_gift_delivered_three_times_counts_once(funding: Funding) -> None:
    campaign = await funding.campaign()
    event = funding.gift_event(campaign, 2500)

    outcomes = [(await funding.deliver(event)).json()["outcome"] for _ in range(3)]

    assert outcomes == ["recorded", "duplicate", "duplicate"]
    shown = await funding.shown()
    assert (shown["raised"], shown["donors"]) == (25, 1)


async def test_concurrent_deliveries_of_one_gift_count_once(funding: Funding) -> None:
    campaign = await funding.campaign()
    event = funding.gift_event(campaign, 1000)
    other = funding.gift_event(campaign, 300)

    responses = await asyncio.gather(*[funding.deliver(event) for _ in range(6)],
                                     funding.deliver(other))  # fmt: skip

    assert all(r.status_code == 200 for r in responses)
    assert sorted(r.json()["outcome"] for r in responses).count("recorded") == 2
    shown = await funding.shown()
    assert (shown["raised"], shown["donors"]) == (13, 2)


async def test_a_tampered_payload_is_refused_and_records_nothing(funding: Funding) -> None:
    campaign = await funding.campaign()
    genuine = encode(funding.gift_event(campaign, 2500))
    header = signature_header(genuine, "whsec_test_funding")
    tampered = genuine.replace(b'"amount_total":2500', b'"amount_total":2500000')

    response = await funding.client.post(
        WEBHOOK_PATH, content=tampered, headers={"Stripe-Signature": header}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_signature"
    assert (await funding.shown())["raised"] == 0


async def test_a_wrong_secret_a_stale_or_missing_signature_are_refused(funding: Funding) -> None:
    campaign = await funding.campaign()
    event = funding.gift_event(campaign, 2500)
    body = encode(event)
    stale = signature_header(body, "whsec_test_funding", timestamp=int(time.time()) - 3600)

    wrong = await funding.deliver(event, secret="whsec_someone_else")
    old = await funding.client.post(WEBHOOK_PATH, content=body, headers={"Stripe-Signature": stale})
    missing = await funding.client.post(WEBHOOK_PATH, content=body)

    assert [r.status_code for r in (wrong, old, missing)] == [400, 400, 400]
    assert (await funding.shown())["donors"] == 0


async def test_a_signed_body_that_is_not_an_event_is_a_clear_400(funding: Funding) -> None:
    for body in (b"not json", b"[1, 2]", b'{"type": "checkout.session.completed"}'):
        response = await funding.client.post(
            WEBHOOK_PATH, content=body,
            headers={"Stripe-Signature": signature_header(body, "whsec_test_funding")},
        )  # fmt: skip
        assert response.status_code == 400, body
        assert response.json()["error"]["code"] == "bad_payload"


async def test_refunds_lower_the_total_once_and_a_full_refund_drops_the_donor(
    funding: Funding,
) -> None:
    campaign = await funding.campaign()
    await funding.give(campaign, 5000, payment_intent="pi_one")
    await funding.give(campaign, 2000, payment_intent="pi_two")

    partial = charge_refunded(payment_intent="pi_one", amount_refunded=1500, currency="usd")
    first = await funding.deliver(partial)
    again = await funding.deliver(partial)
    assert (first.json()["outcome"], again.json()["outcome"]) == (
        "refund_recorded", "refund_unchanged",
    )  # fmt: skip
    assert ((await funding.shown())["raised"], (await funding.shown())["donors"]) == (55, 2)

    full = charge_refunded(payment_intent="pi_one", amount_refunded=5000, currency="usd")
    await funding.deliver(full)
    shown = await funding.shown()
    assert (shown["raised"], shown["donors"]) == (20, 1)


async def test_a_refund_of_a_payment_we_never_saw_changes_nothing(funding: Funding) -> None:
    campaign = await funding.campaign()
    await funding.give(campaign, 5000)

    response = await funding.deliver(
        charge_refunded(payment_intent="pi_elsewhere", amount_refunded=5000, currency="usd")
    )

    assert response.status_code == 200
    assert (await funding.shown())["raised"] == 50


async def test_zero_decimal_currencies_count_in_whole_yen(funding: Funding) -> None:
    campaign = await funding.campaign("1000000", "JPY")
    await funding.give(campaign, 3000)
    await funding.give(campaign, 7000)

    shown = await funding.shown(locale="ja_JP")

    assert (shown["raised"], shown["goal"], shown["percent"]) == (10000, 1000000, 1)
    assert shown["formatted"]["raised"] == "￥10,000"


async def test_unknown_events_and_other_systems_sessions_are_acknowledged(
    funding: Funding,
) -> None:
    campaign = await funding.campaign()
    unknown = {"id": "evt_1", "type": "customer.created", "data": {"object": {"id": "cus_1"}}}
    foreign = funding.gift_event(campaign, 900)
    foreign["data"]["object"]["metadata"] = {"order": "42"}
    unpaid = funding.gift_event(campaign, 900, payment_status="unpaid")

    outcomes = [(await funding.deliver(e)).json()["outcome"] for e in (unknown, foreign, unpaid)]

    assert outcomes == ["ignored", "not_ours", "awaiting_payment"]
    assert (await funding.shown())["raised"] == 0


async def test_a_public_message_is_moderated_like_a_comment(funding: Funding) -> None:
    campaign = await funding.campaign(donor_wall=True)
    await funding.give(campaign, 1000, donor_name="Mara", email="mara@example.org",
                       message="Proud to support local reporting.")  # fmt: skip
    await funding.give(campaign, 1000, donor_name="Troll",
                       message="You are all idiots and morons, shut up")  # fmt: skip
    await funding.give(campaign, 500)

    wall = (await funding.shown())["wall"]

    assert [(w["name"], w["message"]) for w in wall] == [
        (None, None), ("Troll", None), ("Mara", "Proud to support local reporting."),
    ]  # fmt: skip
    assert "mara@example.org" not in str(wall)


async def test_donor_messages_follow_the_sites_moderation_mode(funding: Funding) -> None:
    """The gift form's promise comes from `message_review`: in post-moderation a clean
    message shows at once; in pre-moderation every message waits for a moderator."""
    context = funding.api.context
    campaign = await funding.campaign(donor_wall=True)
    await funding.give(campaign, 1000, donor_name="Ana", message="Thank you for the flood maps.")
    shown = await funding.shown()
    assert shown["message_review"] == "after"
    assert [w["message"] for w in shown["wall"]] == ["Thank you for the flood maps."]

    await set_site_option(context.database, SITE, "moderation_mode", "pre")
    context.sites.forget(SITE)
    await funding.give(campaign, 2000, donor_name="Ben", message="Keep going, Courier.")
    shown = await funding.shown()
    assert shown["message_review"] == "before"
    assert [(w["name"], w["message"]) for w in shown["wall"]] == [
        ("Ben", None), ("Ana", "Thank you for the flood maps."),
    ]  # fmt: skip

    site = await context.sites.get(SITE)
    held = await list_donations(context, site, DonationFilter(message_status="pending"), limit=10)
    assert [d["message"] for d in held] == ["Keep going, Courier."]
    await set_message_status(context, site, held[0]["id"], "approved", staff=None)
    assert [w["message"] for w in (await funding.shown())["wall"]] == [
        "Keep going, Courier.", "Thank you for the flood maps.",
    ]  # fmt: skip
