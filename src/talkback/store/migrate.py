"""Schema changes, only through Alembic; `talkback migrate` and `demo` call `migrate()`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from talkback.store.database import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def migrate(database: Database, revision: str = "head") -> None:
    """Bring the schema up to `revision` over one of the database's own connections."""

    def upgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with database.engine.connect() as conn:
        await conn.run_sync(upgrade)
        await conn.commit()
