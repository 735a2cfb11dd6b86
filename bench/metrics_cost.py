"""What the request-metrics middleware costs per request, in process.

Run: `.venv/bin/python bench/metrics_cost.py [--requests 100000] [--rounds 7]`.

A bare Starlette app with one route templated like the read hot path
(`/api/v1/{site}/comments`, answering fixed bytes) is called directly as an ASGI app,
with and without `RequestMetricsMiddleware`, in alternating rounds; the median CPU time
per request of each is compared: the difference is the middleware's cost. CPU time (not
wall time) because the machine is shared: waiting for a core is not the middleware's
work. Noise only ever adds time, so the best round is the truest figure; the median is
shown beside it. No socket is
opened (nothing leaves the process), so the figure is the middleware's own work, not
noise from HTTP parsing or the network.

prometheus-client chooses where values live when it is first imported, so the script
runs itself twice: once with metrics in memory (`talkback serve` with one worker) and
once in a child process with `PROMETHEUS_MULTIPROC_DIR` set (several workers: each
observation is written to a memory-mapped file).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message

BODY = b'{"thread":{"uri":"/a","title":null,"count":0},"comments":[],"next_cursor":null}'
BUDGET_US = 100.0
"""Per-request time of one process serving 10,000 requests a second."""


async def page(_request: Request) -> Response:
    return Response(BODY, media_type="application/json")


def bare_app() -> Starlette:
    return Starlette(routes=[Route("/api/v1/{site}/comments", page)])


def metered_app() -> ASGIApp:
    from talkback.observability.middleware import RequestMetricsMiddleware

    app = bare_app()
    app.add_middleware(RequestMetricsMiddleware)
    return app


def scope() -> dict[str, Any]:
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": "/api/v1/news/comments", "raw_path": b"/api/v1/news/comments",
        "root_path": "", "query_string": b"uri=/a", "headers": [(b"host", b"talkback")],
        "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000),
    }  # fmt: skip


async def receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def send(_message: Message) -> None:
    return None


async def seconds_per_request(app: ASGIApp, requests: int) -> float:
    started = time.process_time()
    for _ in range(requests):
        await app(scope(), receive, send)
    return (time.process_time() - started) / requests


async def measure(requests: int, rounds: int) -> dict[str, float]:
    apps: dict[str, ASGIApp] = {"bare": bare_app(), "metered": metered_app()}
    for app in apps.values():  # warm up: first calls build the middleware stack and series
        await seconds_per_request(app, 1000)
    times: dict[str, list[float]] = {name: [] for name in apps}
    for _ in range(rounds):
        for name, app in apps.items():
            times[name].append(await seconds_per_request(app, requests))
    figures: dict[str, float] = {}
    for summary, pick in (("best", min), ("median", statistics.median)):
        bare, metered = (pick(times[name]) * 1e6 for name in ("bare", "metered"))
        figures |= {f"{summary}_bare": bare, f"{summary}_cost": metered - bare}
    return figures


def report(mode: str, figures: dict[str, float]) -> None:
    best, median = figures["best_cost"], figures["median_cost"]
    print(
        f"{mode:<13} bare app {figures['best_bare']:5.1f} µs/request; middleware costs "
        f"{best:4.2f} µs (best round; median {median:4.2f}): {best / BUDGET_US:.1%} of the "
        f"{BUDGET_US:.0f} µs a request has at 10,000 req/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--requests", type=int, default=100_000, help="requests per round")
    parser.add_argument("--rounds", type=int, default=7, help="rounds per app (median)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    figures = asyncio.run(measure(args.requests, args.rounds))
    if args.child:
        print(json.dumps(figures))
        return
    report("in memory", figures)
    with tempfile.TemporaryDirectory(prefix="talkback-metrics-bench-") as directory:
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": directory}
        child = subprocess.run(
            [sys.executable, __file__, "--child", f"--requests={args.requests}",
             f"--rounds={args.rounds}"],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
    report("multiprocess", json.loads(child.stdout))


if __name__ == "__main__":
    main()
