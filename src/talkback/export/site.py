"""Exporting a site as Talkback JSON Lines (docs/export-format.md).

Everything the database holds about a site today is written: its settings, threads,
comments (with status, counts, anchor and import origin), votes, and its reader funding:
campaigns and their donations, amounts as integers of the currency's minor unit. The export reads in
one transaction (REPEATABLE READ on PostgreSQL, a WAL snapshot on SQLite) so it is a
consistent picture even while readers keep posting, and reads in keyset pages
(`store/keyset.py`) written out as they come, so memory stays bounded by a page, not the
site. The records are counted first, in the same snapshot, so a progress bar knows its end.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, overload

from sqlalchemy import Row, Table, func, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback import __version__, clock
from talkback.context import Context
from talkback.export.records import (
    CampaignLine,
    CommentLine,
    DonationLine,
    ExportHeader,
    Origin,
    SiteLine,
    StaffLine,
    ThreadLine,
    VoteLine,
)
from talkback.funding.donations import donation_details
from talkback.importers.progress import NO_PROGRESS, Progress
from talkback.sites.sites import load_site
from talkback.store.keyset import keyset_rows
from talkback.store.tables import (
    campaigns,
    comments,
    donations,
    sites,
    staff,
    threads,
    votes,
)

FORMAT = "talkback-export"
VERSION = 1
PAGE = 1000


@dataclass
class ExportSummary:
    staff: int = 0
    threads: int = 0
    comments: int = 0
    votes: int = 0
    campaigns: int = 0
    donations: int = 0


@overload
def timestamp(moment: datetime) -> str: ...
@overload
def timestamp(moment: datetime | None) -> str | None: ...
def timestamp(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with microseconds: exact, so an export round-trips to the same rows."""
    if moment is None:
        return None
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def dump_line(record: Mapping[str, object]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


async def export_site(
    ctx: Context,
    site_id: str,
    write: Callable[[str], object],
    progress: Progress = NO_PROGRESS,
) -> ExportSummary:
    """Write the site's export, line by line, to `write`; `progress` counts records."""
    await load_site(ctx.database, site_id)
    summary = ExportSummary()
    async with ctx.database.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = await conn.execution_options(isolation_level="REPEATABLE READ")
        async with conn.begin():
            header: ExportHeader = {
                "format": FORMAT, "version": VERSION, "site": site_id,
                "exported_at": timestamp(clock.now()), "generator": f"talkback {__version__}",
            }  # fmt: skip
            write(dump_line(header))
            progress.phase("exporting", await _record_count(conn, site_id))
            write = _counting(write, progress)
            site = (await conn.execute(select(sites).where(sites.c.id == site_id))).one()
            write(dump_line(_site_record(site)))
            async for member in _by_id(conn, staff, true()):
                summary.staff += 1
                write(dump_line(_staff_record(member)))
            async for thread in _threads(conn, site_id):
                summary.threads += 1
                write(dump_line(_thread_record(thread)))
                async for comment in _comments(conn, thread.id):
                    summary.comments += 1
                    write(dump_line(_comment_record(site_id, thread.uri, comment)))
                async for vote in _votes(conn, thread.id):
                    summary.votes += 1
                    write(dump_line(_vote_record(vote)))
            staff_emails = {row.id: row.email for row in await conn.execute(
                select(staff.c.id, staff.c.email))}  # fmt: skip
            async for campaign in _by_id(conn, campaigns, campaigns.c.site_id == site_id):
                summary.campaigns += 1
                write(dump_line(_campaign_record(campaign)))
                gifts = _by_id(conn, donations, donations.c.campaign_id == campaign.id)
                async for donation in gifts:
                    summary.donations += 1
                    write(dump_line(_donation_record(donation, staff_emails)))
    return summary


def _counting(write: Callable[[str], object], progress: Progress) -> Callable[[str], object]:
    """`write` that also advances the progress by one record a line."""

    def counted(line: str) -> object:
        result = write(line)
        progress.advance(1)
        return result

    return counted


async def _record_count(conn: AsyncConnection, site_id: str) -> int:
    """How many records the export writes after its header (the site's line included)."""
    of_site = threads.c.site_id == site_id
    in_campaigns = campaigns.c.site_id == site_id
    counts = [
        select(func.count()).select_from(threads).where(of_site),
        select(func.count()).select_from(comments.join(threads)).where(of_site),
        select(func.count()).select_from(votes.join(threads)).where(of_site),
        select(func.count()).select_from(campaigns).where(in_campaigns),
        select(func.count()).select_from(donations.join(campaigns)).where(in_campaigns),
        select(func.count()).select_from(staff),
    ]
    return 1 + sum([int(await conn.scalar(count) or 0) for count in counts])


def _by_id(conn: AsyncConnection, table: Table, condition: Any) -> AsyncIterator[Row[Any]]:
    """The table's rows matching `condition`, in id order, a page at a time."""
    return keyset_rows(conn, select(table).where(condition), [table.c.id], page=PAGE)


def _threads(conn: AsyncConnection, site_id: str) -> AsyncIterator[Row[Any]]:
    return _by_id(conn, threads, threads.c.site_id == site_id)


def _comments(conn: AsyncConnection, thread_id: int) -> AsyncIterator[Row[Any]]:
    return _by_id(conn, comments, comments.c.thread_id == thread_id)


def _votes(conn: AsyncConnection, thread_id: int) -> AsyncIterator[Row[Any]]:
    key = [votes.c.comment_id, votes.c.voter]
    return keyset_rows(conn, select(votes).where(votes.c.thread_id == thread_id), key, page=PAGE)


def _site_record(row: Any) -> SiteLine:
    return {
        "type": "site",
        "id": row.id,
        "name": row.name,
        "origins": list(row.origins),
        "locale": row.locale,
        "edit_window_seconds": row.edit_window_seconds,
        "moderation": dict(row.moderation),
        "guest_identity": row.guest_identity,
        "created_at": timestamp(row.created_at),
        "auto_close_days": row.auto_close_days,
    }


def _staff_record(row: Any) -> StaffLine:
    return {
        "type": "staff",
        "email": row.email,
        "name": row.name,
        "role": row.role,
        "password_hash": row.password_hash,
        "must_change_password": row.must_change_password,
        "created_at": timestamp(row.created_at),
    }


def _thread_record(row: Any) -> ThreadLine:
    return {
        "type": "thread",
        "uri": row.uri,
        "title": row.title,
        "created_at": timestamp(row.created_at),
        "comment_count": row.comment_count,
        "close_override": row.close_override,
        "close_message": row.close_message,
        "closed_at": timestamp(row.closed_at),
    }


def _comment_record(site_id: str, uri: str, row: Any) -> CommentLine:
    origin: Origin
    if row.import_source is not None and row.import_id is not None:
        origin = {"source": row.import_source, "id": row.import_id}
    else:
        origin = {"source": "talkback", "id": f"{site_id}/{row.id}"}
    return {
        "type": "comment",
        "id": row.id,
        "thread": uri,
        "parent": row.parent_id,
        "status": row.status,
        "author": {
            "name": row.author_name,
            "email": row.author_email,
            "website": row.author_website,
            "reader_id": row.reader_id,
            "ip_hash": row.ip_hash,
            "avatar": row.avatar,
            "badge": row.author_badge,
        },
        "text": row.text,
        "html": row.html,
        "anchor": row.anchor,
        "created_at": timestamp(row.created_at),
        "edited_at": timestamp(row.edited_at),
        "votes": {"up": row.upvotes, "down": row.downvotes, "score": row.score},
        "reply_count": row.reply_count,
        "moderation": {
            "verdict": row.moderation,
            "toxicity": row.toxicity,
            "report_count": row.report_count,
        },
        "origin": origin,
        "pinned_at": timestamp(row.pinned_at),
        "featured_at": timestamp(row.featured_at),
    }


def _vote_record(row: Any) -> VoteLine:
    return {
        "type": "vote",
        "comment": row.comment_id,
        "voter": row.voter,
        "value": row.value,
        "created_at": timestamp(row.created_at),
    }


def _campaign_record(row: Any) -> CampaignLine:
    return {
        "type": "campaign",
        "id": row.id,
        "title": row.title,
        "description": row.description,
        "currency": row.currency,
        "goal_minor": row.goal_minor,
        "ticks_minor": row.ticks_minor,
        "presets_minor": row.presets_minor,
        "starts_at": timestamp(row.starts_at),
        "ends_at": timestamp(row.ends_at),
        "status": row.status,
        "is_current": row.is_current,
        "donor_wall": row.donor_wall,
        "raised_minor": row.raised_minor,
        "donor_count": row.donor_count,
        "created_at": timestamp(row.created_at),
    }


def _donation_record(row: Any, staff_emails: dict[int, str]) -> DonationLine:
    """No database id: (provider, provider_ref) is a donation's identity on every server,
    and the staff member who entered a manual gift is named by email."""
    return {
        "type": "donation",
        "campaign": row.campaign_id,
        "amount_minor": row.amount_minor,
        "currency": row.currency,
        "refunded_minor": row.refunded_minor,
        **donation_details(row),
        "recorded_by": staff_emails.get(row.created_by) if row.created_by else None,
        "created_at": timestamp(row.created_at),
    }
