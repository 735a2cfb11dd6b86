"""A reader's request about their own data, carried out by staff and kept in the audit log.

The export and the deletion themselves are `readers/data.py`; this adds who did
it and when, in the audit log, without the email itself (the log must not become a copy
of the personal data it records the removal of).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from talkback.context import Context
from talkback.readers.data import ReaderData, ReaderDeletion, delete_reader_data, export_reader_data
from talkback.sites.sites import Site
from talkback.staff.accounts import StaffMember
from talkback.staff.audit import record_audit


def _reader_ref(email: str) -> str:
    """A short, stable reference to the reader for the log, not their address."""
    return "reader:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:12]


async def export_for_reader(ctx: Context, site: Site, email: str, staff: StaffMember) -> ReaderData:
    data = await export_reader_data(ctx, site, email)
    await _audit(ctx, site, staff, "reader.export", email, {})
    return data


async def delete_for_reader(
    ctx: Context, site: Site, email: str, keep_comments: bool, staff: StaffMember
) -> ReaderDeletion:
    result = await delete_reader_data(ctx, site, email, keep_comments)
    await _audit(ctx, site, staff, "reader.delete", email, asdict(result))
    return result


async def _audit(
    ctx: Context, site: Site, staff: StaffMember, action: str, email: str, details: dict[str, Any]
) -> None:
    async def job(conn: AsyncConnection) -> None:
        await record_audit(
            conn, site_id=site.id, staff_id=staff.id, action=action,
            target=_reader_ref(email), details=details,
        )  # fmt: skip

    await ctx.database.write(job)
