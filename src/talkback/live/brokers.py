"""Brokers carry live events and cache notices between processes; chosen by
`TALKBACK_BROKER_URL`.

`memory://` delivers within the process (one process: `talkback serve` refuses several
workers with it). `redis://…` publishes on two pub/sub channels: live events for open
widgets, and notices that tell every process to forget something it cached (a site's
settings, threads rewritten in bulk). Each process keeps one subscription to both and fans
live events out to its own streams through the hub, so a thousand open widgets cost one
Redis connection per process, not a thousand.

Pub/sub delivers at most once: a message published while a process is cut off from Redis
never reaches it. The subscription reconnects on its own (redis-py's retry, without end)
and, once Redis confirms it again, tells its observers to forget everything, so a missed
notice cannot leave a cache stale past the reconnection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import RedisError

from talkback.live.hub import Hub, LiveEvent

log = logging.getLogger(__name__)

START_SECONDS = 10.0
"""How long a process waits for its first subscription before it gives up starting."""
SUBSCRIBER_NAME = "talkback-subscriber"
"""The subscription's name in Redis's CLIENT LIST: one per process."""
NOTICE_BATCH = 500
"""Uris per notice: a bulk import's notices stay small messages."""

NoticeKind = Literal["site", "threads", "everything"]
NOTICE_KINDS: dict[object, NoticeKind] = {
    "site": "site",
    "threads": "threads",
    "everything": "everything",
}


@dataclass(frozen=True, slots=True)
class Notice:
    """A message to every process, the sender included: forget a cached thing.

    `site`: the settings of `site_id`; `threads`: the states of `uris` of `site_id`;
    `everything`: this process may have missed notices (its broker connection dropped).
    """

    kind: NoticeKind
    site_id: str = ""
    uris: tuple[str, ...] = ()


NoticeObserver = Callable[[Notice], None]


class Broker(Protocol):
    async def start(self) -> None:
        """Subscribe (once per process); returns when messages from others arrive."""
        ...

    async def publish(self, channel: str, event: LiveEvent) -> None: ...

    async def announce(self, notice: Notice) -> bool:
        """Deliver `notice` to every process's observers, best effort: False if it could
        not be sent (logged)."""
        ...

    def on_notice(self, observer: NoticeObserver) -> None: ...

    async def close(self) -> None: ...


class MemoryBroker:
    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self._observers: list[NoticeObserver] = []

    async def start(self) -> None:
        return None

    async def publish(self, channel: str, event: LiveEvent) -> None:
        self._hub.deliver(channel, event)

    async def announce(self, notice: Notice) -> bool:
        for observer in self._observers:
            observer(notice)
        return True

    def on_notice(self, observer: NoticeObserver) -> None:
        self._observers.append(observer)

    async def close(self) -> None:
        return None


def channel_names(url: str) -> tuple[str, str]:
    """(live, control) channels for a Redis URL. Pub/sub ignores database numbers, so the
    number is part of the names: installations on one Redis with different database
    numbers (or a test on its own number) do not hear each other."""
    client = redis.Redis.from_url(url)
    database = client.connection_pool.connection_kwargs.get("db", 0)
    return f"talkback:{database}:live", f"talkback:{database}:control"


class BrokerUnavailable(RuntimeError):
    """The broker could not be subscribed to at startup."""


class RedisBroker:
    def __init__(self, hub: Hub, url: str) -> None:
        self._hub = hub
        # Publishing gives up after redis-py's default retries (a write must not wait for
        # Redis forever); the subscription retries without end (it has nothing else to do).
        self._redis = redis.Redis.from_url(url)
        self._subscriber = redis.Redis.from_url(
            url,
            retry=Retry(ExponentialWithJitterBackoff(base=0.05, cap=2.0), retries=-1),
            client_name=SUBSCRIBER_NAME,
        )
        self._live_channel, self._control_channel = channel_names(url)
        self._observers: list[NoticeObserver] = []
        self._listener: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    async def start(self) -> None:
        if self._listener is None or self._listener.done():
            self._subscribed = asyncio.Event()
            self._listener = asyncio.create_task(self._listen(), name="talkback-broker-redis")
            self._listener.add_done_callback(_log_failure)
        elif self._subscribed.is_set():
            return  # every stream opened calls this: the usual case costs nothing
        listener = self._listener
        subscribed = asyncio.ensure_future(self._subscribed.wait())
        try:
            await asyncio.wait(
                {subscribed, listener}, timeout=START_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            subscribed.cancel()
        if self._subscribed.is_set():
            return
        if listener.done() and not listener.cancelled() and listener.exception() is not None:
            raise BrokerUnavailable(f"broker: {listener.exception()}")
        listener.cancel()
        raise BrokerUnavailable(
            f"broker: no subscription to Redis within {START_SECONDS:.0f}s "
            "(is TALKBACK_BROKER_URL right and Redis running?)"
        )

    async def publish(self, channel: str, event: LiveEvent) -> None:
        envelope = {"channel": channel, "name": event.name, "data": event.data}
        await self._redis.publish(self._live_channel, _json(envelope))

    async def announce(self, notice: Notice) -> bool:
        """Publish `notice`; if Redis cannot take it, log and go on: the change is made,
        and the caches it concerns expire on their own (see `sites.SiteDirectory`)."""
        message = {"kind": notice.kind, "site": notice.site_id, "uris": list(notice.uris)}
        try:
            await self._redis.publish(self._control_channel, _json(message))
        except RedisError as exc:
            log.warning("event=notice_not_sent kind=%s error=%s", notice.kind, exc)
            return False
        return True

    def on_notice(self, observer: NoticeObserver) -> None:
        self._observers.append(observer)

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._listener  # a listener that failed was logged when it did
        await self._redis.aclose()
        await self._subscriber.aclose()

    async def _listen(self) -> None:
        confirmed: set[str] = set()
        async with self._subscriber.pubsub() as pubsub:
            await pubsub.subscribe(self._live_channel, self._control_channel)
            async for message in pubsub.listen():
                kind = message.get("type")
                channel = _text(message.get("channel"))
                if kind == "subscribe":
                    self._confirmed(channel, confirmed)
                elif kind == "message" and channel == self._live_channel:
                    self._deliver_live(message["data"])
                elif kind == "message" and channel == self._control_channel:
                    self._deliver_notice(message["data"])

    def _confirmed(self, channel: str, confirmed: set[str]) -> None:
        """Redis confirmed a subscription: the first time, start() may return; after a
        reconnection, whatever was published in between is lost, so forget everything."""
        if channel != self._control_channel:
            return
        if self._control_channel in confirmed:
            log.warning("event=broker_resubscribed")
            self._notify(Notice("everything"))
        confirmed.add(channel)
        self._subscribed.set()

    def _deliver_live(self, raw: bytes) -> None:
        try:
            envelope = json.loads(raw)
            channel = str(envelope["channel"])
            event = LiveEvent(name=str(envelope["name"]), data=dict(envelope["data"]))
        except (ValueError, KeyError, TypeError):
            log.warning("event=live_message_unreadable")
            return
        self._hub.deliver(channel, event)

    def _deliver_notice(self, raw: bytes) -> None:
        try:
            message = json.loads(raw)
            kind = NOTICE_KINDS.get(message["kind"])
            site_id, uris = str(message["site"]), tuple(str(uri) for uri in message["uris"])
        except (ValueError, KeyError, TypeError):
            log.warning("event=notice_unreadable")
            return
        if kind is None:
            log.warning("event=notice_unknown")  # from a newer version, during an upgrade
            return
        self._notify(Notice(kind, site_id, uris))

    def _notify(self, notice: Notice) -> None:
        for observer in self._observers:
            observer(notice)


def _log_failure(task: asyncio.Task[None]) -> None:
    """A listener that stopped on an error no retry covers; the next stream restarts it."""
    if not task.cancelled() and task.exception() is not None:
        log.error("event=broker_listener_failed error=%r", task.exception())


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def broker_for(url: str, hub: Hub) -> Broker:
    if url == "memory://":
        return MemoryBroker(hub)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBroker(hub, url)
    raise ValueError(f"TALKBACK_BROKER_URL {url!r}: use memory:// or redis://host:port/db")


def is_shared(url: str) -> bool:
    """Whether the broker reaches other processes (all but `memory://`)."""
    return url != "memory://"
