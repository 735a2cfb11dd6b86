"""/readyz answers 200 only when the node can serve, and 503 naming what is not ready;
/healthz stays a liveness check."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from alembic.script import ScriptDirectory

from talkback import __version__
from talkback.app import create_app
from talkback.config import Settings
from talkback.store.migrate import alembic_config, migrate
from talkback.store.revisions import HEAD, RELEASE_REVISIONS
from tests.api.conftest import Api

READY_WAIT_SECONDS = 60.0  # the model loads in about a second; CI machines can be slow


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@asynccontextmanager
async def client_of(settings: Settings, *, lifespan: bool = True) -> AsyncIterator[Any]:
    """A client of the app; without `lifespan` nothing is started (no broker, no model)."""
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4321))
    async with httpx.AsyncClient(transport=transport, base_url="http://talkback.test") as client:
        if lifespan:
            async with app.router.lifespan_context(app):
                yield client, app.state.context
        else:
            try:
                yield client, app.state.context
            finally:
                await app.state.context.close()


async def ready_answer(client: httpx.AsyncClient) -> httpx.Response:
    """/readyz once it says 200, or its last answer when the wait is over."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + READY_WAIT_SECONDS
    while True:
        response = await client.get("/readyz")
        if response.status_code == 200 or loop.time() > deadline:
            return response
        await asyncio.sleep(0.1)


def failing_checks(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 503, response.text
    error = response.json()["error"]
    assert error["code"] == "not_ready"
    checks = {check["check"]: check["message"] for check in error["checks"]}
    for message in checks.values():
        assert message in error["message"]
    return checks


def test_the_release_revisions_are_the_migrations_in_order() -> None:
    """/readyz reads them from `store/revisions.py`, not from Alembic: a migration that is
    not listed there would make every node say it is behind."""
    script = ScriptDirectory.from_config(alembic_config())
    walked = [revision.revision for revision in script.walk_revisions()]
    assert tuple(reversed(walked)) == RELEASE_REVISIONS
    assert script.get_heads() == [HEAD]


async def test_a_migrated_node_with_its_model_loaded_is_ready(api: Api) -> None:
    response = await ready_answer(api.client)
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ready", "version": __version__}


async def test_a_database_without_schema_is_not_ready_but_alive(sqlite_url: str) -> None:
    settings = Settings(database_url=sqlite_url, secret_key="test-secret-key")
    async with client_of(settings) as (client, _context):
        checks = failing_checks(await client.get("/readyz"))
        assert "talkback migrate" in checks["migrations"]
        assert "database" not in checks
        assert (await client.get("/healthz")).status_code == 200


async def test_a_database_behind_this_release_is_not_ready(sqlite_url: str) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    (head,) = script.get_heads()
    previous = script.get_revision(head).down_revision
    assert isinstance(previous, str)
    settings = Settings(database_url=sqlite_url, secret_key="test-secret-key")
    async with client_of(settings) as (client, context):
        await migrate(context.database, previous)
        checks = failing_checks(await client.get("/readyz"))
        assert previous in checks["migrations"]
        assert head in checks["migrations"]
        await migrate(context.database)
        assert (await ready_answer(client)).status_code == 200


async def test_a_database_that_does_not_answer_is_named(sqlite_url: str) -> None:
    unreachable = f"postgresql+asyncpg://talkback@127.0.0.1:{closed_port()}/talkback"
    settings = Settings(database_url=unreachable, secret_key="test-secret-key")
    async with client_of(settings, lifespan=False) as (client, _context):
        checks = failing_checks(await client.get("/readyz"))
    assert "did not answer" in checks["database"]
    assert "migrations" not in checks


async def test_a_broker_that_does_not_answer_is_named(sqlite_url: str) -> None:
    settings = Settings(
        database_url=sqlite_url,
        secret_key="test-secret-key",
        broker_url=f"redis://127.0.0.1:{closed_port()}/0",
        rate_limits="off",
    )
    async with client_of(settings, lifespan=False) as (client, context):
        await migrate(context.database)
        checks = failing_checks(await client.get("/readyz"))
    assert "broker" in checks["broker"].lower() or "redis" in checks["broker"].lower()
    assert "redis://" not in checks["broker"]  # no addresses (or passwords) in the answer


async def test_a_model_still_loading_is_named_until_it_is_loaded(sqlite_url: str) -> None:
    settings = Settings(database_url=sqlite_url, secret_key="test-secret-key")
    async with client_of(settings, lifespan=False) as (client, context):
        await migrate(context.database)
        first = await client.get("/readyz")
        if first.status_code == 503:  # the model of an earlier test may be loaded already
            assert set(failing_checks(first)) == {"classifier"}
        assert (await ready_answer(client)).status_code == 200
