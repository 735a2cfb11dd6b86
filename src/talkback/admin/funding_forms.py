"""What the funding admin pages and API share: reading typed amounts and days, the donation
filters, and campaigns and donations as staff see them (amounts formatted in the site's
locale).

Every parsing error is an `Invalid` naming the field, so a form can show it next to what
was typed and the API can answer 422.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from typing_extensions import TypedDict

from talkback import clock
from talkback.comments.views import iso
from talkback.core import money
from talkback.core.funding_rules import MAX_GOAL, PROVIDERS, CampaignDraft
from talkback.core.statuses import MESSAGE_STATUSES, CampaignStatus
from talkback.errors import Invalid
from talkback.funding.campaigns import Campaign
from talkback.funding.donations import DonationFilter

REFUNDED: dict[str, bool | None] = {"": None, "yes": True, "no": False}


def parse_amount(field: str, text: str) -> Decimal:
    """`25`, `25.50`: a plain number in major units (no thousands separators).

    Nothing typed by hand exceeds the largest goal; past it, it is a typo (and would
    overflow the column)."""
    try:
        amount = Decimal(text.strip())
    except InvalidOperation as exc:
        raise Invalid(f"{field}: {text.strip()!r} is not an amount", code="invalid_amount") from exc
    if not amount.is_finite() or not 0 <= amount <= MAX_GOAL:
        raise Invalid(f"{field}: {text.strip()!r} is not an amount", code="invalid_amount")
    return amount


def parse_email(text: str | None) -> str | None:
    """A donor's address as typed, or None; only a plainly broken one is refused (staff
    copy it from a bank statement or a letter, and it is never sent anything)."""
    email = (text or "").strip()
    if not email:
        return None
    local, at, domain = email.rpartition("@")
    if not (at and local and "." in domain) or any(c.isspace() for c in email):
        raise Invalid(f"email: {email!r} is not an email address", code="invalid_email")
    return email


def parse_amounts(field: str, text: str) -> list[Decimal] | None:
    """A comma-separated list of amounts; None when empty (the campaign's defaults apply)."""
    parts = [part for part in (p.strip() for p in text.split(",")) if part]
    return [parse_amount(field, part) for part in parts] or None


def parse_day(field: str, text: str) -> date | None:
    """A `YYYY-MM-DD` day from a date input, or None when left empty."""
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise Invalid(f"{field}: {text.strip()!r} is not a date", code="invalid_date") from exc


def day_start(day: date | None) -> datetime | None:
    """00:00 UTC of the day: campaign days are UTC days."""
    return None if day is None else datetime.combine(day, time(0), tzinfo=UTC)


def received_at(day: date | None) -> datetime | None:
    """When a manual gift arrived: today's gifts now (so they sort with today's others),
    earlier ones at the start of their day."""
    if day is None or day == clock.now().date():
        return None
    return day_start(day)


def as_utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC)


def day_text(moment: datetime | None) -> str:
    """A stored time as a date input shows it (its UTC day)."""
    return "" if moment is None else moment.astimezone(UTC).date().isoformat()


def amounts_text(minor: list[int], currency: str) -> str:
    """`10, 25.5`: as staff typed them, without trailing zeros."""
    return ", ".join(str(money.to_json_number(m, currency)) for m in minor)


@dataclass(frozen=True, slots=True)
class DonationQuery:
    """The donation filters as typed (query strings), so the filter form shows them again."""

    campaign: str = ""
    provider: str = ""
    refunded: str = ""
    message: str = ""
    q: str = ""
    since: str = ""
    until: str = ""

    def as_params(self) -> dict[str, str]:
        """The non-empty filters, for links that keep them (paging, the CSV export)."""
        return {key: getattr(self, key) for key in self.__slots__ if getattr(self, key)}

    def to_filter(self) -> DonationFilter:
        """The service's filter; Invalid when a value is not one the form offers."""
        campaign_id = None
        if self.campaign:
            if not self.campaign.isdigit() or len(self.campaign) > 15:
                raise Invalid("campaign: not a campaign id", code="invalid_campaign")
            campaign_id = int(self.campaign)
        if self.refunded not in REFUNDED:
            raise Invalid("refunded: yes, no or empty", code="invalid_filter")
        return donation_filter(
            campaign_id=campaign_id,
            provider=self.provider or None,
            refunded=REFUNDED[self.refunded],
            message_status=self.message or None,
            search=self.q or None,
            since=parse_day("since", self.since),
            until=parse_day("until", self.until),
        )


def donation_filter(
    *,
    campaign_id: int | None,
    provider: str | None,
    refunded: bool | None,
    message_status: str | None,
    search: str | None,
    since: date | None,
    until: date | None,
) -> DonationFilter:
    """`since` and `until` are UTC days, both included."""
    if provider is not None and provider not in PROVIDERS:
        raise Invalid(f"provider: one of {', '.join(PROVIDERS)}", code="invalid_filter")
    if message_status is not None and message_status not in MESSAGE_STATUSES:
        raise Invalid(
            f"message status: one of {', '.join(MESSAGE_STATUSES)}", code="invalid_filter"
        )
    return DonationFilter(
        campaign_id=campaign_id,
        provider=provider,
        refunded=refunded,
        message_status=message_status,
        search=(search or "").strip() or None,
        since=day_start(since),
        until=day_start(until + timedelta(days=1)) if until and until < date.max else None,
    )


class StaffAmountTexts(TypedDict):
    """A campaign's goal and total as the site's locale writes them."""

    goal: str
    raised: str


class StaffCampaign(TypedDict):
    """A campaign as staff see it: amounts in major units (an int when whole), `ticks` and
    `presets` None unless staff set their own, `formatted` in the site's locale."""

    id: int
    title: str
    description: str
    currency: str
    status: CampaignStatus
    current: bool
    donor_wall: bool
    goal: money.JsonNumber
    raised: money.JsonNumber
    percent: int
    donors: int
    ticks: list[money.JsonNumber] | None
    presets: list[money.JsonNumber] | None
    starts_at: str | None
    ends_at: str | None
    created_at: str
    formatted: StaffAmountTexts


def campaign_json(campaign: Campaign, locale: str) -> StaffCampaign:
    """A campaign as staff see it: amounts as numbers (major units) and formatted."""
    currency = campaign.currency

    def number(minor: int) -> money.JsonNumber:
        return money.to_json_number(minor, currency)

    def text(minor: int) -> str:
        return money.format_money(minor, currency, locale)

    return {
        "id": campaign.id,
        "title": campaign.title,
        "description": campaign.description,
        "currency": currency,
        "status": campaign.status,
        "current": campaign.is_current,
        "donor_wall": campaign.donor_wall,
        "goal": number(campaign.goal_minor),
        "raised": number(campaign.raised_minor),
        "percent": campaign.raised_minor * 100 // campaign.goal_minor,
        "donors": campaign.donor_count,
        "ticks": [number(t) for t in campaign.ticks_minor] if campaign.custom_ticks else None,
        "presets": (
            [number(p) for p in campaign.presets_minor] if campaign.custom_presets else None
        ),
        "starts_at": iso(campaign.starts_at),
        "ends_at": iso(campaign.ends_at),
        "created_at": iso(campaign.created_at),
        "formatted": {"goal": text(campaign.goal_minor), "raised": text(campaign.raised_minor)},
    }


def campaign_form(campaign: Campaign | None) -> dict[str, Any]:
    """The campaign form's fields as text: empty for a new campaign, else its values."""
    if campaign is None:
        return {"title": "", "description": "", "currency": "", "goal": "", "ticks": "",
                "presets": "", "starts": "", "ends": "", "donor_wall": False,
                "current": False}  # fmt: skip
    currency = campaign.currency
    return {
        "title": campaign.title,
        "description": campaign.description,
        "currency": currency,
        "goal": str(money.to_json_number(campaign.goal_minor, currency)),
        "ticks": amounts_text(campaign.ticks_minor, currency) if campaign.custom_ticks else "",
        "presets": (
            amounts_text(campaign.presets_minor, currency) if campaign.custom_presets else ""
        ),
        "starts": day_text(campaign.starts_at),
        "ends": day_text(campaign.ends_at),
        "donor_wall": campaign.donor_wall,
        "current": campaign.is_current,
    }


def draft_of(campaign: Campaign) -> CampaignDraft:
    """A stored campaign as the draft that would make it, for edits that change only some
    fields."""
    currency = campaign.currency
    return CampaignDraft(
        title=campaign.title,
        description=campaign.description,
        currency=currency,
        goal=money.to_major(campaign.goal_minor, currency),
        ticks=(
            [money.to_major(t, currency) for t in campaign.ticks_minor]
            if campaign.custom_ticks
            else None
        ),
        presets=(
            [money.to_major(p, currency) for p in campaign.presets_minor]
            if campaign.custom_presets
            else None
        ),
        starts_at=campaign.starts_at,
        ends_at=campaign.ends_at,
        donor_wall=campaign.donor_wall,
    )


def draft_from_form(form: dict[str, Any]) -> CampaignDraft:
    """The campaign form's text fields checked and typed; Invalid names the field."""
    return CampaignDraft(
        title=form["title"],
        description=form["description"],
        currency=form["currency"],
        goal=parse_amount("goal", form["goal"]) if form["goal"].strip() else Decimal(0),
        ticks=parse_amounts("ticks", form["ticks"]),
        presets=parse_amounts("preset amounts", form["presets"]),
        starts_at=day_start(parse_day("start", form["starts"])),
        ends_at=day_start(parse_day("end", form["ends"])),
        donor_wall=form["donor_wall"],
    )


def formatted(amount: money.JsonNumber, currency: str, locale: str) -> str:
    """A staff view's amount (a JSON number in major units) formatted for the locale."""
    return money.format_money(money.to_minor(Decimal(str(amount)), currency), currency, locale)
