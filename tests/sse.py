"""Reading a server-sent event stream in tests: each named event as (name, JSON data)."""

from __future__ import annotations

import asyncio
import json
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
