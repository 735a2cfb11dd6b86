"""Reading a server-sent event stream in tests: each named event as (name, JSON data)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

Event = tuple[str, dict[str, Any]]


async def queue_events(response: httpx.Response, received: asyncio.Queue[Event]) -> None:
    """Put every named event of the open stream on `received` until the stream ends
    (comment lines, such as heartbeats, are skipped)."""
    name = None
    async for line in response.aiter_lines():
        if line.startswith("event:"):
            name = line.removeprefix("event:").strip()
        elif line.startswith("data:") and name:
            await received.put((name, json.loads(line.removeprefix("data:"))))
            name = None


@asynccontextmanager
async def listening(
    url: str, *, site: str, uri: str, origin: str
) -> AsyncIterator[asyncio.Queue[Event]]:
    """The page's event stream on the server at `url`, read into a queue by a background
    task; open (and so subscribed: the headers follow the subscription) when this yields."""
    received: asyncio.Queue[Event] = asyncio.Queue()
    opened = asyncio.Event()

    async def read() -> None:
        async with (
            httpx.AsyncClient(timeout=30) as client,
            client.stream(
                "GET", f"{url}/api/v1/{site}/stream", params={"uri": uri},
                headers={"Origin": origin},
            ) as response,
        ):  # fmt: skip
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            assert response.headers["access-control-allow-origin"] == origin
            opened.set()
            await queue_events(response, received)

    task = asyncio.create_task(read())
    await asyncio.wait_for(opened.wait(), 10)
    try:
        yield received
    finally:
        task.cancel()
