"""Fan-out of live events to the streams open in this process.

Each open stream holds a bounded queue. A reader too slow to keep up is cut off rather
than allowed to grow the server's memory; its browser's EventSource reconnects and the
widget catches up from the thread page.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

QUEUE_LIMIT = 256


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """One server-sent event: its name (e.g. `comment.created`) and JSON data."""

    name: str
    data: dict[str, Any]

    def data_json(self) -> str:
        return json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))


class Subscription:
    """The events of one channel for one open stream; `closed` once it fell behind."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[LiveEvent | None] = asyncio.Queue(QUEUE_LIMIT)

    def offer(self, event: LiveEvent) -> bool:
        """Queue the event; False when the queue is full (the reader fell behind)."""
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            return False
        return True

    def close(self) -> None:
        """End the stream: drop what it has not read and mark the end."""
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(None)

    async def events(self) -> AsyncIterator[LiveEvent]:
        while (event := await self._queue.get()) is not None:
            yield event


class Hub:
    def __init__(self) -> None:
        self._subscriptions: defaultdict[str, set[Subscription]] = defaultdict(set)
        self._observers: list[Callable[[str, LiveEvent], None]] = []

    def observe(self, observer: Callable[[str, LiveEvent], None]) -> None:
        """Call `observer` with every event this process receives, whoever listens."""
        self._observers.append(observer)

    @asynccontextmanager
    async def subscribe(self, *channels: str) -> AsyncIterator[Subscription]:
        """One stream of the events of all `channels` (a page's thread and its site)."""
        subscription = Subscription()
        for channel in channels:
            self._subscriptions[channel].add(subscription)
        try:
            yield subscription
        finally:
            for channel in channels:
                listeners = self._subscriptions.get(channel)
                if listeners is not None:
                    listeners.discard(subscription)
                    if not listeners:
                        del self._subscriptions[channel]

    def deliver(self, channel: str, event: LiveEvent) -> None:
        """Hand the event to every local stream of the channel, cutting off laggards."""
        for observer in self._observers:
            observer(channel, event)
        for subscription in list(self._subscriptions.get(channel, ())):
            if not subscription.offer(event):
                self._subscriptions[channel].discard(subscription)
                subscription.close()

    def listeners(self, channel: str) -> int:
        return len(self._subscriptions.get(channel, ()))
