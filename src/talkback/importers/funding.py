"""Writing staged campaigns and donations (Talkback's own export only), after the comments.

Identity, so that importing the same file again adds nothing:

- a donation is its (provider, provider_ref), unique in the database: one already present
  is not written again, whatever campaign it is in;
- a campaign is the target campaign that already holds one of its donations, else the
  site's campaign with the same title and creation time (exact to the microsecond), else a
  new one. The campaigns table keeps no import key, so a campaign without donations whose
  title was edited after an import is created again by a second import of the old file.

Totals are never taken from the file: once the donations are written, each campaign's
`raised_minor` and `donor_count` are recounted from its donations, in the rows' lock
(`lock_campaign`), like funding/donations.py would have counted them. An imported
campaign becomes the current one only when the site has no current campaign, so a site
never ends with two.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback.context import Context
from talkback.events.dispatcher import Changes
from talkback.funding.campaigns import campaign_changed, campaign_of, lock_campaign
from talkback.importers.records import CampaignRecord, DonationRecord
from talkback.importers.staging import Staging
from talkback.importers.summary import ImportSummary
from talkback.sites.sites import Site
from talkback.store.queries import insert_if_absent
from talkback.store.tables import campaigns, donations, staff

BATCH = 500
DONATION_ALREADY_IMPORTED = "donation already imported"
NOT_IN_FILE = "donation whose campaign is not in the file"
CURRENCY_DIFFERS = "donation in another currency than its campaign"


@dataclass(frozen=True, slots=True)
class _Target:
    id: int
    currency: str
    created: bool


async def write_funding(ctx: Context, site: Site, staging: Staging, summary: ImportSummary) -> None:
    """Write the staged campaigns, then their donations in batches, then recount."""
    unplaced = staging.unplaced_donations()
    if unplaced:
        summary.skip(NOT_IN_FILE, unplaced)
    records = staging.campaigns()
    if not records:
        return

    async def place(conn: AsyncConnection) -> dict[str, _Target]:
        return {r.key: await _place_campaign(conn, site.id, r, staging) for r in records}

    targets = await ctx.database.write(place)
    summary.campaigns_created += sum(target.created for target in targets.values())
    existing = sum(not target.created for target in targets.values())
    if existing:
        summary.note("campaigns already present (kept as they are)", existing)
    for record in records:
        target = targets[record.key]
        for batch in _chunks(staging.donations_of(record.key)):
            await _write_donations(ctx, site, target, batch, summary)

    async def settle(conn: AsyncConnection, changes: Changes) -> None:
        for target in sorted(set(targets.values()), key=lambda t: t.id):
            if await _recount(conn, site.id, target.id):
                campaign = campaign_of(await lock_campaign(conn, site.id, target.id))
                changes.record(campaign_changed(campaign))
        current = next((r for r in reversed(records) if r.is_current), None)
        if current is not None and not await _make_current(conn, site.id, targets[current.key]):
            summary.note("the site has its own current campaign: kept")

    await ctx.events.write(settle)


async def _place_campaign(
    conn: AsyncConnection, site_id: str, record: CampaignRecord, staging: Staging
) -> _Target:
    """The target campaign for a file campaign (see the module's docstring)."""
    found = await _holding_a_donation(conn, site_id, staging.donations_of(record.key))
    if found is None:
        found = (
            await conn.execute(
                select(campaigns.c.id)
                .where(campaigns.c.site_id == site_id,
                       campaigns.c.title == record.terms["title"],
                       campaigns.c.created_at == record.created_at)
                .order_by(campaigns.c.id).limit(1)
            )
        ).scalar()  # fmt: skip
    if found is not None:
        row = await lock_campaign(conn, site_id, found)
        return _Target(int(row.id), row.currency, created=False)
    values = asdict(record)
    del values["key"], values["terms"]
    campaign_id = (
        await conn.execute(
            campaigns.insert()
            .values(
                site_id=site_id,
                raised_minor=0,
                donor_count=0,
                **record.terms,
                **{**values, "is_current": False},
            )
            .returning(campaigns.c.id)
        )
    ).scalar_one()
    return _Target(int(campaign_id), record.terms["currency"], created=True)


async def _holding_a_donation(
    conn: AsyncConnection, site_id: str, records: Iterator[DonationRecord]
) -> int | None:
    """The site's campaign that already holds one of these donations, if any."""
    for chunk in _chunks(records):
        wanted = {(r.provider, r.provider_ref) for r in chunk}
        rows = await conn.execute(
            select(donations.c.provider, donations.c.provider_ref, donations.c.campaign_id)
            .where(donations.c.site_id == site_id,
                   donations.c.provider_ref.in_(sorted(r for _, r in wanted)))
        )  # fmt: skip
        for row in rows:
            if (row.provider, row.provider_ref) in wanted:
                return int(row.campaign_id)
    return None


def _chunks(records: Iterator[DonationRecord]) -> Iterator[list[DonationRecord]]:
    chunk: list[DonationRecord] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def _write_donations(
    ctx: Context, site: Site, target: _Target, batch: list[DonationRecord], summary: ImportSummary
) -> None:
    async def job(conn: AsyncConnection) -> tuple[int, int, int]:
        await lock_campaign(conn, site.id, target.id)
        emails = sorted({r.recorded_by.lower() for r in batch if r.recorded_by})
        staff_ids = {}
        if emails:
            found = await conn.execute(
                select(staff.c.id, staff.c.email).where(func.lower(staff.c.email).in_(emails))
            )
            staff_ids = {row.email.lower(): row.id for row in found}
        written = present = foreign = 0
        for record in batch:
            if record.currency != target.currency:
                foreign += 1
                continue
            values = asdict(record)
            del values["campaign_key"], values["recorded_by"]
            values.update(
                campaign_id=target.id, site_id=site.id,
                created_by=staff_ids.get((record.recorded_by or "").lower()),
            )  # fmt: skip
            if await insert_if_absent(conn, donations, values, ["provider", "provider_ref"]):
                written += 1
            else:
                present += 1
        return written, present, foreign

    written, present, foreign = await ctx.database.write(job)
    summary.donations_imported += written
    if present:
        summary.skip(DONATION_ALREADY_IMPORTED, present)
    if foreign:
        summary.skip(CURRENCY_DIFFERS, foreign)


async def _recount(conn: AsyncConnection, site_id: str, campaign_id: int) -> bool:
    """Set the campaign's totals from its donations; True when they changed. A gift counts
    what was not given back, and its donor unless it was refunded in full."""
    row = await lock_campaign(conn, site_id, campaign_id)
    kept = donations.c.amount_minor - donations.c.refunded_minor
    raised, donors = (
        await conn.execute(
            select(
                func.coalesce(func.sum(kept), 0),
                func.coalesce(func.sum(case((kept > 0, 1), else_=0)), 0),
            ).where(donations.c.campaign_id == campaign_id)
        )
    ).one()
    if (row.raised_minor, row.donor_count) == (int(raised), int(donors)):
        return False
    await conn.execute(
        update(campaigns)
        .where(campaigns.c.id == campaign_id)
        .values(raised_minor=int(raised), donor_count=int(donors))
    )
    return True


async def _make_current(conn: AsyncConnection, site_id: str, target: _Target) -> bool:
    """Make the file's current campaign the site's, unless the site has another one."""
    current = await conn.scalar(
        select(campaigns.c.id).where(
            campaigns.c.site_id == site_id, campaigns.c.is_current.is_(True)
        )
    )
    if current is None:
        await conn.execute(
            update(campaigns).where(campaigns.c.id == target.id).values(is_current=True)
        )
        return True
    return int(current) == target.id
