"""SSE fan-out: how long one new comment takes to reach every open stream, and what an
open stream costs the server in memory.

Run: `.venv/bin/python bench/sse_fanout.py [--clients 1000] [--rounds 5] [--nodes 1 2]
[--backend sqlite|postgresql] [--redis-url redis://127.0.0.1:6379/14]`.

Why it is built this way:
- The servers are real `talkback serve` processes (uvicorn, its event loop and HTTP
  parser, the middleware, sse-starlette), because what a stream costs is mostly theirs.
  One node runs with the default `memory://` broker; two nodes share one database and a
  Redis broker (db 14 by default, flushed before and after), with the clients split
  evenly between them, and the comment is always posted on the first node.
- The client is one asyncio process holding every connection as a bare `asyncio.Protocol`
  that stamps the moment the comment's unique token shows in the bytes it receives. No
  HTTP library parses the stream, so on two shared cores the client costs the server as
  little CPU as a client can. It is bounded: `--clients` connections, opened
  `--connect-concurrency` at a time, every wait with a timeout.
- A round: every client waits for a fresh token, the clock starts, the comment is posted
  with that token in its text, and the round ends when every client has seen the token.
  Arrival is measured from the moment the POST was sent, so it includes the post itself
  (validation, moderation with the real classifier, the commit); the POST's own answer
  time is printed beside it. A warm-up round (not reported) proves every stream is
  subscribed before anything is timed.
- Memory per open stream is (RSS with N streams open, after the warm-up round - RSS with
  none) / N, per server process. RSS moves in pages and allocator arenas, so it is a
  rough figure; the larger --clients, the steadier.
- Finally SIGTERM goes to the servers with every stream still open: the time until each
  process has exited, and how many streams ended with the closing chunk of a clean HTTP
  response rather than a reset, show whether shutdown closes streams or waits on them.

A server holding N streams needs N file descriptors beyond its usual few dozen: this
script raises its own soft limit (the servers inherit it), but a deployment must allow it
(`ulimit -n`, systemd's LimitNOFILE; docs/deploy.md). Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import redis
from rich.console import Console
from rich.table import Table

from thread_read import bounded_int, fresh_database

SITE = "bench"
ORIGIN = "https://news.example"
ARTICLE = "/fanout"
SECRET_KEY = "bench-only-secret-key-not-for-any-deployment"
REDIS_URL = "redis://127.0.0.1:6379/14"
RESULTS_DIR = Path(__file__).parent / "results"
SPARE_DESCRIPTORS = 256  # sockets, database files, Redis, the model's files
CLEAN_END = b"0\r\n\r\n"  # the last chunk of a chunked HTTP body


class BenchError(RuntimeError):
    """A stream missed an event or a server misbehaved: no figure of this run is valid."""


# ---------------------------------------------------------------------------- servers


def raise_descriptor_limit(needed: int) -> int:
    """Raise this process's soft limit of open files (children inherit it); the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return soft
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise BenchError(f"{needed} open files needed, the hard limit is {hard}: raise it")
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    return needed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def talkback_env(database_url: str, broker_url: str) -> dict[str, str]:
    """The servers' environment: every address Talkback could reach set here, none inherited."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TALKBACK_")}
    env.update(
        TALKBACK_DATABASE_URL=database_url,
        TALKBACK_BROKER_URL=broker_url,
        TALKBACK_SECRET_KEY=SECRET_KEY,
        TALKBACK_RATE_LIMITS="off",
        TALKBACK_PUBLIC_URL="http://127.0.0.1",
        TALKBACK_STRIPE_API_BASE="http://127.0.0.1:9",
    )
    return env


def talkback(env: dict[str, str], *args: str) -> None:
    """Run one `talkback` command to completion, as an operator would."""
    subprocess.run(
        [sys.executable, "-m", "talkback", *args], env=env, check=True, capture_output=True
    )


@dataclass
class Node:
    """One `talkback serve` process."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss(self) -> int:
        return int(psutil.Process(self.process.pid).memory_info().rss)

    def cpu_seconds(self) -> float:
        """CPU time of all the process's threads, to the nanosecond where Linux tells it
        (/proc/PID/task/*/schedstat); psutil's figure moves in 10 ms ticks."""
        tasks = Path(f"/proc/{self.process.pid}/task")
        if tasks.is_dir():
            total = 0
            for task in tasks.iterdir():
                with contextlib.suppress(FileNotFoundError):  # a thread that just ended
                    total += int((task / "schedstat").read_text().split()[0])
            return total / 1e9
        times = psutil.Process(self.process.pid).cpu_times()
        return float(times.user + times.system)

    def log_tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])

    async def wait_ready(self, within: float = 60) -> None:
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise BenchError(f"node {self.name} exited:\n{self.log_tail()}")
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return
                await asyncio.sleep(0.2)
        raise BenchError(f"node {self.name} did not answer /healthz in {within} s")

    async def terminate(self, within: float = 60) -> float:
        """SIGTERM, then the seconds until the process exited (killed after `within`)."""
        started = time.perf_counter()
        self.process.send_signal(signal.SIGTERM)
        try:
            await asyncio.to_thread(self.process.wait, within)
        except subprocess.TimeoutExpired:
            self.process.kill()
            await asyncio.to_thread(self.process.wait)
            return float("inf")
        return time.perf_counter() - started


def start_node(name: str, env: dict[str, str], folder: Path) -> Node:
    port = free_port()
    log = folder / f"node-{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "talkback", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return Node(name, port, process, log)


# ---------------------------------------------------------------------------- clients


@dataclass(eq=False)
class StreamClient(asyncio.Protocol):
    """One open SSE stream, read as raw bytes: when did the awaited token arrive?"""

    request: bytes
    opened: asyncio.Future[None]
    transport: asyncio.Transport | None = None
    head: bytes = b""
    tail: bytes = b""
    expected: bytes | None = None
    on_arrival: Callable[[], None] | None = None
    arrived_at: float = 0.0
    pings: int = 0
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    ended_cleanly: bool = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        if not self.opened.done():
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            if not self.head.startswith(b"HTTP/1.1 200"):
                self.opened.set_exception(BenchError(self.head[:200].decode(errors="replace")))
                return
            data = self.head[end + 4 :]
            self.opened.set_result(None)
        self.pings += data.count(b": ping")
        window = self.tail + data
        if self.expected is not None and self.expected in window:
            self.expected = None
            self.arrived_at = now
            if self.on_arrival is not None:
                self.on_arrival()
        self.tail = window[-64:]

    def connection_lost(self, exc: Exception | None) -> None:
        self.ended_cleanly = exc is None and self.tail.endswith(CLEAN_END)
        if not self.opened.done():
            self.opened.set_exception(BenchError("connection closed before the headers"))
        self.closed.set()

    def expect(self, token: bytes, on_arrival: Callable[[], None]) -> None:
        self.arrived_at = 0.0
        self.expected = token
        self.on_arrival = on_arrival

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def stream_request(port: int) -> bytes:
    return (
        f"GET /api/v1/{SITE}/stream?uri={ARTICLE} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\nOrigin: {ORIGIN}\r\nAccept: text/event-stream\r\n\r\n"
    ).encode()


async def open_streams(nodes: Sequence[Node], count: int, concurrency: int) -> list[StreamClient]:
    """`count` streams spread evenly over `nodes`, `concurrency` handshakes at a time."""
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(concurrency)

    async def open_one(node: Node) -> StreamClient:
        async with gate:
            client = StreamClient(stream_request(node.port), loop.create_future())
            await loop.create_connection(lambda: client, "127.0.0.1", node.port)
            await asyncio.wait_for(client.opened, 30)
            return client

    return list(await asyncio.gather(*(open_one(nodes[n % len(nodes)]) for n in range(count))))


# ----------------------------------------------------------------------------- rounds


@dataclass
class RoundResult:
    acked_ms: float
    arrivals_ms: list[float]  # per client, in client order

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.arrivals_ms)
        return {
            "post_answered_ms": self.acked_ms,
            "first_ms": ordered[0],
            "p50_ms": statistics.median(ordered),
            "p99_ms": statistics.quantiles(ordered, n=100)[98] if len(ordered) > 1 else ordered[0],
            "last_ms": ordered[-1],
        }


async def fan_out_round(
    poster: httpx.AsyncClient, clients: Sequence[StreamClient], within: float
) -> RoundResult:
    """Post one comment carrying a fresh token; wait until every stream has shown it."""
    token = f"fanout-{uuid.uuid4().hex}"
    everyone = asyncio.Event()
    remaining = len(clients)

    def arrived() -> None:
        nonlocal remaining
        remaining -= 1
        if remaining == 0:
            everyone.set()

    for client in clients:
        client.expect(token.encode(), arrived)
    started = time.perf_counter()
    response = await poster.post(
        f"/api/v1/{SITE}/comments", params={"uri": ARTICLE},
        json={"text": f"A fine point, well made. {token}", "author_name": "Bench"},
    )  # fmt: skip
    acked = time.perf_counter()
    if response.status_code != 201:
        raise BenchError(f"posting answered {response.status_code}: {response.text[:300]}")
    try:
        await asyncio.wait_for(everyone.wait(), within)
    except TimeoutError:
        raise BenchError(
            f"{remaining} of {len(clients)} streams did not receive the comment in {within} s"
        ) from None
    return RoundResult(
        (acked - started) * 1000, [(client.arrived_at - started) * 1000 for client in clients]
    )


# --------------------------------------------------------------------------- scenario


@dataclass
class Scenario:
    nodes: int
    broker: str  # "memory" or "redis"

    @property
    def label(self) -> str:
        where = "1 node" if self.nodes == 1 else f"{self.nodes} nodes"
        return f"{where}, {'memory://' if self.broker == 'memory' else 'Redis'}"


def flush_redis(url: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


async def run_scenario(
    scenario: Scenario, args: argparse.Namespace, console: Console
) -> dict[str, Any]:
    broker_url = args.redis_url if scenario.broker == "redis" else "memory://"
    if scenario.broker == "redis":
        flush_redis(broker_url)
    async with fresh_database(args.backend) as database_url:
        with tempfile.TemporaryDirectory(prefix="talkback-fanout-") as tmp:
            env = talkback_env(database_url, broker_url)
            talkback(env, "migrate")
            talkback(env, "site", "add", SITE, "--name", "Bench", "--origin", ORIGIN)
            names = "ABCDEFGH"[: scenario.nodes]
            nodes = [start_node(name, env, Path(tmp)) for name in names]
            try:
                return await measure(scenario, nodes, args, console)
            finally:
                for node in nodes:
                    if node.process.poll() is None:
                        node.process.kill()
                        node.process.wait()
                if scenario.broker == "redis":
                    flush_redis(broker_url)


async def measure(
    scenario: Scenario, nodes: list[Node], args: argparse.Namespace, console: Console
) -> dict[str, Any]:
    for node in nodes:
        await node.wait_ready()
    async with httpx.AsyncClient(base_url=nodes[0].url, timeout=60) as poster:
        # The first post loads the classifier; the model's memory belongs to the baseline.
        first = await poster.post(
            f"/api/v1/{SITE}/comments", params={"uri": ARTICLE}, json={"text": "Warming up."}
        )
        if first.status_code != 201:
            raise BenchError(f"warm-up post answered {first.status_code}: {first.text[:300]}")
        await asyncio.sleep(1)
        idle_rss = [node.rss() for node in nodes]
        pids = ", ".join(f"{node.name} pid {node.process.pid}" for node in nodes)
        console.print(f"[bold]{scenario.label}[/] ({pids}): opening {args.clients} streams")
        clients = await open_streams(nodes, args.clients, args.connect_concurrency)
        await asyncio.sleep(1)  # each stream subscribes just after its headers go out
        await fan_out_round(poster, clients, args.timeout)  # warm-up: proves every subscription
        await asyncio.sleep(0.5)
        open_rss = [node.rss() for node in nodes]
        rounds = []
        cpu_ms: list[list[float]] = [[] for _ in nodes]  # per node, per round
        for _ in range(args.rounds):
            cpu_before = [node.cpu_seconds() for node in nodes]
            rounds.append(await fan_out_round(poster, clients, args.timeout))
            for n, node in enumerate(nodes):
                cpu_ms[n].append((node.cpu_seconds() - cpu_before[n]) * 1000)
            await asyncio.sleep(args.pause)
        per_node = {
            node.name: [
                RoundResult(r.acked_ms, r.arrivals_ms[i :: len(nodes)]).summary() for r in rounds
            ]
            for i, node in enumerate(nodes)
        }
        shutdown_s = await asyncio.gather(*(node.terminate() for node in nodes))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(c.closed.wait() for c in clients)), 10)
        clean = sum(client.ended_cleanly for client in clients)
        for client in clients:
            client.close()
    streams_per_node = [len(range(i, args.clients, len(nodes))) for i in range(len(nodes))]
    return {
        "scenario": scenario.label,
        "nodes": scenario.nodes,
        "broker": scenario.broker,
        "backend": args.backend,
        "clients": args.clients,
        "rounds": [r.summary() for r in rounds],
        "rounds_per_node": per_node,
        "server_cpu_ms": cpu_ms,
        "rss_idle_mib": [rss / 2**20 for rss in idle_rss],
        "rss_open_mib": [rss / 2**20 for rss in open_rss],
        "kib_per_stream": [
            (after - before) / 1024 / count
            for before, after, count in zip(idle_rss, open_rss, streams_per_node, strict=True)
        ],
        "shutdown_s": shutdown_s,
        "streams_ended_cleanly": clean,
    }


# ---------------------------------------------------------------------------- reports


def report(result: dict[str, Any], console: Console) -> None:
    table = Table(title=f"{result['scenario']}, {result['clients']} streams ({result['backend']})")
    for heading in ("round", "POST answered ms", "first ms", "p50 ms", "p99 ms", "last ms"):
        table.add_column(heading, justify="right")
    for n, row in enumerate(result["rounds"], 1):
        table.add_row(
            str(n), *(f"{row[key]:.1f}" for key in
                      ("post_answered_ms", "first_ms", "p50_ms", "p99_ms", "last_ms")),
        )  # fmt: skip
    console.print(table)
    lasts = [row["last_ms"] for row in result["rounds"]]
    console.print(
        f"  last stream reached: median {statistics.median(lasts):.1f} ms, "
        f"worst {max(lasts):.1f} ms over {len(lasts)} rounds"
    )
    cpu = " + ".join(f"{statistics.median(ms):.1f}" for ms in result["server_cpu_ms"])
    console.print(f"  server CPU per round (post and fan-out), median, each node: {cpu} ms")
    if result["nodes"] > 1:
        for name, rows in result["rounds_per_node"].items():
            median_last = statistics.median(row["last_ms"] for row in rows)
            console.print(f"  node {name}: median of its last arrival {median_last:.1f} ms")
    for n, (idle, busy, kib) in enumerate(
        zip(result["rss_idle_mib"], result["rss_open_mib"], result["kib_per_stream"], strict=True)
    ):
        console.print(
            f"  node {'ABCDEFGH'[n]}: RSS {idle:.1f} MiB idle, {busy:.1f} MiB with its streams "
            f"open: {kib:.1f} KiB per open stream"
        )
    shutdown = ", ".join(f"{seconds:.2f} s" for seconds in result["shutdown_s"])
    console.print(
        f"  SIGTERM with every stream open: exited in {shutdown}; "
        f"{result['streams_ended_cleanly']}/{result['clients']} streams ended cleanly"
    )


def write_json(result: dict[str, Any], label: str) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"sse_fanout-{label}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=bounded_int(1, 20_000), default=1000)
    parser.add_argument("--rounds", type=bounded_int(1, 100), default=5)
    parser.add_argument(
        "--nodes", type=int, nargs="+", choices=(1, 2), default=[1, 2],
        help="scenarios to run: 1 (memory:// broker unless --one-node-broker redis), 2 (Redis)",
    )  # fmt: skip
    parser.add_argument("--one-node-broker", choices=("memory", "redis"), default="memory")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--redis-url", default=REDIS_URL, help="flushed before and after")
    parser.add_argument("--connect-concurrency", type=bounded_int(1, 1000), default=100)
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between rounds")
    parser.add_argument("--timeout", type=float, default=30, help="seconds a round may take")
    parser.add_argument("--label", default="", help="suffix of the results file")
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> int:
    console = Console(highlight=False)
    limit = raise_descriptor_limit(args.clients + SPARE_DESCRIPTORS)
    console.print(
        f"open-file limit {limit}; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    for nodes in args.nodes:
        broker = args.one_node_broker if nodes == 1 else "redis"
        result = await run_scenario(Scenario(nodes, broker), args, console)
        report(result, console)
        suffix = f"{nodes}node-{broker}" + (f"-{args.label}" if args.label else "")
        console.print(f"  results: {write_json(result, suffix)}\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
