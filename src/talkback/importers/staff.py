"""Staff accounts from a Talkback export, added to this server.

Staff serve every site of a server, so an export carries them all; importing adds the
accounts this server lacks (by address), with their roles, password hashes and pending
password changes, and never touches an account that exists: its owner here may have
changed its role or password since the export was made.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from talkback.importers.records import StaffRecord
from talkback.importers.summary import ImportSummary
from talkback.staff.accounts import new_session_nonce
from talkback.store.database import Database
from talkback.store.queries import insert_if_absent
from talkback.store.tables import staff

ADDED = "staff accounts added"
KEPT = "staff accounts already here (kept as they are)"


async def add_staff(
    database: Database, records: Sequence[StaffRecord], summary: ImportSummary
) -> None:
    if not records:
        return

    async def job(conn: AsyncConnection) -> int:
        added = 0
        for record in records:
            values = {
                "email": record.email, "name": record.name, "role": record.role,
                "password_hash": record.password_hash,
                "must_change_password": record.must_change_password,
                "session_nonce": new_session_nonce(), "created_at": record.created_at,
            }  # fmt: skip
            added += await insert_if_absent(conn, staff, values, ["email"])
        return added

    added = await database.write(job)
    if added:
        summary.note(ADDED, added)
    if len(records) > added:
        summary.note(KEPT, len(records) - added)
