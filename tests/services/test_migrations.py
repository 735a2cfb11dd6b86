"""The migrations build exactly the schema `store/tables.py` declares."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import JSON, insert, select

from talkback.store.database import Database
from talkback.store.migrate import migrate
from talkback.store.tables import audit_log, comments, metadata, reports, sites, staff, threads
from tests.conftest import throwaway_postgres_database


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


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own, with no schema yet, so a test can stop at an old revision."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
        return
    with throwaway_postgres_database("talkback_migration") as url:
        yield url


NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
NEWS_SITE = insert(sites).values(
    id="news", name="News", origins=[], locale="en_US", edit_window_seconds=900,
    moderation={}, created_at=NOW,
)  # fmt: skip
"""The site `news` in the columns every revision since 0001 has."""


@pytest.fixture
async def database_at_0005(empty_database_url: str) -> AsyncIterator[Database]:
    """A database migrated up to 0005 only, holding the site `news`."""
    database = Database(empty_database_url)
    try:
        await migrate(database, "0005")
        async with database.engine.begin() as conn:
            await conn.execute(NEWS_SITE)
        yield database
    finally:
        await database.close()


async def test_0006_keeps_open_only_the_reports_that_came_after_the_last_review(
    database_at_0005: Database,
) -> None:
    """Before 0006 a review only reset `report_count` and left the reports behind, so the
    reports still open are each comment's last `report_count` ones; older ones were answered.
    """
    database = database_at_0005
    async with database.engine.begin() as conn:
        await conn.execute(
            insert(threads).values(id=1, site_id="news", uri="/a", comment_count=3,
                                   version=1, created_at=NOW)
        )  # fmt: skip
        open_counts = {1: 0, 2: 1, 3: 2}  # comment id: report_count when 0006 runs
        for comment_id, open_count in open_counts.items():
            await conn.execute(
                insert(comments).values(
                    id=comment_id, thread_id=1, depth=0, status="approved", avatar="a",
                    text="t", html="<p>t</p>", created_at=NOW, report_count=open_count,
                )
            )  # fmt: skip
        reports_of = {1: ["r1", "r2"], 2: ["r3", "r4", "r5"], 3: ["r6", "r7"]}
        for comment_id, reporters in reports_of.items():
            for reporter in reporters:
                await conn.execute(
                    insert(reports).values(comment_id=comment_id, reporter=reporter,
                                           reason="abuse", created_at=NOW)
                )  # fmt: skip
    await migrate(database)
    async with database.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(reports.c.reporter, reports.c.resolved_at).order_by(reports.c.id)
            )
        ).all()
    still_open = [row.reporter for row in rows if row.resolved_at is None]
    assert still_open == ["r5", "r6", "r7"]
    assert all(row.resolved_at is not None for row in rows if row.reporter not in still_open)


async def test_0006_names_the_system_as_the_actor_of_entries_without_a_staff_account(
    database_at_0005: Database,
) -> None:
    database = database_at_0005
    async with database.engine.begin() as conn:
        await conn.execute(
            insert(staff).values(id=1, email="ed@news.example", password_hash="x",
                                 role="admin", session_nonce="n", created_at=NOW)
        )  # fmt: skip
        for staff_id, action in ((None, "campaign.create"), (1, "comment.approve")):
            await conn.execute(
                insert(audit_log).values(site_id="news", staff_id=staff_id, action=action,
                                         target="x", details={"title": "T"}, created_at=NOW)
            )  # fmt: skip
    await migrate(database)
    async with database.engine.connect() as conn:
        rows = (await conn.execute(select(audit_log.c.action, audit_log.c.details))).all()
    assert {row.action: row.details for row in rows} == {
        "campaign.create": {"title": "T", "actor": "system"},
        "comment.approve": {"title": "T"},
    }


async def test_0008_stores_no_passage_as_sql_null(empty_database_url: str) -> None:
    """Before 0008 a comment without a passage held JSON's null, which `IS NOT NULL`
    (the inline filter, its index) would take for a passage."""
    database = Database(empty_database_url)
    try:
        await migrate(database, "0007")
        async with database.engine.begin() as conn:
            await conn.execute(NEWS_SITE)
            await conn.execute(
                insert(threads).values(id=1, site_id="news", uri="/a", comment_count=2,
                                       version=1, created_at=NOW)
            )  # fmt: skip
            for comment_id, anchor in ((1, JSON.NULL), (2, {"exact": "the barrier"})):
                await conn.execute(
                    insert(comments).values(id=comment_id, thread_id=1, depth=0,
                                            status="approved", avatar="a", text="t",
                                            html="<p>t</p>", created_at=NOW, anchor=anchor)
                )  # fmt: skip
        await migrate(database)
        async with database.engine.connect() as conn:
            anchored = select(comments.c.id).where(comments.c.anchor.is_not(None))
            assert (await conn.execute(anchored)).scalars().all() == [2]
            kept = select(comments.c.anchor).where(comments.c.id == 2)
            assert (await conn.execute(kept)).scalar_one() == {"exact": "the barrier"}
    finally:
        await database.close()
