"""What staff may send to the funding admin API, with the limits of
`core/funding_rules.py`, and what it answers."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import AwareDatetime, Field
from typing_extensions import TypedDict

from talkback.admin.funding_forms import StaffCampaign
from talkback.admin.schemas import Strict
from talkback.core.funding_rules import (
    MAX_DESCRIPTION,
    MAX_GOAL,
    MAX_MESSAGE,
    MAX_NAME,
    MAX_NOTE,
    MAX_PRESETS,
    MAX_TICKS,
    MAX_TITLE,
)
from talkback.core.statuses import CampaignStatus, MessageStatus
from talkback.funding.donations import StaffDonation

Amount = Annotated[Decimal, Field(ge=0, le=MAX_GOAL, allow_inf_nan=False)]
Title = Annotated[str, Field(min_length=1, max_length=MAX_TITLE)]
Description = Annotated[str, Field(max_length=MAX_DESCRIPTION)]
Currency = Annotated[str, Field(min_length=3, max_length=3)]
Ticks = Annotated[list[Amount], Field(max_length=MAX_TICKS)]
Presets = Annotated[list[Amount], Field(max_length=MAX_PRESETS)]


class CampaignIn(Strict):
    """A new campaign; amounts in major units. Without ticks or presets, defaults apply."""

    title: Title
    currency: Currency
    goal: Amount
    description: Description = ""
    ticks: Ticks | None = None
    presets: Presets | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    donor_wall: bool = False
    current: bool = False


class CampaignPatch(Strict):
    """Any subset of a campaign's fields; null clears ticks, presets, start or end."""

    title: Title | None = None
    currency: Currency | None = None
    goal: Amount | None = None
    description: Description | None = None
    ticks: Ticks | None = None
    presets: Presets | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    donor_wall: bool | None = None


class CampaignStatusIn(Strict):
    status: CampaignStatus


class ManualDonationIn(Strict):
    """A gift that did not come through Stripe (a bank transfer, cash at an event)."""

    campaign_id: Annotated[int, Field(ge=1, le=2**53)]
    amount: Annotated[Decimal, Field(gt=0, le=MAX_GOAL, allow_inf_nan=False)]
    donor_name: Annotated[str | None, Field(max_length=MAX_NAME)] = None
    donor_email: Annotated[str | None, Field(max_length=254)] = None
    message: Annotated[str | None, Field(max_length=MAX_MESSAGE)] = None
    note: Annotated[str | None, Field(max_length=MAX_NOTE)] = None
    received_at: AwareDatetime | None = None


class MessageStatusIn(Strict):
    status: MessageStatus


class CampaignsOut(TypedDict):
    """Newest first."""

    campaigns: list[StaffCampaign]


class CampaignOut(TypedDict):
    """The campaign as it stands after the request (for a gift, the one it went to)."""

    campaign: StaffCampaign


class DonationsOut(TypedDict):
    """One page of donations, newest first; `total` counts every match, for paging."""

    donations: list[StaffDonation]
    total: int


class DonationOut(TypedDict):
    donation: StaffDonation


class RefundOut(TypedDict):
    """The refunded donation and its campaign's new totals."""

    donation: StaffDonation
    campaign: StaffCampaign
