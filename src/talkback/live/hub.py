"""Fan-out of live events to the streams open in this process.

Each open stream holds a bounded queue. A reader too slow to keep up is cut off rather
than allowed to grow the server's memory; its browser's EventSource reconnects and the
widget catches up from the thread page. Handing an event to a stream never waits, so one
stalled reader cannot hold up the others.

An event is encoded once, when it is made, into the very bytes every stream sends
(`LiveEvent.frame`): a thousand open streams share one encoding instead of doing a
thousand (bench/sse_fanout.py measures what the fan-out costs).
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sse_starlette import ServerSentEvent

QUEUE_LIMIT = 256
"""Events a stream may fall behind before it is cut off."""

HEARTBEAT = ServerSentEvent(comment="ping").encode()
"""A comment line: EventSource ignores it, proxies see traffic on an idle stream."""


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """One server-sent event: its name (e.g. `comment.created`) and JSON data.

    `frame` is the event as a stream sends it (`event:` and `data:` lines), made once.
    """

    name: str
    data: dict[str, Any]
    frame: bytes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        data = json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))
        object.__setattr__(self, "frame", ServerSentEvent(data=data, event=self.name).encode())


class Subscription:
    """The events of one stream's channels, in order; `closed` once it fell behind.

    A deque and one waiting future rather than an `asyncio.Queue`: a stream is idle
    almost all its life, and the queue's four deques and its event cost each open stream
    about a kilobyte and a half for nothing.
    """

    __slots__ = ("_closed", "_on_close", "_pending", "_waiter")

    def __init__(self) -> None:
        self._pending: deque[LiveEvent] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._closed = False
        self._on_close: Callable[[], None] | None = None

    def offer(self, event: LiveEvent) -> bool:
        """Queue the event; False when the reader fell behind (or the stream was closed)."""
        if self._closed or len(self._pending) >= QUEUE_LIMIT:
            return False
        self._pending.append(event)
        self._wake()
        return True

    def close(self) -> None:
        """End the stream: drop what it has not read; its reader stops after this."""
        self._closed = True
        self._pending.clear()
        self._wake()
        if self._on_close is not None:
            self._on_close()

    def when_closed(self, callback: Callable[[], None]) -> None:
        """Call `callback` when the stream is closed: a reader who fell behind may be stuck
        sending to a full socket, where no end of the events reaches it."""
        self._on_close = callback

    async def events(self) -> AsyncIterator[LiveEvent]:
        """Each event until the stream is closed."""
        while True:
            if not self._pending:
                if self._closed:
                    return
                await self._wait()
                continue
            yield self._pending.popleft()

    async def frames(self, heartbeat_seconds: float) -> AsyncIterator[bytes]:
        """Each event's `frame` until the stream is closed, and `HEARTBEAT` once a
        `heartbeat_seconds` tick passed with nothing sent: only an idle stream needs one.

        One timer a stream, re-armed once a tick, rather than a timeout around each wait:
        that timeout, made and cancelled for every event on every stream, doubled the
        hub's CPU time per event with a thousand streams (bench/README.md).
        """
        loop = asyncio.get_running_loop()
        quiet = True  # nothing sent since the last tick
        heartbeat_due = False
        timer: asyncio.TimerHandle | None = None

        def tick() -> None:
            nonlocal quiet, heartbeat_due, timer
            if self._closed:
                return
            timer = loop.call_later(heartbeat_seconds, tick)
            if quiet:
                heartbeat_due = True
                self._wake()
            quiet = True

        timer = loop.call_later(heartbeat_seconds, tick)
        try:
            while True:
                if self._pending:
                    quiet = False
                    yield self._pending.popleft().frame
                elif self._closed:
                    return
                elif heartbeat_due:
                    heartbeat_due = False
                    yield HEARTBEAT
                else:
                    await self._wait()
        finally:
            timer.cancel()

    async def _wait(self) -> None:
        """Until an event is offered or the stream closed."""
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


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
        listeners = self._subscriptions.get(channel)
        if not listeners:
            return
        behind = [subscription for subscription in listeners if not subscription.offer(event)]
        for subscription in behind:
            listeners.discard(subscription)
            subscription.close()

    def end_all(self) -> int:
        """End every open stream, as if each fell behind; returns how many. For when this
        process may have missed events: each browser's EventSource reconnects and its
        widget reloads the thread, so none goes on believing it is up to date."""
        streams = {s for listeners in self._subscriptions.values() for s in listeners}
        self._subscriptions.clear()
        for subscription in streams:
            subscription.close()
        return len(streams)

    def listeners(self, channel: str) -> int:
        return len(self._subscriptions.get(channel, ()))
