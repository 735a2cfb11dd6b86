"""`talkback serve --workers 2` (a real process, with the Redis broker several workers
need): a scrape, whichever worker answers it, counts the requests both workers served.

Which worker accepts a connection is the kernel's choice, so the test makes it: while one
worker is stopped (SIGSTOP), connections queue on the shared socket and only the other
accepts them. Each worker serves a known number of requests that way, then each, alone,
answers a scrape. No timing is asserted: if uvicorn's supervisor replaced a stopped worker
(its health check waits 5 s), the totals would still have to add up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from tests.conftest import port_open, skip_or_fail
from tests.durability.test_kill_nine import ServerProcess, run_cli, talkback_env
from tests.observability.conftest import Series, parse, value

REDIS_URL = "redis://127.0.0.1:6379/13"
SITE = "metrics"
ARTICLE = "/2026/12/count-me"
START_TIMEOUT = 90.0  # two workers each load the toxicity model on a shared 2-core machine
SERVED = (3, 5)  # page reads served by the first and by the second worker
PAGE_READS = "talkback_http_request_duration_seconds_count"
PAGE_LABELS = {"route": "/api/v1/{site}/comments", "method": "GET", "status": "2xx"}


class Workers(ServerProcess):
    """`talkback serve --workers 2` in a child process, its output in a log file."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        super().__init__(env, log_path, "--workers", "2")

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        with httpx.Client(base_url=self.url, timeout=5) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    pytest.fail(f"serve exited with {self.process.returncode}:\n{self.log_tail()}")
                with contextlib.suppress(httpx.TransportError):
                    ready = client.get("/readyz").status_code == 200
                    if ready and len(self.worker_pids()) == 2:
                        return
                time.sleep(0.2)
        pytest.fail(f"serve was not ready within {START_TIMEOUT}s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        """The children of `serve` that hold its listening socket: the workers (not any
        helper process a future `serve` may start)."""
        inode = listening_inode(self.port)
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [pid for pid in map(int, children.read_text().split()) if holds_socket(pid, inode)]


def listening_inode(port: int) -> str:
    """The inode of the socket listening on 127.0.0.1:`port` (from /proc/net/tcp)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, state, inode = fields[1], fields[3], fields[9]
        if state == "0A" and int(local.split(":")[1], 16) == port:
            return inode
    raise AssertionError(f"nothing listens on port {port}")


def holds_socket(pid: int, inode: str) -> bool:
    target = f"socket:[{inode}]"
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                if os.readlink(fd) == target:
                    return True
    return False


def metrics_directory(pid: int) -> Path:
    """The directory `serve` gave its workers, from a worker's environment."""
    variables = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    for variable in variables:
        name, _, setting = variable.partition(b"=")
        if name == b"PROMETHEUS_MULTIPROC_DIR":
            return Path(setting.decode())
    raise AssertionError("the worker has no PROMETHEUS_MULTIPROC_DIR")


@contextlib.contextmanager
def only(worker: int, workers: list[int]) -> Iterator[None]:
    """Every other worker stopped, so `worker` alone accepts connections."""
    others = [pid for pid in workers if pid != worker]
    for pid in others:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in others:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def scrape(url: str) -> Series:
    with httpx.Client(base_url=url, timeout=30) as client:  # a new connection
        response = client.get("/metrics")  # from loopback: no token needed
    assert response.status_code == 200, response.text
    return parse(response.text)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    if not port_open("127.0.0.1", 6379):
        skip_or_fail("Redis is not reachable on 127.0.0.1:6379")
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = talkback_env(f"sqlite+aiosqlite:///{tmp_path / 'talkback.db'}", tmp_path)
    env["TALKBACK_BROKER_URL"] = REDIS_URL
    run_cli(env, "migrate")
    run_cli(env, "site", "add", SITE, "--name", "Metrics", "--origin", "https://m.example")
    server = Workers(env, tmp_path / "serve.log")
    try:
        server.wait_ready()
        yield server
    finally:
        server.close()
        redis.Redis.from_url(REDIS_URL).flushdb()


def test_a_scrape_on_either_worker_counts_both_workers_requests(workers: Workers) -> None:
    pids = workers.worker_pids()
    assert len(pids) == 2
    directory = metrics_directory(pids[0])
    assert directory.is_dir()
    for pid, reads in zip(pids, SERVED, strict=True):
        with only(pid, pids), httpx.Client(base_url=workers.url, timeout=30) as client:
            for _ in range(reads):
                response = client.get(f"/api/v1/{SITE}/comments", params={"uri": ARTICLE})
                assert response.status_code == 200, response.text
    for pid in pids:  # each worker, alone, reports what both served
        with only(pid, pids):
            assert value(scrape(workers.url), PAGE_READS, **PAGE_LABELS) == sum(SERVED)
    workers.stop()
    assert not directory.exists(), "serve leaves its metrics directory behind"
