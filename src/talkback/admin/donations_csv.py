"""Donations as a CSV file for a spreadsheet: every row the filters match, not one page.

Cells that a spreadsheet would run as a formula (starting with = + - @, or a tab or
carriage return that some of them skip first) get a leading single quote, so a donor
named `=HYPERLINK(…)` stays text. The file starts with a UTF-8 byte order mark, without
which Excel misreads every accented name.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable
from typing import Any

from fastapi.responses import StreamingResponse

from talkback.context import Context
from talkback.errors import Invalid
from talkback.funding.campaigns import list_campaigns
from talkback.funding.donations import DonationFilter, count_donations, list_donations
from talkback.sites.sites import Site

MAX_ROWS = 100_000
BATCH = 1_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = (
    "id", "created_at", "campaign_id", "campaign", "amount", "refunded", "currency",
    "donor_name", "donor_email", "message", "message_status", "provider", "provider_ref",
    "payment_ref", "note",
)  # fmt: skip


def safe_cell(value: Any) -> str:
    """The value as spreadsheet text that never starts a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _line(cells: Iterable[Any]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow([safe_cell(cell) for cell in cells])
    return out.getvalue()


async def donations_csv(ctx: Context, site: Site, filters: DonationFilter) -> StreamingResponse:
    """The filtered donations, newest first, streamed in batches; Invalid past MAX_ROWS
    (narrowing the filters is better than a file nobody can open)."""
    total = await count_donations(ctx, site, filters)
    if total > MAX_ROWS:
        raise Invalid(
            f"{total:,} donations match; narrow the filters to at most {MAX_ROWS:,}",
            code="export_too_large",
        )
    titles = {campaign.id: campaign.title for campaign in await list_campaigns(ctx, site)}

    async def lines() -> AsyncIterator[str]:
        yield "\ufeff" + _line(COLUMNS)
        for offset in range(0, total, BATCH):
            batch = await list_donations(ctx, site, filters, limit=BATCH, offset=offset)
            for row in batch:
                cells = {**row, "campaign": titles.get(row["campaign_id"], "")}
                yield _line(cells[column] for column in COLUMNS)

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="talkback-{site.id}-donations.csv"',
            "Cache-Control": "no-store",
        },
    )
