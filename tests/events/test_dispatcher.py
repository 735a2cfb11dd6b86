"""The after-commit path: a job's events reach in-transaction consumers inside its
transaction and after-commit consumers once it is committed, never for a change that
was rolled back, and one failing after-commit consumer does not silence the others."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback import clock
from talkback.events.changes import ChangeEvent, ThreadsRewritten
from talkback.events.dispatcher import ChangeJob, Changes, Dispatcher
from talkback.store.database import Database
from talkback.store.migrate import migrate
from talkback.store.tables import metadata, sites


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await migrate(database)
    if database.dialect == "postgresql":
        async with database.engine.begin() as conn:
            names = ", ".join(table.name for table in metadata.sorted_tables)
            await conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    yield database
    await database.close()


def add_site(site_id: str) -> ChangeJob[str]:
    async def job(conn: AsyncConnection, changes: Changes) -> str:
        await conn.execute(
            insert(sites).values(
                id=site_id, name=site_id, origins=[], locale="en_US", edit_window_seconds=60,
                moderation={"mode": "post"}, created_at=clock.now(),
            )
        )  # fmt: skip
        changes.record(ThreadsRewritten(site_id, ("/a", "/b")))
        return site_id

    return job


async def site_count(database: Database) -> int:
    async with database.read() as conn:
        return int(await conn.scalar(select(func.count()).select_from(sites)) or 0)


async def test_consumers_hear_a_committed_change_in_order(database: Database) -> None:
    dispatcher = Dispatcher(database)
    heard: list[tuple[str, object]] = []

    async def outbox(conn: AsyncConnection, events: Sequence[ChangeEvent]) -> None:
        # Inside the transaction: the change is visible to its own connection.
        count = await conn.scalar(select(func.count()).select_from(sites))
        heard.append(("in transaction", (count, list(events))))

    async def cache(event: ChangeEvent) -> None:
        heard.append(("cache", (await site_count(database), event)))

    async def live(event: ChangeEvent) -> None:
        heard.append(("live", event))

    dispatcher.in_transaction(outbox)
    dispatcher.after_commit(cache)
    dispatcher.after_commit(live)

    assert await dispatcher.write(add_site("courier")) == "courier"

    event = ThreadsRewritten("courier", ("/a", "/b"))
    assert heard == [("in transaction", (1, [event])), ("cache", (1, event)), ("live", event)]


async def test_a_failing_in_transaction_consumer_rolls_the_change_back(
    database: Database,
) -> None:
    dispatcher = Dispatcher(database)
    after: list[ChangeEvent] = []

    async def broken_outbox(_conn: AsyncConnection, _events: Sequence[ChangeEvent]) -> None:
        raise RuntimeError("outbox full")

    async def remember(event: ChangeEvent) -> None:
        after.append(event)

    dispatcher.in_transaction(broken_outbox)
    dispatcher.after_commit(remember)
    with pytest.raises(RuntimeError, match="outbox full"):
        await dispatcher.write(add_site("courier"))
    assert await site_count(database) == 0
    assert after == []


async def test_a_job_that_fails_dispatches_nothing(database: Database) -> None:
    dispatcher = Dispatcher(database)
    after: list[ChangeEvent] = []

    async def remember(event: ChangeEvent) -> None:
        after.append(event)

    dispatcher.after_commit(remember)

    async def job(conn: AsyncConnection, changes: Changes) -> None:
        changes.record(ThreadsRewritten("courier", ("/a",)))
        raise LookupError("no such thread")

    with pytest.raises(LookupError):
        await dispatcher.write(job)
    assert after == []


async def test_a_failing_after_commit_consumer_is_logged_and_the_next_still_hears(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    dispatcher = Dispatcher(database)
    after: list[ChangeEvent] = []

    async def broken_broker(_event: ChangeEvent) -> None:
        raise ConnectionError("broker down")

    async def remember(event: ChangeEvent) -> None:
        after.append(event)

    dispatcher.after_commit(broken_broker)
    dispatcher.after_commit(remember)
    await dispatcher.write(add_site("courier"))
    assert after == [ThreadsRewritten("courier", ("/a", "/b"))]
    assert await site_count(database) == 1
    assert "event=change_consumer_failed" in caplog.text
    assert "broken_broker" in caplog.text
