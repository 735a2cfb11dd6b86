"""The savepoint around each job of the SQLite writer, issued straight to aiosqlite.

The writer runs many small jobs back to back in one transaction, each inside a savepoint
so a failing job rolls back alone. Through SQLAlchemy, `begin_nested()` costs three round
trips to aiosqlite's thread for SAVEPOINT and three for RELEASE (new cursor, execute,
close); each round trip is two thread wake-ups, and they were a third of the writer's
time per post. Sent with the driver connection's own `execute`, each costs one. The SQL
is what SQLAlchemy would send; its transaction (BEGIN IMMEDIATE ... COMMIT) stays in
charge around the savepoints, and a job may still open nested transactions of its own.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

NAME = "talkback_job"


class JobSavepoints:
    """Mark, roll back to and release the one savepoint a writer job runs in."""

    def __init__(self, driver_connection: Any) -> None:
        self._driver = driver_connection

    @classmethod
    async def of(cls, conn: AsyncConnection) -> JobSavepoints:
        """Savepoints on the driver connection under `conn` (an aiosqlite connection)."""
        raw = await conn.get_raw_connection()
        return cls(raw.driver_connection)

    async def mark(self) -> None:
        await self._driver.execute(f"SAVEPOINT {NAME}")

    async def roll_back(self) -> None:
        """Undo the job's changes since `mark`; `release` must still follow."""
        await self._driver.execute(f"ROLLBACK TO {NAME}")

    async def release(self) -> None:
        await self._driver.execute(f"RELEASE {NAME}")
