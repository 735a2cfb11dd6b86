"""What a reader may send to start a gift."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from talkback.web.validators import Optional, Stored


class GiftIn(BaseModel):
    """A reader's gift: the server checks the amount against the campaign's bounds."""

    model_config = ConfigDict(extra="forbid")

    amount: Annotated[Decimal, Field(gt=0, le=Decimal(10) ** 12, allow_inf_nan=False)]
    currency: Annotated[str, Field(min_length=3, max_length=3)]
    return_url: Annotated[str, Field(min_length=1, max_length=2048)]
    donor_name: Annotated[Annotated[str, Field(max_length=80), Stored] | None, Optional] = None
    message: Annotated[Annotated[str, Field(max_length=500), Stored] | None, Optional] = None
