"""Real HTTP servers on loopback: SSE needs a streaming connection, not an in-process call."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn

from talkback.app import create_app
from talkback.config import Settings
from talkback.context import Context
from talkback.sites.sites import create_site
from talkback.store.migrate import migrate
from tests.api.conftest import ORIGIN, SITE, reset


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Node:
    """One Talkback server process-equivalent: its URL and its context."""

    url: str
    context: Context


@asynccontextmanager
async def running_node(settings: Settings) -> AsyncIterator[Node]:
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started or task.done():
            break
        await asyncio.sleep(0.02)
    assert server.started, "test server did not start"
    try:
        yield Node(f"http://127.0.0.1:{port}", app.state.context)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


NodeFactory = Callable[..., AbstractAsyncContextManager[Node]]


@pytest.fixture
async def prepared_database(database_url: str) -> str:
    """A migrated, emptied database with the test site."""
    settings = Settings(database_url=database_url, secret_key="test-secret-key")
    context = Context.from_settings(settings)
    try:
        await migrate(context.database)
        await reset(context)
        await create_site(context.database, SITE, name="The Example News", origins=[ORIGIN])
    finally:
        await context.close()
    return database_url


@pytest.fixture
def node_factory(prepared_database: str) -> NodeFactory:
    def factory(
        broker_url: str = "memory://", **settings: Any
    ) -> AbstractAsyncContextManager[Node]:
        """A node on the prepared database; `settings` are further `Settings` fields."""
        return running_node(
            Settings(
                database_url=prepared_database, secret_key="test-secret-key",
                broker_url=broker_url, **settings,
            )
        )  # fmt: skip

    return factory
