"""Brokers carry live events between nodes; chosen by `TALKBACK_BROKER_URL`.

`memory://` delivers within the process (one node). `redis://…` publishes every event on
one Redis channel; each process keeps a single subscription to it and fans events out to
its own streams through the hub, so a thousand open widgets cost one Redis connection per
node, not a thousand.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Protocol

import redis.asyncio as redis

from talkback.live.hub import Hub, LiveEvent

log = logging.getLogger(__name__)

REDIS_CHANNEL = "talkback:live"


class Broker(Protocol):
    async def start(self) -> None: ...

    async def publish(self, channel: str, event: LiveEvent) -> None: ...

    async def close(self) -> None: ...


class MemoryBroker:
    def __init__(self, hub: Hub) -> None:
        self._hub = hub

    async def start(self) -> None:
        return None

    async def publish(self, channel: str, event: LiveEvent) -> None:
        self._hub.deliver(channel, event)

    async def close(self) -> None:
        return None


class RedisBroker:
    def __init__(self, hub: Hub, url: str) -> None:
        self._hub = hub
        self._redis = redis.Redis.from_url(url)
        self._listener: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    async def start(self) -> None:
        """Subscribe once per process; returns when the subscription is in place."""
        if self._listener is None or self._listener.done():
            self._subscribed = asyncio.Event()
            self._listener = asyncio.create_task(self._listen(), name="talkback-live-redis")
        await self._subscribed.wait()

    async def publish(self, channel: str, event: LiveEvent) -> None:
        envelope = {"channel": channel, "name": event.name, "data": event.data}
        await self._redis.publish(REDIS_CHANNEL, json.dumps(envelope, separators=(",", ":")))

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self._redis.aclose()

    async def _listen(self) -> None:
        async with self._redis.pubsub() as pubsub:
            await pubsub.subscribe(REDIS_CHANNEL)
            self._subscribed.set()
            async for message in pubsub.listen():
                if message.get("type") != "message":
                    continue
                try:
                    envelope = json.loads(message["data"])
                    channel = str(envelope["channel"])
                    event = LiveEvent(name=str(envelope["name"]), data=dict(envelope["data"]))
                except (ValueError, KeyError, TypeError):
                    log.warning("event=live_message_unreadable")
                    continue
                self._hub.deliver(channel, event)


def broker_for(url: str, hub: Hub) -> Broker:
    if url == "memory://":
        return MemoryBroker(hub)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBroker(hub, url)
    raise ValueError(f"TALKBACK_BROKER_URL {url!r}: use memory:// or redis://host:port/db")
