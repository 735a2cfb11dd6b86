"""The live-update facade services and routes use: publish to a thread or to a whole site,
subscribe to a page (which hears both)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from talkback.live.brokers import broker_for
from talkback.live.hub import Hub, LiveEvent, Subscription
from talkback.live.quota import StreamQuota


def thread_channel(site_id: str, uri: str) -> str:
    """Channels name a page, not a thread row, so a widget can listen before the first
    comment creates the thread."""
    return f"{site_id} {uri}"


def thread_of_channel(channel: str) -> tuple[str, str] | None:
    """(site id, uri) of a thread channel; None for a site channel."""
    site_id, space, uri = channel.partition(" ")
    return (site_id, uri) if space else None


def site_channel(site_id: str) -> str:
    """Events for every page of a site, such as a campaign's new total. Site ids have no
    spaces, so this never collides with a thread channel."""
    return site_id


class Live:
    def __init__(self, broker_url: str, streams_per_address: int) -> None:
        self.hub = Hub()
        self.broker = broker_for(broker_url, self.hub)
        self.quota = StreamQuota(streams_per_address)

    async def start(self) -> None:
        """Subscribe to the broker before serving, so this process hears every change made
        elsewhere from its first request on (raises `BrokerUnavailable` if it cannot)."""
        await self.broker.start()

    async def publish(self, site_id: str, uri: str, name: str, data: dict[str, Any]) -> None:
        await self.broker.publish(thread_channel(site_id, uri), LiveEvent(name, data))

    async def publish_to_site(self, site_id: str, name: str, data: dict[str, Any]) -> None:
        await self.broker.publish(site_channel(site_id), LiveEvent(name, data))

    @asynccontextmanager
    async def subscribe(self, site_id: str, uri: str) -> AsyncIterator[Subscription]:
        await self.broker.start()
        channels = (thread_channel(site_id, uri), site_channel(site_id))
        async with self.hub.subscribe(*channels) as subscription:
            yield subscription

    async def close(self) -> None:
        await self.broker.close()
