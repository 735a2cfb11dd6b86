"""Every open page of a site hears when a gift moves a campaign's total."""

from __future__ import annotations

import asyncio

from tests.api.conftest import SITE
from tests.funding.conftest import Funding
from tests.stripe_events import charge_refunded


async def test_streams_of_any_page_get_campaign_updated_once_per_change(funding: Funding) -> None:
    campaign = await funding.campaign()
    live = funding.api.context.live

    async with (
        live.subscribe(SITE, "/2026/11/some-article") as first,
        live.subscribe(SITE, "/") as second,
    ):
        event = funding.gift_event(campaign, 1250, payment_intent="pi_live")
        await funding.deliver(event)
        await funding.deliver(event)  # a replay changes nothing, so says nothing
        await funding.deliver(
            charge_refunded(payment_intent="pi_live", amount_refunded=250, currency="usd")
        )
        heard = [
            [await asyncio.wait_for(anext(aiter(s.events())), 5) for _ in range(2)]
            for s in (first, second)
        ]

    for events in heard:
        assert [(e.name, e.data) for e in events] == [
            ("campaign.updated", {"id": campaign.id, "raised": 12.5, "donors": 1}),
            ("campaign.updated", {"id": campaign.id, "raised": 10, "donors": 1}),
        ]
