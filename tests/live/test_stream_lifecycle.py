"""A stream's life over HTTP: it hears every event after its headers, an idle one sends
heartbeats, a reader who leaves leaves nothing behind, and a server that is stopped ends
its open streams cleanly instead of waiting on them."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import httpx
from starlette.types import Message

from talkback.comments.stream import LiveStream
from talkback.live.hub import QUEUE_LIMIT, Hub, LiveEvent
from talkback.live.live import site_channel, thread_channel
from tests.api.conftest import ARTICLE, ORIGIN, SITE
from tests.durability.test_kill_nine import run_cli, running_server, talkback_env
from tests.live.conftest import NodeFactory

WITHIN = 30.0
"""Seconds to wait for something that should happen at once (the first post waits for the
model to load, slow on a busy machine): a bound, not a measurement."""


@asynccontextmanager
async def raw_stream(url: str) -> AsyncIterator[asyncio.Queue[str | None]]:
    """The article's stream, open once its headers arrived; each line it sends goes to the
    queue (blank lines left out), then None if the server ended the body cleanly."""
    lines: asyncio.Queue[str | None] = asyncio.Queue()
    opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def read() -> None:
        async with (
            httpx.AsyncClient(timeout=httpx.Timeout(WITHIN, read=None)) as client,
            client.stream(
                "GET", f"{url}/api/v1/{SITE}/stream", params={"uri": ARTICLE},
                headers={"Origin": ORIGIN},
            ) as response,
        ):  # fmt: skip
            assert response.status_code == 200
            opened.set_result(None)
            async for line in response.aiter_lines():
                if line:
                    await lines.put(line)
        await lines.put(None)  # httpx raises instead when a chunked body is cut short

    task = asyncio.create_task(read())
    try:
        await asyncio.wait_for(asyncio.shield(opened), WITHIN)
        yield lines
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def next_line(lines: asyncio.Queue[str | None]) -> str | None:
    return await asyncio.wait_for(lines.get(), WITHIN)


async def until(condition: Callable[[], bool]) -> None:
    """Wait until `condition()` holds, for at most WITHIN seconds."""
    for _ in range(int(WITHIN / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    assert condition()


async def post(url: str, text: str) -> None:
    async with httpx.AsyncClient(timeout=WITHIN) as client:
        response = await client.post(
            f"{url}/api/v1/{SITE}/comments", params={"uri": ARTICLE}, json={"text": text}
        )
    assert response.status_code == 201, response.text


async def test_a_stream_hears_a_comment_posted_right_after_its_headers(
    node_factory: NodeFactory,
) -> None:
    async with node_factory() as node, raw_stream(node.url) as lines:
        await post(node.url, "straight away")
        assert await next_line(lines) == "event: comment.created"
        data = await next_line(lines)
        assert data is not None
        assert "<p>straight away</p>" in data


async def test_an_idle_stream_sends_heartbeats_and_still_hears_events(
    node_factory: NodeFactory,
) -> None:
    async with (
        node_factory(live_heartbeat_seconds=0.1) as node,
        raw_stream(node.url) as lines,
    ):
        assert await next_line(lines) == ": ping"
        assert await next_line(lines) == ": ping"
        await post(node.url, "after the quiet")
        while (line := await next_line(lines)) == ": ping":
            pass
        assert line == "event: comment.created"


async def test_a_reader_who_leaves_leaves_no_subscription_behind(
    node_factory: NodeFactory,
) -> None:
    async with node_factory() as node:
        hub = node.context.live.hub
        thread, site = thread_channel(SITE, ARTICLE), site_channel(SITE)
        async with raw_stream(node.url), raw_stream(node.url):
            assert (hub.listeners(thread), hub.listeners(site)) == (2, 2)
        await until(lambda: hub.listeners(thread) == 0 and hub.listeners(site) == 0)
        async with raw_stream(node.url) as lines:  # the node still streams afterwards
            assert hub.listeners(thread) == 1
            await post(node.url, "to whoever is left")
            assert await next_line(lines) == "event: comment.created"


async def test_stopping_the_server_ends_its_open_streams_cleanly(tmp_path: Path) -> None:
    """`talkback serve` as a real process: SIGTERM with streams open ends each stream with
    the closing chunk of its body and lets uvicorn finish its graceful shutdown (stop()
    checks the exit and "Application shutdown complete"), rather than waiting forever
    on streams that never end."""
    env = talkback_env(f"sqlite+aiosqlite:///{tmp_path / 'talkback.db'}", tmp_path)
    run_cli(env, "migrate")
    run_cli(env, "site", "add", SITE, "--name", "The Example News", "--origin", ORIGIN)
    with running_server(env, tmp_path / "server.log") as server:
        async with raw_stream(server.url) as first, raw_stream(server.url) as second:
            await asyncio.to_thread(server.stop)
            for lines in (first, second):
                assert await next_line(lines) is None


async def test_a_stream_stuck_on_a_full_socket_ends_when_its_reader_is_cut_off() -> None:
    """The response's own ASGI interface, with a `send` that never returns (a reader who
    stopped reading, its socket full): falling behind ends the response, and with it the
    connection, instead of leaving it hanging on that send."""
    hub = Hub()
    held = AsyncExitStack()
    subscription = await held.enter_async_context(hub.subscribe("a"))
    stuck = asyncio.Event()

    async def send(message: Message) -> None:
        if message["type"] == "http.response.body":
            stuck.set()
            await asyncio.Future()  # never drains

    async def receive() -> Message:
        await asyncio.Future()  # the reader says nothing, not even goodbye
        raise AssertionError

    scope = {"type": "http", "method": "GET", "path": "/", "headers": []}
    response = asyncio.create_task(LiveStream(subscription, held, 60)(scope, receive, send))
    hub.deliver("a", LiveEvent("vote", {"n": 0}))
    await asyncio.wait_for(stuck.wait(), WITHIN)
    for n in range(QUEUE_LIMIT + 1):
        hub.deliver("a", LiveEvent("vote", {"n": n}))
    await asyncio.wait_for(response, WITHIN)
    assert hub.listeners("a") == 0
