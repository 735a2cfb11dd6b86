"""Outages of the services a server depends on, with the server left running throughout.

PostgreSQL (a cluster of the test's own) crashes and comes back: meanwhile the server
answers 503 in the contract's error shape, never a 500 or a hang, and afterwards it takes
comments again by itself. Redis (a redis-server of the test's own) is killed and restarted
while widgets' streams are open on two server processes: comments made meanwhile are not
lost to a widget, because each process ends its streams once it is subscribed again and
the reconnecting widget reloads the thread (as EventSource and live.js do); events after
that arrive live again. Recovery times are printed for the team's note.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.durability.test_kill_nine import (
    ORIGIN,
    REQUEST_TIMEOUT,
    SITE,
    THREADS,
    run_cli,
    running_server,
    talkback_env,
)
from tests.durability.throwaway import RedisServer, postgres_cluster, redis_server
from tests.sse import queue_events

RECOVERY_BOUND = 30.0  # seconds a service's return may take to show, at most
POLL = 0.05
OUTAGE_REQUESTS = 5
AFTER_RECOVERY = 20
LIVE_CLIENTS = 2  # per server process
URI = THREADS[0]


def assert_outage_answer(answer: httpx.Response) -> None:
    """503 with Retry-After, in the one error shape."""
    assert answer.status_code == 503, f"{answer.status_code} {answer.text[:300]}"
    assert answer.headers["retry-after"].isdigit()
    assert answer.json()["error"]["code"] == "service_unavailable"


def post(client: httpx.Client, text: str, uri: str = URI) -> httpx.Response:
    return client.post(f"/api/v1/{SITE}/comments", params={"uri": uri}, json={"text": text})


def thread_ids(client: httpx.Client, uri: str = URI) -> set[int]:
    page = client.get(f"/api/v1/{SITE}/comments", params={"uri": uri, "limit": 100})
    assert page.status_code == 200, page.text
    return {comment["id"] for comment in page.json()["comments"]}


def test_postgresql_restart_answers_503_then_recovers_without_a_server_restart(
    tmp_path: Path,
) -> None:
    with postgres_cluster() as cluster:
        env = talkback_env(cluster.url, tmp_path)
        run_cli(env, "migrate")
        run_cli(env, "site", "add", SITE, "--name", "The Durable Times", "--origin", ORIGIN)
        with (
            running_server(env, tmp_path / "server.log") as server,
            httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT) as client,
        ):
            acknowledged = set()
            for n in range(3):
                answer = post(client, f"Before the outage, note {n}: the pumps held.")
                assert answer.status_code == 201, answer.text
                acknowledged.add(answer.json()["comment"]["id"])

            cluster.stop()
            for n in range(OUTAGE_REQUESTS):
                assert_outage_answer(post(client, f"During the outage, note {n}."))
                fresh = client.get(
                    f"/api/v1/{SITE}/comments", params={"uri": f"/2026/11/outage-{n}"}
                )
                assert_outage_answer(fresh)
            assert client.get("/readyz").status_code == 503

            cluster.start()
            restarted = time.monotonic()
            refused_after_restart = 0
            for n in range(int(RECOVERY_BOUND / POLL)):
                answer = post(client, f"After the restart, attempt {n}: the pumps held.")
                if answer.status_code == 201:
                    acknowledged.add(answer.json()["comment"]["id"])
                    break
                assert_outage_answer(answer)
                refused_after_restart += 1
                time.sleep(POLL)
            else:
                raise AssertionError(f"no comment taken {RECOVERY_BOUND}s after the restart")
            recovery = time.monotonic() - restarted
            for n in range(AFTER_RECOVERY):
                answer = post(client, f"After recovery, note {n}: the pumps held.")
                assert answer.status_code == 201, answer.text
                acknowledged.add(answer.json()["comment"]["id"])
            assert thread_ids(client) == acknowledged
            assert client.get("/readyz").status_code == 200
            assert server.process.poll() is None, "the server stopped"
            server.stop()
    print(
        f"\n[postgresql outage] {OUTAGE_REQUESTS * 2} requests answered 503 during it; "
        f"first comment taken {recovery:.2f}s after PostgreSQL was back "
        f"({refused_after_restart} refused meanwhile); {len(acknowledged)} comments, all there"
    )


@dataclass
class LiveClient:
    """A widget's stream as EventSource keeps it: reconnect when it ends, and (as live.js
    does) reload the thread on every reconnection; what it learnt either way is kept."""

    url: str
    live: set[int] = field(default_factory=set)  # comment ids from comment.created events
    reloaded: set[int] = field(default_factory=set)  # ids seen in reloads after reconnecting
    streams: int = 0
    open: asyncio.Event = field(default_factory=asyncio.Event)
    ended_at: list[float] = field(default_factory=list)
    reloaded_at: list[float] = field(default_factory=list)

    @property
    def known(self) -> set[int]:
        return self.live | self.reloaded

    async def run(self, bound: int = 20) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=REQUEST_TIMEOUT) as client:
            for _ in range(bound):
                if self.streams:
                    page = await client.get(f"/api/v1/{SITE}/comments", params={"uri": URI})
                    if page.status_code != 200:
                        await asyncio.sleep(0.2)  # EventSource waits before retrying too
                        continue
                    self.reloaded |= {c["id"] for c in page.json()["comments"]}
                    self.reloaded_at.append(time.monotonic())
                with contextlib.suppress(httpx.TransportError):
                    await self._stream(client)
                self.open.clear()
                self.ended_at.append(time.monotonic())
                await asyncio.sleep(0.2)

    async def _stream(self, client: httpx.AsyncClient) -> None:
        received: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        async with client.stream(
            "GET", f"/api/v1/{SITE}/stream", params={"uri": URI},
            headers={"Origin": ORIGIN}, timeout=httpx.Timeout(REQUEST_TIMEOUT, read=None),
        ) as response:  # fmt: skip
            if response.status_code != 200:
                return
            self.streams += 1
            self.open.set()
            reader = asyncio.create_task(queue_events(response, received))
            try:
                while not reader.done() or not received.empty():
                    with contextlib.suppress(TimeoutError):
                        name, data = await asyncio.wait_for(received.get(), 0.5)
                        if name == "comment.created":
                            self.live.add(data["comment"]["id"])
            finally:
                reader.cancel()


async def until(condition: Any, what: str) -> float:
    """Wait (bounded) for `condition()`; the moment it held."""
    for _ in range(int(RECOVERY_BOUND / POLL)):
        if condition():
            return time.monotonic()
        await asyncio.sleep(POLL)
    raise AssertionError(f"not within {RECOVERY_BOUND}s: {what}")


async def redis_outage(urls: tuple[str, str], redis: RedisServer) -> dict[str, float]:
    """Streams open on both servers; Redis killed, a comment made, Redis back."""
    free, limited = urls  # rate limits off on the first, counted in Redis on the second
    clients = [LiveClient(url) for url in urls for _ in range(LIVE_CLIENTS)]
    tasks = [asyncio.create_task(c.run()) for c in clients]
    try:
        await asyncio.wait_for(asyncio.gather(*(c.open.wait() for c in clients)), 10)
        async with (
            httpx.AsyncClient(base_url=free, timeout=REQUEST_TIMEOUT) as on_free,
            httpx.AsyncClient(base_url=limited, timeout=REQUEST_TIMEOUT) as on_limited,
        ):
            comments = f"/api/v1/{SITE}/comments"
            before = await on_limited.post(
                comments, params={"uri": URI}, json={"text": "Before: the tide gauge is fixed."}
            )
            assert before.status_code == 201, before.text
            first = before.json()["comment"]["id"]
            await until(lambda: all(first in c.live for c in clients), "the first event")

            redis.kill()
            refused = await on_limited.post(
                comments, params={"uri": URI}, json={"text": "During: rate limits need Redis."}
            )
            assert_outage_answer(refused)
            during = await on_free.post(
                comments, params={"uri": URI}, json={"text": "During: the gauge reads high."}
            )
            assert during.status_code == 201, during.text
            missed = during.json()["comment"]["id"]
            await asyncio.sleep(0.5)
            assert not any(missed in c.live for c in clients), "published through a dead Redis?"

            redis.start()
            back = time.monotonic()
            caught_up = await until(
                lambda: all(missed in c.reloaded for c in clients), "every widget reloaded"
            )
            await asyncio.wait_for(asyncio.gather(*(c.open.wait() for c in clients)), 10)
            for attempt in range(int(RECOVERY_BOUND / POLL)):
                after = await on_limited.post(
                    comments, params={"uri": URI}, json={"text": f"After {attempt}: all clear."}
                )
                if after.status_code == 201:
                    break
                assert_outage_answer(after)
                await asyncio.sleep(POLL)
            limits_back = time.monotonic()
            latest = after.json()["comment"]["id"]
            live_again = await until(
                lambda: all(latest in c.live for c in clients), "live events again"
            )
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for client in clients:
        assert {first, missed, latest} <= client.known, f"a widget lost a comment: {client}"
        assert client.streams >= 2, "the stream was never ended and reopened"
    return {
        "reloaded": caught_up - back,
        "rate limits": limits_back - back,
        "live": live_again - back,
        "widgets": float(len(clients)),
    }


def test_redis_restart_with_open_streams_loses_no_comment_for_a_reconnecting_widget(
    tmp_path: Path,
) -> None:
    with redis_server() as redis:
        database = f"sqlite+aiosqlite:///{tmp_path / 'talkback.db'}"
        free = talkback_env(database, tmp_path) | {"TALKBACK_BROKER_URL": redis.url}
        limited = free | {"TALKBACK_RATE_LIMITS": "on"}
        run_cli(free, "migrate")
        run_cli(free, "site", "add", SITE, "--name", "The Durable Times", "--origin", ORIGIN)
        with (
            running_server(free, tmp_path / "free.log") as one,
            running_server(limited, tmp_path / "limited.log") as two,
        ):
            times = asyncio.run(redis_outage((one.url, two.url), redis))
            assert one.process.poll() is None
            assert two.process.poll() is None
            one.stop()
            two.stop()
    print(
        f"\n[redis outage] after Redis was back: {times['widgets']:.0f} widgets on two "
        f"processes reloaded within {times['reloaded']:.2f}s, rate-limited posts taken "
        f"after {times['rate limits']:.2f}s, live events arriving after {times['live']:.2f}s"
    )
