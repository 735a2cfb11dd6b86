"""Live updates through nginx: a stream opened through the proxy hears comments posted on
either node, each as it happens (nginx buffering would hold a small event back)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from tests.deploy.cluster import ORIGIN, REQUEST_TIMEOUT, SITE, Cluster, post_comment
from tests.sse import Event, queue_events

pytestmark = pytest.mark.services

ARTICLE = "/2026/12/live-through-nginx"
EVENT_WITHIN = 10.0
"""Seconds an event may take before it counts as held back: a bound, not a measurement."""
WARM_UP_POSTS = 20


@asynccontextmanager
async def stream_through_nginx(cluster: Cluster) -> AsyncIterator[asyncio.Queue[Event]]:
    """Open the article's stream through nginx; its events arrive in the queue."""
    received: asyncio.Queue[Event] = asyncio.Queue()
    opened: asyncio.Future[httpx.Response] = asyncio.get_running_loop().create_future()

    async def read() -> None:
        async with (
            cluster.client() as client,
            client.stream(
                "GET", f"/api/v1/{SITE}/stream", params={"uri": ARTICLE},
                headers={"Origin": ORIGIN}, timeout=httpx.Timeout(REQUEST_TIMEOUT, read=None),
            ) as response,
        ):  # fmt: skip
            opened.set_result(response)
            await queue_events(response, received)

    task = asyncio.create_task(read())
    try:
        response = await asyncio.wait_for(asyncio.shield(opened), EVENT_WITHIN)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert "content-length" not in response.headers
        yield received
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def created_with_text(events: asyncio.Queue[Event], html: str) -> dict[str, Any]:
    """The next `comment.created` event of `html`, skipping the warm-up's."""
    while True:
        name, data = await asyncio.wait_for(events.get(), EVENT_WITHIN)
        if name == "comment.created" and data["comment"]["html"] == html:
            return data


async def until_subscribed(cluster: Cluster, events: asyncio.Queue[Event]) -> None:
    """The stream subscribes just after its headers go out: post (to node A) until one of
    these posts is heard, so nothing later can fall in that gap."""
    async with cluster.client(base_url=cluster.node_a.url) as client:
        for n in range(WARM_UP_POSTS):
            await post_comment(client, ARTICLE, f"warm-up {n}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(events.get(), 1.0)
                return
    raise AssertionError(f"the stream heard none of {WARM_UP_POSTS} comments")


async def test_a_stream_through_nginx_hears_comments_posted_on_either_node(
    cluster: Cluster,
) -> None:
    """Each node is posted to directly, so whichever node nginx gave the stream to, one of
    the two comments crossed over Redis; each is heard before the next is posted."""
    async with stream_through_nginx(cluster) as events:
        await until_subscribed(cluster, events)
        for node in cluster.nodes:
            async with cluster.client(base_url=node.url) as client:
                text = f"posted on {node.name}"
                await post_comment(client, ARTICLE, text)
            data = await created_with_text(events, f"<p>{text}</p>")
            assert data["comment"]["author"]["avatar"]
