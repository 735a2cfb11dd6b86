"""An acknowledged write is never lost: kill -9 the server mid-load, restart it, and every
comment that was answered 201 is there, with thread counts that agree with the comments.

The server runs as a real OS process (`talkback serve`), set up by the real CLI, so the
kill takes down the process with whatever it had queued, written or half-committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
import pytest

SITE = "durable"
ORIGIN = "https://durable.example"
SECRET = "durability-test-secret-key"
THREADS = tuple(f"/2026/11/barrier-report-{n}" for n in range(4))

WORKERS = 16
KILL_AFTER = 200  # acknowledged comments before the kill
MAX_POSTS_PER_WORKER = 400  # a bound on the load should the kill never come
LOAD_TIMEOUT = 30.0  # seconds to reach KILL_AFTER; the kill comes then regardless
REQUEST_TIMEOUT = 15.0
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
PAGE_SIZE = 100

TALKBACK = Path(sys.executable).parent / "talkback"
COMMAND: tuple[str, ...] = (str(TALKBACK),)
"""How the tests run Talkback: the installed script, as an operator would."""


@dataclass(frozen=True, slots=True)
class Acknowledged:
    uri: str
    text: str
    html: str


@dataclass
class LoadOutcome:
    acknowledged: dict[int, Acknowledged] = field(default_factory=dict)
    in_flight: int = 0
    in_flight_at_kill: int = 0
    acknowledged_at_kill: int = 0
    acknowledged_after_kill: int = 0
    failed_by_kill: int = 0
    errors_before_kill: list[str] = field(default_factory=list)
    not_created: list[str] = field(default_factory=list)
    killed: bool = False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def talkback_env(database_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALKBACK_")}
    env.update(
        TALKBACK_DATABASE_URL=database_url,
        TALKBACK_SECRET_KEY=SECRET,
        TALKBACK_RATE_LIMITS="off",
        TALKBACK_DATA_DIR=str(data_dir),
        TALKBACK_BROKER_URL="memory://",
    )
    return env


def run_cli(env: dict[str, str], *args: str, command: Sequence[str] = COMMAND) -> None:
    done = subprocess.run(
        [*command, *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, f"talkback {' '.join(args)}: {done.stdout}{done.stderr}"


class ServerProcess:
    """`talkback serve` in a child process, its output in a log file; `options` are more
    of serve's (`--workers 2`)."""

    def __init__(
        self, env: dict[str, str], log_path: Path, *options: str, command: Sequence[str] = COMMAND
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log: IO[bytes] = log_path.open("ab")
        self.process = subprocess.Popen(
            [*command, "serve", "--host", "127.0.0.1", "--port", str(self.port), *options],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log_tail(self, chars: int = 3000) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-chars:]

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        with httpx.Client(base_url=self.url, timeout=2) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    pytest.fail(f"server exited with {self.process.returncode}:\n{self.log_tail()}")
                try:
                    if client.get("/healthz").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        pytest.fail(f"server did not answer /healthz within {START_TIMEOUT}s:\n{self.log_tail()}")

    def kill_nine(self) -> None:
        self.process.send_signal(signal.SIGKILL)

    def stop(self) -> None:
        """Shut the server down as an operator would (SIGTERM) and check it went cleanly.

        Uvicorn re-raises the signal once it has shut down, so -SIGTERM is a clean exit too.
        """
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=STOP_TIMEOUT)
        assert code in (0, -signal.SIGTERM), f"exit {code}:\n{self.log_tail()}"
        assert "Application shutdown complete" in self.log_tail(), self.log_tail()

    def close(self) -> None:
        """Never leave a server behind, whatever happened."""
        try:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)
        finally:
            self._log.close()


@contextmanager
def running_server(
    env: dict[str, str], log_path: Path, command: Sequence[str] = COMMAND
) -> Iterator[ServerProcess]:
    server = ServerProcess(env, log_path, command=command)
    try:
        server.wait_healthy()
        yield server
    finally:
        server.close()


async def post_until_killed(server: ServerProcess) -> LoadOutcome:
    """WORKERS clients post distinct, civil comments; once KILL_AFTER are acknowledged (or
    LOAD_TIMEOUT passes) the server gets SIGKILL while requests are still in flight."""
    outcome = LoadOutcome()
    killed = asyncio.Event()

    async def worker(number: int) -> None:
        async with httpx.AsyncClient(base_url=server.url, timeout=REQUEST_TIMEOUT) as client:
            for n in range(MAX_POSTS_PER_WORKER):
                if killed.is_set():
                    return
                uri = THREADS[(number + n) % len(THREADS)]
                text = f"Reader {number} note {n}: the barrier report was clear, thank you."
                outcome.in_flight += 1
                try:
                    response = await client.post(
                        f"/api/v1/{SITE}/comments", params={"uri": uri}, json={"text": text}
                    )
                except httpx.TransportError as exc:
                    if killed.is_set():
                        outcome.failed_by_kill += 1
                    else:
                        outcome.errors_before_kill.append(f"{type(exc).__name__}: {exc}")
                    return
                finally:
                    outcome.in_flight -= 1
                if response.status_code != 201:
                    outcome.not_created.append(f"{response.status_code} {response.text[:200]}")
                    continue
                comment = response.json()["comment"]
                outcome.acknowledged[comment["id"]] = Acknowledged(uri, text, comment["html"])
                if killed.is_set():
                    outcome.acknowledged_after_kill += 1
                elif len(outcome.acknowledged) >= KILL_AFTER:
                    kill()  # at once, so the kill lands right behind an acknowledgement

    def kill() -> None:
        if killed.is_set() or server.process.poll() is not None:
            return
        outcome.in_flight_at_kill = outcome.in_flight
        outcome.acknowledged_at_kill = len(outcome.acknowledged)
        server.kill_nine()
        outcome.killed = True
        killed.set()

    async def watchdog() -> None:
        """The kill comes after LOAD_TIMEOUT even if the load is slow."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(killed.wait(), LOAD_TIMEOUT)
        kill()

    await asyncio.wait_for(
        asyncio.gather(watchdog(), *(worker(n) for n in range(WORKERS))),
        LOAD_TIMEOUT + REQUEST_TIMEOUT + 10,
    )
    return outcome


@dataclass
class ThreadSeen:
    count: int
    comments: dict[int, str]  # id -> html


async def read_thread(client: httpx.AsyncClient, uri: str, bound: int) -> ThreadSeen:
    """Every top-level comment of a thread, page by page, following next_cursor."""
    seen: dict[int, str] = {}
    counts: set[int] = set()
    cursor: str | None = None
    for _ in range(bound // PAGE_SIZE + 3):
        params: dict[str, str | int] = {"uri": uri, "sort": "oldest", "limit": PAGE_SIZE}
        if cursor is not None:
            params["cursor"] = cursor
        response = await client.get(f"/api/v1/{SITE}/comments", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        counts.add(body["thread"]["count"])
        for comment in body["comments"]:
            assert comment["id"] not in seen, f"{uri}: comment {comment['id']} on two pages"
            seen[comment["id"]] = comment["html"]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    else:
        pytest.fail(f"{uri}: still paging after {bound // PAGE_SIZE + 3} pages")
    assert len(counts) == 1, f"{uri}: the thread count changed between pages: {counts}"
    return ThreadSeen(counts.pop(), seen)


async def read_all_threads(url: str, bound: int) -> dict[str, ThreadSeen]:
    async with httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT) as client:
        return {uri: await read_thread(client, uri, bound) for uri in THREADS}


def test_every_acknowledged_comment_survives_kill_nine(
    durable_database: str, tmp_path: Path
) -> None:
    backend = durable_database.split("+", 1)[0]
    env = talkback_env(durable_database, tmp_path)
    run_cli(env, "migrate")
    run_cli(env, "site", "add", SITE, "--name", "The Durable Times", "--origin", ORIGIN)

    log_path = tmp_path / "server.log"
    with running_server(env, log_path) as server:
        outcome = asyncio.run(post_until_killed(server))
        assert server.process.wait(timeout=STOP_TIMEOUT) == -signal.SIGKILL
    assert outcome.killed, f"the server died before the kill:\n{log_path.read_text()[-3000:]}"
    assert not outcome.errors_before_kill, outcome.errors_before_kill[:5]
    assert not outcome.not_created, outcome.not_created[:5]
    assert outcome.acknowledged_at_kill >= KILL_AFTER, "the load never got going"
    assert outcome.in_flight_at_kill > 0, "nothing was in flight at the kill"

    bound = MAX_POSTS_PER_WORKER * WORKERS
    with running_server(env, log_path) as server:
        threads = asyncio.run(read_all_threads(server.url, bound))
        server.stop()

    missing: list[str] = []
    altered: list[str] = []
    for comment_id, posted in sorted(outcome.acknowledged.items()):
        found = threads[posted.uri].comments
        if comment_id not in found:
            missing.append(f"#{comment_id} {posted.uri} {posted.text!r}")
        elif found[comment_id] != posted.html or posted.text not in found[comment_id]:
            altered.append(f"#{comment_id} {posted.text!r} -> {found[comment_id]!r}")
    present = sum(len(seen.comments) for seen in threads.values())
    print(
        f"\n[{backend}] acknowledged {len(outcome.acknowledged)} "
        f"({outcome.acknowledged_at_kill} at the kill, {outcome.acknowledged_after_kill} "
        f"answered after it), in flight at the kill {outcome.in_flight_at_kill}, "
        f"failed by the kill {outcome.failed_by_kill}, found after restart {present} "
        f"({present - len(outcome.acknowledged) + len(missing)} committed, never acknowledged), "
        f"missing {len(missing)}"
    )
    assert not missing, f"{backend}: {len(missing)} acknowledged comments lost: {missing[:20]}"
    assert not altered, f"{backend}: acknowledged comments changed: {altered[:20]}"
    for uri, seen in threads.items():
        assert seen.count == len(seen.comments), (
            f"{backend} {uri}: thread count {seen.count} but {len(seen.comments)} comments"
        )
