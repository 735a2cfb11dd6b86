"""Importer tests: the project's own export files, an app over HTTP on SQLite and
PostgreSQL, and helpers that read the database directly for what the API hides.

Every importer is tested on files the repository carries (`fixtures/`, written by hand,
see its README). Real exports from other projects' test suites are an additional layer
(`test_real_world.py`): they live beside the repository in ../shared/fixtures, or wherever
TALKBACK_SHARED_FIXTURES points, and their tests skip, saying so, when that folder is
absent (and fail under TALKBACK_REQUIRE_SERVICES=1).
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from talkback.app import create_app
from talkback.cli.main import app as cli_app
from talkback.config import Settings, get_settings
from talkback.context import Context
from talkback.importers.options import ImportOptions
from talkback.importers.run import Source, run_import
from talkback.importers.summary import ImportSummary
from talkback.sites.sites import create_site
from talkback.store.migrate import migrate
from talkback.store.tables import comments, threads
from tests.api.conftest import ORIGIN, SITE, Api, reset
from tests.conftest import skip_or_fail, throwaway_postgres_database

SECRET = "test-secret-key"
OWN_FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_FIXTURES = Path(
    os.environ.get("TALKBACK_SHARED_FIXTURES")
    or Path(__file__).resolve().parents[3] / "shared" / "fixtures"
)


def own_fixture(name: str) -> Path:
    """A file of the repository's own fixture folder: always there, never skipped."""
    path = OWN_FIXTURES / name
    assert path.is_file(), f"{path} is missing from the repository"
    return path


def shared_fixture(name: str) -> Path:
    """A real-world export from the shared folder beside the repository, if it is there."""
    path = SHARED_FIXTURES / name
    if not path.is_file():
        skip_or_fail(
            f"real-world fixture {name} not in {SHARED_FIXTURES} (shared/ beside the repository, "
            "or TALKBACK_SHARED_FIXTURES): an optional layer over tests/importers/fixtures"
        )
    return path


class Importing(Api):
    """The reader's API plus what an operator does: import, and look at the rows."""

    async def run(self, source: Source, path: Path, **options: Any) -> ImportSummary:
        return await run_import(
            self.context, SITE, path, source, ImportOptions(secret_key=SECRET, **options)
        )

    async def rows(self) -> list[Any]:
        async with self.context.database.read() as conn:
            return list(
                (
                    await conn.execute(
                        select(comments, threads.c.uri)
                        .join(threads, threads.c.id == comments.c.thread_id)
                        .order_by(comments.c.id)
                    )
                ).all()
            )

    async def threads(self) -> list[Any]:
        async with self.context.database.read() as conn:
            return list((await conn.execute(select(threads).order_by(threads.c.id))).all())

    async def statuses(self) -> Counter[str]:
        return Counter(row.status for row in await self.rows())

    async def assert_counters_consistent(self) -> None:
        """The invariants of comments/posting.py, checked from the rows themselves."""
        rows = await self.rows()
        children: dict[int, list[Any]] = defaultdict(list)
        for row in rows:
            if row.parent_id is not None:
                children[row.parent_id].append(row)
        visible: dict[int, bool] = {}

        def is_visible(row: Any) -> bool:
            if row.id not in visible:
                shown = sum(1 for child in children[row.id] if is_visible(child))
                assert row.reply_count == shown, f"comment {row.id} reply_count"
                visible[row.id] = row.status == "approved" or (
                    row.status == "deleted" and shown > 0
                )
            return visible[row.id]

        for row in rows:
            is_visible(row)
            if row.parent_id is not None:
                parent = next(r for r in rows if r.id == row.parent_id)
                assert row.depth == parent.depth + 1
                assert row.root_id == (parent.root_id or parent.id)
                assert row.thread_id == parent.thread_id
        for thread in await self.threads():
            approved = sum(1 for r in rows if r.thread_id == thread.id and r.status == "approved")
            assert thread.comment_count == approved, f"thread {thread.uri} comment_count"


async def _app(database_url: str, *, with_site: bool = True) -> Any:
    settings = Settings(database_url=database_url, secret_key=SECRET, rate_limits="off")
    app = create_app(settings)
    context: Context = app.state.context
    await migrate(context.database)
    await reset(context)
    if with_site:
        await create_site(context.database, SITE, name="The Example News", origins=[ORIGIN])
    return app


async def _serve(app: Any) -> AsyncIterator[Importing]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4321))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://talkback.test") as client,
    ):
        yield Importing(client, app.state.context)


@pytest.fixture
async def api(database_url: str) -> AsyncIterator[Importing]:
    async for served in _serve(await _app(database_url)):
        yield served


@pytest.fixture
def fresh_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database on the same backend, for moving data between servers."""
    if database_url.startswith("sqlite"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
        return
    with throwaway_postgres_database("talkback_fresh") as url:
        yield url


@pytest.fixture
async def fresh_api(fresh_database_url: str) -> AsyncIterator[Importing]:
    """The app on the fresh database, with no site: an import creates it."""
    async for served in _serve(await _app(fresh_database_url, with_site=False)):
        yield served


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The `talkback` command, in-process, on a fresh SQLite data dir with a site `news`."""
    monkeypatch.setenv("TALKBACK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TALKBACK_SECRET_KEY", "cli-secret")
    monkeypatch.delenv("TALKBACK_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    cli = CliRunner()
    assert cli.invoke(cli_app, ["migrate"]).exit_code == 0
    added = cli.invoke(cli_app, ["site", "add", "news", "--name", "News", "--origin",
                                 "https://news.example"])  # fmt: skip
    assert added.exit_code == 0, added.output
    return cli


STILL_OPEN = {"closed": False, "close_message": None}
"""What a thread page says of a thread nobody closed (thread pages carry it since issue 15)."""
