"""Donations: recorded exactly once, refunds that lower the total, the donor wall.

A donation's row and its campaign's totals change in one transaction, and the totals move
only when the row actually changed: the insert is `ON CONFLICT DO NOTHING` on the
provider's reference, and a refund carries the cumulative refunded amount. So a webhook
delivered three times, or three times at once, counts once.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import JsonValue
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from typing_extensions import TypedDict

from talkback import clock
from talkback.comments.views import iso
from talkback.context import Context
from talkback.core import money
from talkback.core.funding_rules import MAX_NOTE, PROVIDERS, Provider, clean_donor_text
from talkback.core.money import JsonNumber
from talkback.core.statuses import MESSAGE_STATUSES, MessageStatus
from talkback.errors import Conflict, Invalid, NotFound
from talkback.events.changes import DonationChanged
from talkback.events.dispatcher import Changes
from talkback.funding.campaigns import (
    Campaign,
    WallEntry,
    audit_campaign_action,
    campaign_changed,
    campaign_of,
    find_campaign,
    lock_campaign,
    move_totals,
)
from talkback.moderation.screening import screen_edit
from talkback.sites.sites import Site
from talkback.staff.accounts import StaffMember
from talkback.store.queries import insert_if_absent
from talkback.store.tables import donations

log = logging.getLogger(__name__)

WALL_SIZE = 10


@dataclass(frozen=True, slots=True)
class DonationDraft:
    """A gift as a provider reports it, in minor units."""

    campaign_id: int
    amount_minor: int
    currency: str
    provider: str
    provider_ref: str
    payment_ref: str | None = None
    donor_name: str | None = None
    donor_email: str | None = None
    message: str | None = None
    note: str | None = None
    received_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DonationFilter:
    campaign_id: int | None = None
    provider: str | None = None
    refunded: bool | None = None
    message_status: str | None = None
    search: str | None = None
    since: datetime | None = None
    until: datetime | None = None


async def record_donation(
    ctx: Context, site: Site, draft: DonationDraft, staff: StaffMember | None = None
) -> bool:
    """Count a gift once; False when this provider reference was already recorded.

    A public message is screened like a comment (banned words, toxicity, the site's
    moderation mode) before it can appear on the donor wall.
    """
    name, message = clean_donor_text(draft.donor_name, draft.message)
    if draft.provider not in PROVIDERS:
        raise Invalid(f"provider: one of {', '.join(PROVIDERS)}")
    if draft.amount_minor <= 0:
        raise Invalid("the amount must be positive", code="invalid_amount")
    message_status, message_moderation = None, None
    if message is not None:
        verdict = await screen_edit(ctx, site, text=message, author_name=name)
        message_status, message_moderation = verdict.status, verdict.stored()

    async def job(conn: AsyncConnection, changes: Changes) -> bool:
        campaign = await lock_campaign(conn, site.id, draft.campaign_id)
        if draft.currency.upper() != campaign.currency:
            raise Invalid(
                f"this campaign counts in {campaign.currency}, not {draft.currency.upper()}",
                code="currency_mismatch",
            )
        values = {
            "campaign_id": campaign.id, "site_id": site.id, "amount_minor": draft.amount_minor,
            "currency": campaign.currency, "refunded_minor": 0, "donor_name": name,
            "donor_email": (draft.donor_email or "").strip().lower() or None,
            "message": message, "message_status": message_status,
            "message_moderation": message_moderation, "provider": draft.provider,
            "provider_ref": draft.provider_ref, "payment_ref": draft.payment_ref,
            "note": draft.note, "created_by": staff.id if staff else None,
            "created_at": draft.received_at or clock.now(),
        }  # fmt: skip
        inserted = await insert_if_absent(conn, donations, values, ["provider", "provider_ref"])
        if not inserted:
            return False
        moved = await move_totals(conn, campaign.id, raised_minor=draft.amount_minor, donors=1)
        changes.record(campaign_changed(moved))
        donation_id = (
            await conn.execute(
                select(donations.c.id).where(
                    donations.c.provider == draft.provider,
                    donations.c.provider_ref == draft.provider_ref,
                )
            )
        ).scalar_one()
        changes.record(
            DonationChanged(
                site.id, donation_id, "received", draft.amount_minor, 0, campaign.currency
            )
        )
        if staff is not None:
            await audit_campaign_action(
                conn, site, staff, "donation.add", campaign.id,
                {"amount": money.to_json_number(draft.amount_minor, campaign.currency),
                 "provider": draft.provider},
            )  # fmt: skip
        return True

    return await ctx.events.write(job)


async def add_manual_donation(
    ctx: Context,
    site: Site,
    campaign_id: int,
    *,
    amount: Decimal,
    donor_name: str | None,
    donor_email: str | None,
    message: str | None,
    note: str | None,
    received_at: datetime | None,
    staff: StaffMember | None,
) -> None:
    """A bank transfer or cash gift entered by staff; its message is screened all the same."""
    campaign = await find_campaign(ctx, site, campaign_id)
    try:
        amount_minor = money.to_minor(amount, campaign.currency)
    except money.InvalidAmount as exc:
        raise Invalid(str(exc), code="invalid_amount") from exc
    if note is not None and len(note) > MAX_NOTE:
        raise Invalid(f"note: at most {MAX_NOTE} characters", code="invalid_note")
    if received_at is not None and received_at > clock.now():
        raise Invalid("a gift cannot be received in the future", code="invalid_date")
    await record_donation(
        ctx,
        site,
        DonationDraft(
            campaign_id=campaign.id, amount_minor=amount_minor, currency=campaign.currency,
            provider="manual", provider_ref=uuid.uuid4().hex, donor_name=donor_name,
            donor_email=donor_email, message=message, note=(note or "").strip() or None,
            received_at=received_at,
        ),
        staff,
    )  # fmt: skip


async def record_refund(
    ctx: Context, provider: str, payment_ref: str, refunded_minor: int
) -> Campaign | None:
    """Set how much of a payment has been refunded (cumulative, so replays change nothing).

    A fully refunded gift no longer counts its donor. Returns the changed campaign, or
    None when the payment is unknown (not one of our gifts) or nothing changed.
    """

    async def job(conn: AsyncConnection, changes: Changes) -> Campaign | None:
        row = (
            await conn.execute(
                select(donations)
                .where(donations.c.provider == provider, donations.c.payment_ref == payment_ref)
                .limit(1)
            )
        ).first()
        if row is None:
            return None
        await lock_campaign(conn, row.site_id, row.campaign_id)
        current = await conn.scalar(
            select(donations.c.refunded_minor).where(donations.c.id == row.id)
        )
        return await _apply_refund(conn, changes, row, int(current or 0), refunded_minor)

    return await ctx.events.write(job)


async def refund_donation(
    ctx: Context, site: Site, donation_id: int, staff: StaffMember | None
) -> None:
    """Staff mark a manual gift as given back in full; Stripe gifts are refunded in Stripe
    and arrive here through its webhook, so the two cannot disagree."""

    async def job(conn: AsyncConnection, changes: Changes) -> None:
        row = await _donation_in(conn, site, donation_id)
        if row.provider == "stripe":
            raise Conflict(
                "refund Stripe payments in Stripe; its webhook updates the total",
                code="refund_in_stripe",
            )
        await lock_campaign(conn, site.id, row.campaign_id)
        row = await _donation_in(conn, site, donation_id)
        changed = await _apply_refund(conn, changes, row, row.refunded_minor, row.amount_minor)
        if changed is not None:
            await audit_campaign_action(
                conn, site, staff, "donation.refund", row.campaign_id, {"donation": row.id}
            )

    await ctx.events.write(job)


async def _apply_refund(
    conn: AsyncConnection, changes: Changes, row: Any, before: int, refunded: int
) -> Campaign | None:
    after = min(max(before, refunded), row.amount_minor)
    if after == before:
        return None
    lost_donor = int(after == row.amount_minor) - int(before == row.amount_minor)
    await conn.execute(
        update(donations).where(donations.c.id == row.id).values(refunded_minor=after)
    )
    moved = await move_totals(
        conn, row.campaign_id, raised_minor=before - after, donors=-lost_donor
    )
    changes.record(campaign_changed(moved))
    changes.record(
        DonationChanged(row.site_id, row.id, "refunded", row.amount_minor, after, row.currency)
    )
    return moved


async def set_message_status(
    ctx: Context, site: Site, donation_id: int, status: str, staff: StaffMember | None
) -> None:
    """Approve or reject a donor's public message (the gift itself is not affected)."""
    if status not in MESSAGE_STATUSES:
        raise Invalid(f"status: one of {', '.join(MESSAGE_STATUSES)}", code="invalid_status")

    async def job(conn: AsyncConnection, changes: Changes) -> None:
        row = await _donation_in(conn, site, donation_id)
        if row.message is None:
            raise Conflict("this donation has no message", code="no_message")
        await conn.execute(
            update(donations).where(donations.c.id == donation_id).values(message_status=status)
        )
        await audit_campaign_action(
            conn, site, staff, f"donation.message_{status}", row.campaign_id,
            {"donation": donation_id},
        )  # fmt: skip
        campaign = campaign_of(await lock_campaign(conn, site.id, row.campaign_id))
        changes.record(campaign_changed(campaign))

    await ctx.events.write(job)


async def list_donations(
    ctx: Context, site: Site, filters: DonationFilter, *, limit: int, offset: int = 0
) -> list[StaffDonation]:
    """Newest first, for staff (emails included)."""
    query = _filtered(site, filters).order_by(donations.c.created_at.desc(), donations.c.id.desc())
    async with ctx.database.read() as conn:
        rows = await conn.execute(query.limit(limit).offset(offset))
        return [staff_view(row) for row in rows]


async def count_donations(ctx: Context, site: Site, filters: DonationFilter) -> int:
    async with ctx.database.read() as conn:
        query = select(func.count()).select_from(_filtered(site, filters).subquery())
        return int(await conn.scalar(query) or 0)


async def find_donation(ctx: Context, site: Site, donation_id: int) -> StaffDonation:
    """One donation of the site as staff see it; NotFound (`donation_not_found`) otherwise."""
    return staff_view(await _donation_row(ctx, site, donation_id))


async def gift_recorded(ctx: Context, site: Site, provider: str, provider_ref: str) -> bool:
    """Whether this provider's payment is already counted (a paid checkout opened again)."""
    rows = await ctx.database.read_rows(
        select(donations.c.id).where(
            donations.c.site_id == site.id,
            donations.c.provider == provider,
            donations.c.provider_ref == provider_ref,
        )
    )
    return bool(rows)


class DonationDetails(TypedDict):
    """Who gave, what they wrote and how it was screened, and how the gift was paid: the
    fields a donation shows staff (`staff_view`) and carries in an export
    (`export/site.py`) alike, in this order."""

    donor_name: str | None
    donor_email: str | None
    message: str | None
    message_status: MessageStatus | None
    message_moderation: JsonValue
    provider: Provider
    provider_ref: str
    payment_ref: str | None
    note: str | None


def donation_details(row: Any) -> DonationDetails:
    """A donations row's `DonationDetails`, as stored."""
    return {
        "donor_name": row.donor_name,
        "donor_email": row.donor_email,
        "message": row.message,
        "message_status": row.message_status,
        "message_moderation": row.message_moderation,
        "provider": row.provider,
        "provider_ref": row.provider_ref,
        "payment_ref": row.payment_ref,
        "note": row.note,
    }


class _StaffAmounts(TypedDict):
    id: int
    campaign_id: int
    amount: JsonNumber
    refunded: JsonNumber
    currency: str


class _StaffTime(TypedDict):
    created_at: str


class StaffDonation(_StaffAmounts, DonationDetails, _StaffTime):
    """A donation as staff see it (emails included): its amounts in major units, its
    details, when it was received. The bases give the keys in the order of the answer."""


def staff_view(row: Any) -> StaffDonation:
    currency = row.currency
    return {
        "id": row.id,
        "campaign_id": row.campaign_id,
        "amount": money.to_json_number(row.amount_minor, currency),
        "refunded": money.to_json_number(row.refunded_minor, currency),
        "currency": currency,
        **donation_details(row),
        "created_at": iso(row.created_at),
    }


async def donor_wall(ctx: Context, campaign: Campaign, locale: str) -> list[WallEntry]:
    """The latest gifts not refunded in full: name (None: anonymous), amount, and the
    message only once it is approved. Never an email."""
    async with ctx.database.read() as conn:
        rows = await conn.execute(
            select(donations)
            .where(
                donations.c.campaign_id == campaign.id,
                donations.c.refunded_minor < donations.c.amount_minor,
            )
            .order_by(donations.c.created_at.desc(), donations.c.id.desc())
            .limit(WALL_SIZE)
        )
        return [
            {
                "name": row.donor_name,
                "amount": money.format_money(row.amount_minor, row.currency, locale),
                "message": row.message if row.message_status == "approved" else None,
                "created_at": iso(row.created_at),
            }
            for row in rows
        ]


def _filtered(site: Site, filters: DonationFilter) -> Select[Any]:
    query = select(donations).where(donations.c.site_id == site.id)
    if filters.campaign_id is not None:
        query = query.where(donations.c.campaign_id == filters.campaign_id)
    if filters.provider:
        query = query.where(donations.c.provider == filters.provider)
    if filters.refunded is True:
        query = query.where(donations.c.refunded_minor > 0)
    elif filters.refunded is False:
        query = query.where(donations.c.refunded_minor == 0)
    if filters.message_status:
        query = query.where(donations.c.message_status == filters.message_status)
    if filters.search:
        pattern = f"%{filters.search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(donations.c.donor_name).like(pattern),
                donations.c.donor_email.like(pattern),
                func.lower(donations.c.message).like(pattern),
            )
        )
    if filters.since is not None:
        query = query.where(donations.c.created_at >= filters.since)
    if filters.until is not None:
        query = query.where(donations.c.created_at < filters.until)
    return query


async def _donation_in(conn: AsyncConnection, site: Site, donation_id: int) -> Any:
    row = (
        await conn.execute(
            select(donations).where(donations.c.id == donation_id, donations.c.site_id == site.id)
        )
    ).first()
    if row is None:
        raise NotFound("no such donation", code="donation_not_found")
    return row


async def _donation_row(ctx: Context, site: Site, donation_id: int) -> Any:
    async with ctx.database.read() as conn:
        return await _donation_in(conn, site, donation_id)
