"""The migrations build exactly the schema `store/tables.py` declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from talkback.store.database import Database
from talkback.store.migrate import migrate
from talkback.store.tables import metadata


async def test_migrated_schema_matches_the_tables(database_url: str) -> None:
    database = Database(database_url)
    try:
        await migrate(database)
        await migrate(database)  # running again is harmless
        async with database.engine.connect() as conn:
            differences = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), metadata)
            )
    finally:
        await database.close()
    assert differences == []
