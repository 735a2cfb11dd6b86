"""The demo's reader-funding campaign: a goal bar with gifts already in it.

Seeded through the same services as real gifts (`record_donation`), with provider `demo`
and fixed references, so restarting `talkback demo` adds nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal

from talkback import clock
from talkback.context import Context
from talkback.core.funding_rules import CampaignDraft
from talkback.errors import NotFound
from talkback.funding.campaigns import create_campaign, find_campaign
from talkback.funding.donations import DonationDraft, record_donation
from talkback.sites.sites import Site

CAMPAIGN = CampaignDraft(
    title="Keep the Courier on the river beat",
    description=(
        "Our flood and council reporting is paid for by readers. Help us fund a full-time "
        "river correspondent through the winter."
    ),
    currency="GBP",
    goal=Decimal(5000),
    donor_wall=True,
)
CAMPAIGN_DAYS = 30
DEMO_ACTOR = "demo setup"
"""Who the audit log says made the demo's campaign: no staff account did."""


@dataclass(frozen=True, slots=True)
class SampleGift:
    pounds: int
    name: str | None
    message: str | None
    days_ago: float


SAMPLE_GIFTS = (
    SampleGift(
        250,
        "Marsh Lane Residents' Association",
        "For every winter we spent bailing out. Keep asking the questions.",
        9,
    ),
    SampleGift(100, "Priya Natarajan", "Best local coverage we've had in years.", 8.5),
    SampleGift(25, None, None, 8),
    SampleGift(50, "Tom Ashdown", None, 7.2),
    SampleGift(10, "Ellie", "Student budget, but this matters.", 6),
    SampleGift(
        200, "The Ferry Reach Bakery", "Flooded in 2024. Thank you for not letting it drop.", 5.5
    ),
    SampleGift(35, None, None, 4),
    SampleGift(75, "G. Halloran", None, 3.1),
    SampleGift(142, "Quayside Sea Scouts", "Raised at our cake stall!", 2),
    SampleGift(20, "Bea", None, 1.4),
    SampleGift(5, None, None, 0.8),
    SampleGift(
        200, "Anonymous retired engineer", "Read the review when it comes out. All of it.", 0.3
    ),
)


async def prepare_demo_campaign(ctx: Context, site: Site) -> None:
    """A current campaign ending in a month, and its sample gifts (£1,112 in all)."""
    now = clock.now()
    try:
        campaign = await find_campaign(ctx, site, "current")
    except NotFound:
        draft = replace(
            CAMPAIGN,
            starts_at=now - timedelta(days=10),
            ends_at=now + timedelta(days=CAMPAIGN_DAYS),
        )
        campaign = await create_campaign(ctx, site, draft, current=True, actor=DEMO_ACTOR)
    for number, gift in enumerate(SAMPLE_GIFTS, start=1):
        await record_donation(
            ctx,
            site,
            DonationDraft(
                campaign_id=campaign.id, amount_minor=gift.pounds * 100, currency="GBP",
                provider="demo", provider_ref=f"demo-sample-{number}", donor_name=gift.name,
                message=gift.message, received_at=now - timedelta(days=gift.days_ago),
            ),
        )  # fmt: skip
