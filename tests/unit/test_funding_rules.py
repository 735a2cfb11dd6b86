"""Reader funding's pure rules: campaign terms, gift bounds, donor text."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from talkback.core.funding_rules import (
    CampaignDraft,
    campaign_columns,
    clean_donor_text,
    max_gift_minor,
    min_gift_minor,
)
from talkback.errors import Invalid

DRAFT = CampaignDraft(title=" Keep the lights on ", currency="usd", goal=Decimal(5000))


def test_a_draft_becomes_columns_in_minor_units_with_ticks_sorted_once() -> None:
    columns = campaign_columns(replace(DRAFT, ticks=[Decimal(5000), Decimal(0), Decimal(5000)]))
    assert columns["title"] == "Keep the lights on"
    assert columns["currency"] == "USD"
    assert columns["goal_minor"] == 500_000
    assert columns["ticks_minor"] == [0, 500_000]
    assert columns["presets_minor"] is None


@pytest.mark.parametrize(
    ("draft", "code"),
    [
        (replace(DRAFT, title="   "), "invalid_title"),
        (replace(DRAFT, description="x" * 2001), "invalid_description"),
        (replace(DRAFT, goal=Decimal("0.001")), "invalid_amount"),
        (replace(DRAFT, currency="XXQ"), "invalid_amount"),
        (replace(DRAFT, goal=Decimal(0)), "invalid_amount"),
        (replace(DRAFT, ticks=[Decimal(6000)]), "invalid_ticks"),
        (replace(DRAFT, presets=[Decimal(10_001)]), "invalid_presets"),
        (
            replace(DRAFT, starts_at=datetime(2026, 12, 2, tzinfo=UTC),
                    ends_at=datetime(2026, 12, 1, tzinfo=UTC)),
            "invalid_dates",
        ),
    ],
)  # fmt: skip
def test_a_bad_draft_is_refused_with_its_code(draft: CampaignDraft, code: str) -> None:
    with pytest.raises(Invalid) as refused:
        campaign_columns(draft)
    assert refused.value.code == code


def test_a_gift_is_one_major_unit_to_twice_the_goal() -> None:
    assert min_gift_minor("USD") == 100
    assert min_gift_minor("JPY") == 1
    assert max_gift_minor(500_000, "USD") == 1_000_000
    assert max_gift_minor(10, "USD") == 100


def test_donor_text_is_trimmed_without_nul_and_limited() -> None:
    assert clean_donor_text(" Ma\x00ra ", "  ") == ("Mara", None)
    with pytest.raises(Invalid) as refused:
        clean_donor_text("x" * 81, None)
    assert refused.value.code == "invalid_name"
