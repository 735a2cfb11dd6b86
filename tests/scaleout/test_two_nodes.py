"""Two `talkback serve` processes on one PostgreSQL database and one Redis behave as one
server: a comment posted on one reaches a stream open on the other, a rate limit reached
on one holds on the other, and a settings change made on one applies on the other within a
second. And several workers without a shared broker are refused, not silently split.

The servers are real OS processes set up by the real CLI (the durability test's
`ServerProcess`); Redis database 12 is theirs alone (its channels too: their names carry
the database number) and is emptied before and after.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager, ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from tests import sse
from tests.conftest import port_open, skip_or_fail, throwaway_postgres_database
from tests.durability.test_kill_nine import (
    TALKBACK,
    ServerProcess,
    free_port,
    running_server,
    talkback_env,
)
from tests.sse import Event

REDIS_URL = "redis://127.0.0.1:6379/12"
SITE = "twin"  # comments and rate limits
SETTINGS_SITE = "twin-desk"  # settings changes (kept apart: it ends pre-moderated)
ORIGIN = "https://twin.example"
ARTICLE = "/2026/12/harbour-vote"
ADMIN = "desk@twin.example"
PASSWORD = "a long enough password for the desk"
POSTS_PER_READER_MINUTE = 5  # moderation/rate_limits.py POSTS_PER_READER
NOTICE_BOUND = 1.0  # seconds within which a change made on one node applies on the other
CACHE_BOUND = 12.0  # sites.CACHE_SECONDS and a margin, for changes no broker carries


@dataclass
class Pair:
    a: ServerProcess
    b: ServerProcess
    env: dict[str, str]


def talkback(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(TALKBACK), *args], env=env, input=stdin, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"talkback {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def empty_redis() -> Iterator[str]:
    if not port_open("127.0.0.1", 6379):
        skip_or_fail("Redis is not reachable on 127.0.0.1:6379")
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    try:
        yield REDIS_URL
    finally:
        client.flushdb()
        client.close()


@pytest.fixture(scope="module")
def pair(empty_redis: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """Two nodes, rate limits on, sharing a fresh PostgreSQL database and Redis."""
    tmp = tmp_path_factory.mktemp("scaleout")
    with ExitStack() as stack:
        database_url = stack.enter_context(throwaway_postgres_database("talkback_scaleout"))
        env = talkback_env(database_url, tmp)
        env.update(
            TALKBACK_BROKER_URL=empty_redis, TALKBACK_RATE_LIMITS="on",
            TALKBACK_OUTBOX_WORKER="off",
            # The test plays the proxy in front: it says who the reader is.
            TALKBACK_TRUSTED_PROXIES="127.0.0.1",
        )  # fmt: skip
        talkback(env, "migrate")
        for site in (SITE, SETTINGS_SITE):
            talkback(env, "site", "add", site, "--name", "The Twin", "--origin", ORIGIN)
        talkback(env, "user", "add", ADMIN, "--role", "admin", "--password-stdin", stdin=PASSWORD)
        a = stack.enter_context(running_server(env, tmp / "a.log"))
        b = stack.enter_context(running_server(env, tmp / "b.log"))
        yield Pair(a, b, env)


def stream(url: str) -> AbstractAsyncContextManager[asyncio.Queue[Event]]:
    """The article's event stream on one node, read into a queue by a background task."""
    return sse.listening(url, site=SITE, uri=ARTICLE, origin=ORIGIN)


async def post(url: str, text: str, reader_ip: str) -> httpx.Response:
    """A comment from the reader at `reader_ip` (as the proxy in front would say)."""
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(
            f"{url}/api/v1/{SITE}/comments", params={"uri": ARTICLE}, json={"text": text},
            headers={"Origin": ORIGIN, "X-Forwarded-For": reader_ip},
        )  # fmt: skip


async def public_settings(url: str, site: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(f"{url}/api/v1/{site}/config")
        assert response.status_code == 200, response.text
        settings: dict[str, Any] = response.json()["site"]
        return settings


async def applies_within(url: str, site: str, expected: dict[str, Any], bound: float) -> bool:
    """Whether the node's public settings show `expected` within `bound` seconds."""
    deadline = time.monotonic() + bound
    while True:
        settings = await public_settings(url, site)
        if all(settings[key] == value for key, value in expected.items()):
            return True
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)


async def test_a_comment_posted_on_one_node_reaches_a_stream_on_the_other(pair: Pair) -> None:
    async with stream(pair.b.url) as events:
        posted = await post(pair.a.url, "Posted through the first node.", "198.51.100.1")
        assert posted.status_code == 201, posted.text
        name, data = await asyncio.wait_for(events.get(), 10)
    assert name == "comment.created"
    assert data["comment"]["id"] == posted.json()["comment"]["id"]
    assert data["comment"]["html"] == "<p>Posted through the first node.</p>"


async def test_a_rate_limit_reached_on_one_node_holds_on_the_other(pair: Pair) -> None:
    reader, other_reader = "198.51.100.2", "198.51.100.3"
    answers = []
    for n in range(POSTS_PER_READER_MINUTE + 1):
        response = await post(pair.a.url, f"Comment number {n} on the vote.", reader)
        answers.append(response.status_code)
    # Taken (published, or held by the flood check: 202), then refused by the limit.
    assert set(answers[:-1]) <= {201, 202}, answers
    assert answers[-1] == 429, answers

    on_b = await post(pair.b.url, "And one more through the second node.", reader)
    assert on_b.status_code == 429, on_b.text
    assert on_b.json()["error"]["code"] == "rate_limited"
    assert int(on_b.headers["retry-after"]) >= 1
    # The second node is not refusing everyone: another reader still posts there.
    other = await post(pair.b.url, "A different reader on the second node.", other_reader)
    assert other.status_code == 201, other.text


async def test_a_settings_change_on_one_node_applies_on_the_other_within_a_second(
    pair: Pair,
) -> None:
    # A change no broker carries (`site set` with memory://) reaches node B only when its
    # cached copy expires: once B shows it, B has just read the site, and its next
    # re-read is CACHE_SECONDS away. Only a notice can bring the next change within 1 s.
    quiet = {**pair.env, "TALKBACK_BROKER_URL": "memory://"}
    output = talkback(quiet, "site", "set", SETTINGS_SITE, "edit_window", "600")
    assert "no broker told them" in output
    assert await applies_within(pair.b.url, SETTINGS_SITE, {"edit_window_seconds": 600},
                                CACHE_BOUND)  # fmt: skip

    async with httpx.AsyncClient(base_url=pair.a.url, timeout=30) as admin:
        login = await admin.post(
            "/api/v1/admin/login", json={"email": ADMIN, "password": PASSWORD},
            headers={"Origin": pair.a.url},
        )  # fmt: skip
        assert login.status_code == 200, login.text
        changed = await admin.patch(
            f"/api/v1/admin/{SETTINGS_SITE}/settings",
            json={"edit_window_seconds": 120, "moderation": {"mode": "pre"}},
            headers={"Origin": pair.a.url, "X-CSRF-Token": login.json()["csrf_token"]},
        )
        assert changed.status_code == 200, changed.text
    expected = {"edit_window_seconds": 120, "moderation_mode": "pre"}
    assert await applies_within(pair.b.url, SETTINGS_SITE, expected, NOTICE_BOUND)

    # The command line in a third process, with the broker: both nodes hear of it.
    output = talkback(pair.env, "site", "set", SETTINGS_SITE, "guest_identity", "name")
    assert "running servers told" in output
    for node in (pair.a, pair.b):
        assert await applies_within(node.url, SETTINGS_SITE, {"guest_identity": "name"},
                                    NOTICE_BOUND)  # fmt: skip


def test_several_workers_without_a_shared_broker_are_refused(tmp_path: Path) -> None:
    env = talkback_env(f"sqlite+aiosqlite:///{tmp_path / 'talkback.db'}", tmp_path)
    done = subprocess.run(
        [str(TALKBACK), "serve", "--port", str(free_port()), "--workers", "2"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stdout + done.stderr
    message = " ".join(done.stderr.split())
    assert "--workers 2 needs a broker the workers share" in message
    assert "live updates" in message
    assert "rate limits" in message
    assert "TALKBACK_BROKER_URL=redis://" in message
    assert "--workers 1" in message
    assert "Uvicorn running" not in done.stdout + done.stderr
