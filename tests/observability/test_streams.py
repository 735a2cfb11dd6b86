"""Open server-sent event streams are counted while open, through a real server (an event
stream needs a streaming connection, not an in-process call)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from talkback.config import Settings
from talkback.context import Context
from talkback.sites.sites import create_site
from talkback.store.migrate import migrate
from tests.api.conftest import ARTICLE, ORIGIN, SITE
from tests.live.conftest import Node, running_node
from tests.observability.conftest import Scraper, Series, value

WAIT_SECONDS = 10.0
OPEN = "talkback_sse_connections"


@pytest.fixture
async def node(sqlite_url: str) -> AsyncIterator[Node]:
    settings = Settings(database_url=sqlite_url, secret_key="test-secret-key")
    context = Context.from_settings(settings)
    try:
        await migrate(context.database)
        await create_site(context.database, SITE, name="The Example News", origins=[ORIGIN])
    finally:
        await context.close()
    async with running_node(settings) as running:
        yield running


async def scrape_until(scraper: Scraper, expected: float) -> Series:
    """Scrapes until the open streams number `expected`, or the last scrape after the wait
    (a stream counts from when its generator runs, just after its headers go out)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_SECONDS
    while True:
        series = await scraper.scrape()
        if value(series, OPEN) == expected or loop.time() > deadline:
            return series
        await asyncio.sleep(0.05)


async def test_open_streams_are_counted_until_they_close(node: Node) -> None:
    async with httpx.AsyncClient(base_url=node.url, timeout=30) as client:
        scraper = Scraper(client, token=None)  # the test server's clients are on loopback
        before = value(await scraper.scrape(), OPEN)
        async with httpx.AsyncClient(base_url=node.url, timeout=30) as readers:
            streams = [
                await readers.send(
                    readers.build_request("GET", f"/api/v1/{SITE}/stream", params={"uri": ARTICLE}),
                    stream=True,
                )
                for _ in range(3)
            ]
            try:
                assert all(stream.status_code == 200 for stream in streams)
                opened = await scrape_until(scraper, before + 3)
                assert value(opened, OPEN) == before + 3
            finally:
                for stream in streams:
                    await stream.aclose()
        closed = await scrape_until(scraper, before)
        assert value(closed, OPEN) == before
