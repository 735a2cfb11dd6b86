"""Cache notices through Redis: every process hears them, and a process whose subscription
was cut is told to forget everything once Redis has it subscribed again (whatever was
published in between never reached it)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

from talkback.live.brokers import SUBSCRIBER_NAME, Notice, RedisBroker
from talkback.live.hub import Hub
from tests.conftest import port_open, skip_or_fail

REDIS_URL = "redis://127.0.0.1:6379/11"  # this module's alone; its channels carry the 11


@pytest.fixture
async def admin() -> AsyncIterator[redis.Redis]:
    if not port_open("127.0.0.1", 6379):
        skip_or_fail("Redis is not reachable on 127.0.0.1:6379")
    client = redis.Redis.from_url(REDIS_URL)
    await client.flushdb()
    try:
        yield client
    finally:
        await client.flushdb()
        await client.aclose()


async def cut_subscriptions(admin: redis.Redis) -> int:
    """Close the server side of this database's Talkback subscriptions, as a Redis restart
    or a dropped network path would; other users of the server are left alone."""
    cut = 0
    for client in await admin.client_list(_type="pubsub"):
        if client.get("name") == SUBSCRIBER_NAME and client.get("db") == "11":
            await admin.client_kill_filter(_id=client["id"])
            cut += 1
    return cut


async def test_notices_reach_other_processes_and_a_cut_subscription_forgets_everything(
    admin: redis.Redis,
) -> None:
    listening, sending = RedisBroker(Hub(), REDIS_URL), RedisBroker(Hub(), REDIS_URL)
    heard: asyncio.Queue[Notice] = asyncio.Queue()
    listening.on_notice(heard.put_nowait)
    try:
        await listening.start()
        assert await sending.announce(Notice("site", "twin"))
        assert await asyncio.wait_for(heard.get(), 10) == Notice("site", "twin")

        assert await cut_subscriptions(admin) == 1
        assert await asyncio.wait_for(heard.get(), 30) == Notice("everything")

        rewritten = Notice("threads", "twin", ("/2026/12/a", "/2026/12/b"))
        assert await sending.announce(rewritten)
        assert await asyncio.wait_for(heard.get(), 10) == rewritten
    finally:
        await listening.close()
        await sending.close()
