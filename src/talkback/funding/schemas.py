"""What a reader may send to start a gift, and what the checkout and Stripe's webhook
answer (the campaign itself is `campaigns.CampaignView`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from talkback.core.funding_rules import MAX_GOAL, MAX_MESSAGE, MAX_NAME
from talkback.funding.stripe_events import Outcome
from talkback.web.validators import Optional, Stored

DonorName = Annotated[str, Field(max_length=MAX_NAME), Stored]
Message = Annotated[str, Field(max_length=MAX_MESSAGE), Stored]


class GiftIn(BaseModel):
    """A reader's gift: the server checks the amount against the campaign's bounds."""

    model_config = ConfigDict(extra="forbid")

    amount: Annotated[Decimal, Field(gt=0, le=MAX_GOAL, allow_inf_nan=False)]
    currency: Annotated[str, Field(min_length=3, max_length=3)]
    return_url: Annotated[str, Field(min_length=1, max_length=2048)]
    donor_name: Annotated[DonorName | None, Optional] = None
    message: Annotated[Message | None, Optional] = None


class CheckoutOut(TypedDict):
    """Where to send the reader: Stripe's checkout page, or the demo's."""

    url: str


class WebhookOut(TypedDict):
    """Every verified delivery is `received` (so Stripe stops resending it), with what it
    came to."""

    received: bool
    outcome: Outcome
