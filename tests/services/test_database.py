"""The write path: group commit on SQLite, plain transactions on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback import clock
from talkback.store.database import Database, WriteJob
from talkback.store.migrate import migrate
from talkback.store.tables import metadata, sites


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    await migrate(db)
    async with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            names = ", ".join(t.name for t in metadata.sorted_tables)
            await conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    yield db
    await db.close()


def add_site(site_id: str, fail: bool = False) -> WriteJob[str]:
    async def job(conn: AsyncConnection) -> str:
        await conn.execute(
            insert(sites).values(
                id=site_id, name=site_id, origins=[], locale="en_US", edit_window_seconds=60,
                moderation={}, created_at=clock.now(),
            )
        )  # fmt: skip
        if fail:
            raise ValueError(f"{site_id} refused after writing")
        return site_id

    return job


async def count_sites(db: Database) -> int:
    async with db.read() as conn:
        return int(await conn.scalar(select(func.count()).select_from(sites)) or 0)


async def test_concurrent_writes_are_all_committed(database: Database) -> None:
    results = await asyncio.gather(*(database.write(add_site(f"s{n}")) for n in range(300)))
    assert sorted(results) == sorted(f"s{n}" for n in range(300))
    assert await count_sites(database) == 300


async def test_a_failing_job_rolls_back_alone(database: Database) -> None:
    jobs = [add_site(f"ok{n}") for n in range(20)] + [add_site("bad", fail=True)]
    results = await asyncio.gather(*(database.write(job) for job in jobs), return_exceptions=True)
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1
    assert "bad refused" in str(errors[0])
    assert await count_sites(database) == 20


async def test_acknowledged_writes_survive_a_new_connection(
    database: Database, database_url: str
) -> None:
    await database.write(add_site("durable"))
    fresh = Database(database_url)
    try:
        assert await count_sites(fresh) == 1
    finally:
        await fresh.close()
