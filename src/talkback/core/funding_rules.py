"""Reader funding's pure rules: what a campaign may be, how much one gift may be, what a
donor may write, and where gifts come from.

The funding services, the staff forms and API schemas, and the importer of Talkback's own
export all check against these, so what one of them accepts the others accept too. A
refusal is `Invalid` (`talkback/errors.py`, the one error vocabulary, itself free of I/O)
with the code that a form or the API shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal, get_args

from typing_extensions import TypedDict

from talkback.core import money
from talkback.errors import Invalid

Provider = Literal["stripe", "manual", "demo"]
PROVIDERS: tuple[Provider, ...] = get_args(Provider)

MAX_TITLE = 200
MAX_DESCRIPTION = 2000
MAX_TICKS = 12
MAX_PRESETS = 6
# A gift's bounds, as multiples of the currency's major unit: nobody gives a hundredth of a
# cent, and one mistyped gift of a hundred million should not need a refund to undo.
MIN_GIFT = Decimal(1)
MAX_GIFT_SHARE_OF_GOAL = 2
MAX_GOAL = Decimal(10) ** 12
MAX_NAME = 80
MAX_MESSAGE = 500
MAX_NOTE = 500


@dataclass(frozen=True, slots=True)
class CampaignDraft:
    """What staff type in; amounts in major units (5000 for a $5,000 goal)."""

    title: str
    currency: str
    goal: Decimal
    description: str = ""
    ticks: list[Decimal] | None = None
    presets: list[Decimal] | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    donor_wall: bool = False


class CampaignTerms(TypedDict):
    """What a campaign asks for, as stored: amounts in the currency's minor unit, ticks and
    presets None where the defaults apply. Staff set them, exports carry them, imports
    bring them back."""

    title: str
    description: str
    currency: str
    goal_minor: int
    ticks_minor: list[int] | None
    presets_minor: list[int] | None


class CampaignColumns(CampaignTerms):
    """A checked draft as the campaigns table stores it: its terms (ticks and presets
    sorted, without repeats), its dates and whether it shows a donor wall."""

    starts_at: datetime | None
    ends_at: datetime | None
    donor_wall: bool


def campaign_columns(draft: CampaignDraft) -> CampaignColumns:
    """The draft checked and in minor units; Invalid says what is wrong."""
    title = draft.title.strip()
    if not 1 <= len(title) <= MAX_TITLE:
        raise Invalid(f"title: between 1 and {MAX_TITLE} characters", code="invalid_title")
    if len(draft.description) > MAX_DESCRIPTION:
        raise Invalid(
            f"description: at most {MAX_DESCRIPTION:,} characters", code="invalid_description"
        )
    try:
        currency = money.check_currency(draft.currency)
        goal = money.to_minor(draft.goal, currency)
        ticks = [money.to_minor(t, currency) for t in draft.ticks] if draft.ticks else None
        presets = [money.to_minor(p, currency) for p in draft.presets] if draft.presets else None
    except money.InvalidAmount as exc:
        raise Invalid(str(exc), code="invalid_amount") from exc
    if goal <= 0 or draft.goal > MAX_GOAL:
        raise Invalid("goal: a positive amount", code="invalid_amount")
    if ticks is not None and (len(ticks) > MAX_TICKS or any(not 0 <= t <= goal for t in ticks)):
        raise Invalid(
            f"ticks: at most {MAX_TICKS}, each between 0 and the goal", code="invalid_ticks"
        )
    if presets is not None and (
        len(presets) > MAX_PRESETS
        or any(not 0 < p <= goal * MAX_GIFT_SHARE_OF_GOAL for p in presets)
    ):
        raise Invalid(
            f"preset amounts: at most {MAX_PRESETS}, each positive and at most twice the goal",
            code="invalid_presets",
        )
    if draft.starts_at and draft.ends_at and draft.ends_at <= draft.starts_at:
        raise Invalid("the campaign must end after it starts", code="invalid_dates")
    return {
        "title": title,
        "description": draft.description.strip(),
        "currency": currency,
        "goal_minor": goal,
        "ticks_minor": sorted(set(ticks)) if ticks else None,
        "presets_minor": sorted(set(presets)) if presets else None,
        "starts_at": draft.starts_at,
        "ends_at": draft.ends_at,
        "donor_wall": draft.donor_wall,
    }


def min_gift_minor(currency: str) -> int:
    """The smallest gift, in the currency's minor unit."""
    return money.to_minor(MIN_GIFT, currency)


def max_gift_minor(goal_minor: int, currency: str) -> int:
    """The largest gift to a campaign with this goal, never below the smallest one."""
    return max(goal_minor * MAX_GIFT_SHARE_OF_GOAL, min_gift_minor(currency))


def clean_donor_text(name: str | None, message: str | None) -> tuple[str | None, str | None]:
    """Trimmed name and message, empty as None; Invalid past the limits.

    NUL characters are dropped rather than refused: a gift's text reaches us from Stripe
    after the money moved, and PostgreSQL cannot store a NUL.
    """
    name = (name or "").replace("\x00", "").strip() or None
    message = (message or "").replace("\x00", "").strip() or None
    if name is not None and len(name) > MAX_NAME:
        raise Invalid(f"donor_name: at most {MAX_NAME} characters", code="invalid_name")
    if message is not None and len(message) > MAX_MESSAGE:
        raise Invalid(f"message: at most {MAX_MESSAGE} characters", code="invalid_message")
    return name, message
