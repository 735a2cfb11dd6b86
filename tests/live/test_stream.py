"""Open widgets hear about new comments, edits, deletions and votes as they happen."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from typing import Any

import httpx

from tests import sse
from tests.api.conftest import ARTICLE, ORIGIN, SITE
from tests.conftest import port_open, skip_or_fail
from tests.live.conftest import NodeFactory
from tests.sse import Event

REQUEST_TIMEOUT = 30.0
"""Seconds a request may take: the first post waits for the model to load, which takes
several seconds on a machine busy with benchmarks. A bound, not a measurement."""


def listening(url: str) -> AbstractAsyncContextManager[asyncio.Queue[Event]]:
    """Read a node's stream for the article into a queue, from a background task."""
    return sse.listening(url, site=SITE, uri=ARTICLE, origin=ORIGIN)


async def next_event(events: asyncio.Queue[Event]) -> Event:
    return await asyncio.wait_for(events.get(), 10)


async def post(url: str, text: str, **fields: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT) as client:
        response = await client.post(
            f"{url}/api/v1/{SITE}/comments", params={"uri": ARTICLE}, json={"text": text, **fields}
        )
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body


async def test_changes_arrive_in_order_on_the_stream(node_factory: NodeFactory) -> None:
    async with node_factory() as node, listening(node.url) as events:
        posted = await post(node.url, "live *hello*")
        name, data = await next_event(events)
        assert name == "comment.created"
        assert data["comment"]["html"] == "<p>live <em>hello</em></p>"
        assert data["count"] == 1
        comment_id = posted["comment"]["id"]
        headers = {"X-Edit-Token": posted["edit_token"]}
        async with httpx.AsyncClient(
            base_url=f"{node.url}/api/v1/{SITE}", timeout=REQUEST_TIMEOUT
        ) as client:
            await client.patch(f"/comments/{comment_id}", json={"text": "edited"}, headers=headers)
            await client.post(f"/comments/{comment_id}/vote", json={"value": -1})
            await client.delete(f"/comments/{comment_id}", headers=headers)
        name, data = await next_event(events)
        assert name == "comment.updated"
        assert data["comment"]["html"] == "<p>edited</p>"
        assert data["comment"]["edited_at"] is not None
        name, data = await next_event(events)
        assert (name, data["id"], data["downvotes"], data["score"]) == ("vote", comment_id, 1, -1)
        name, data = await next_event(events)
        assert (name, data["id"], data["comment"], data["count"]) == (
            "comment.deleted", comment_id, None, 0,
        )  # fmt: skip


async def test_deleting_a_comment_with_replies_announces_its_placeholder(
    node_factory: NodeFactory,
) -> None:
    async with node_factory() as node:
        root = await post(node.url, "root")
        await post(node.url, "reply", parent_id=root["comment"]["id"])
        async with (
            listening(node.url) as events,
            httpx.AsyncClient(timeout=REQUEST_TIMEOUT) as client,
        ):
            await client.delete(
                f"{node.url}/api/v1/{SITE}/comments/{root['comment']['id']}",
                headers={"X-Edit-Token": root["edit_token"]},
            )
            name, data = await next_event(events)
            assert name == "comment.deleted"
            assert data["comment"]["status"] == "deleted"
            assert data["comment"]["html"] == ""
            assert data["count"] == 1


async def test_held_comments_are_not_announced(node_factory: NodeFactory) -> None:
    from talkback.sites.sites import set_site_option

    async with node_factory() as node, listening(node.url) as events:
        await set_site_option(node.context.database, SITE, "moderation_mode", "pre")
        node.context.sites.forget(SITE)
        async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT) as client:
            held = await client.post(
                f"{node.url}/api/v1/{SITE}/comments", params={"uri": ARTICLE}, json={"text": "x"}
            )
        assert held.status_code == 202
        await set_site_option(node.context.database, SITE, "moderation_mode", "post")
        node.context.sites.forget(SITE)
        await post(node.url, "shown")
        name, data = await next_event(events)
        assert (name, data["comment"]["html"]) == ("comment.created", "<p>shown</p>")


async def test_events_cross_nodes_through_redis(node_factory: NodeFactory) -> None:
    if not port_open("127.0.0.1", 6379):
        skip_or_fail("Redis is not reachable on 127.0.0.1:6379")
    redis_url = "redis://127.0.0.1:6379/0"
    async with (
        node_factory(redis_url) as reading_node,
        node_factory(redis_url) as writing_node,
        listening(reading_node.url) as events,
    ):
        await post(writing_node.url, "from the other node")
        name, data = await next_event(events)
        assert name == "comment.created"
        assert data["comment"]["html"] == "<p>from the other node</p>"
