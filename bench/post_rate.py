"""Posting benchmark: comments per second through the whole app, next to a bare endpoint.

Run: `.venv/bin/python bench/post_rate.py [--posts 2000] [--concurrency 16]`.

Every post goes through validation, the full moderation pipeline (toxicity model
included; rate limits off, as for any load test) and the SQLite group-commit writer, and
is acknowledged only after its commit. Requests run in process through httpx's
ASGITransport, `--concurrency` at a time, so the figures are the server's own cost; a bare
FastAPI endpoint that parses the same JSON and answers fixed bytes runs in the same way in
the same run, and the ratio is the comparable figure. Nothing leaves 127.0.0.1 (nothing
leaves the process but the SQLite file).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from talkback.app import create_app
from talkback.config import Settings
from talkback.context import Context
from talkback.sites.sites import create_site
from talkback.store.migrate import migrate
from talkback.store.tables import comments

SITE = "bench"
CIVIL = [
    "The council should publish the borehole data before the review starts.",
    "I live on Marsh Lane and the sandbags arrived a day late last winter.",
    "A second review is sensible if the clay really is softer than assumed.",
    "Thanks for covering this; the agenda papers were hard to find.",
]


def bare_app() -> FastAPI:
    app = FastAPI()

    @app.post("/api/v1/{site}/comments", status_code=201)
    async def accept(site: str, body: dict[str, Any]) -> dict[str, Any]:
        return {"comment": {"id": 1, "html": "<p>x</p>"}, "edit_token": "t"}

    return app


async def drive(
    post: Callable[[int], Awaitable[httpx.Response]],
    total: int,
    concurrency: int,
    ok: tuple[int, ...] = (201, 202),
) -> tuple[float, list[float]]:
    """Make `total` requests with `concurrency` in flight; (seconds, per-request ms).
    Any status outside `ok` stops the run: a failing request must not look fast."""
    latencies: list[float] = []
    counter = iter(range(total))

    async def worker() -> None:
        for n in counter:
            started = time.perf_counter()
            response = await post(n)
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code not in ok:
                raise RuntimeError(f"post {n}: {response.status_code} {response.text[:200]}")

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies


def summary(
    name: str, seconds: float, latencies: Sequence[float], unit: str = "posts"
) -> dict[str, float | str]:
    ordered = sorted(latencies)
    return {
        "target": name,
        f"{unit}_per_second": round(len(ordered) / seconds, 1),
        "p50_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 2),
    }


async def run(posts: int, concurrency: int) -> list[dict[str, float | str]]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        app = create_app(Settings(database_url=url, secret_key="bench", rate_limits="off"))
        context: Context = app.state.context
        await migrate(context.database)
        await create_site(context.database, SITE, name="Bench", origins=[])
        results = []
        async with app.router.lifespan_context(app):
            await context.scorer.warm_up()
            targets = {
                "talkback": httpx.ASGITransport(app=app, client=("127.0.0.1", 1)),
                "bare FastAPI": httpx.ASGITransport(app=bare_app(), client=("127.0.0.1", 1)),
            }
            for name, transport in targets.items():
                async with httpx.AsyncClient(transport=transport, base_url="http://b") as client:

                    async def post(n: int, client: httpx.AsyncClient = client) -> httpx.Response:
                        text = f"{CIVIL[n % len(CIVIL)]} (reader {n})"
                        return await client.post(
                            f"/api/v1/{SITE}/comments", params={"uri": f"/story/{n % 20}"},
                            json={"text": text, "author_name": f"Reader {n}"},
                        )  # fmt: skip

                    await drive(post, min(200, posts), concurrency)  # warm-up
                    seconds, latencies = await drive(post, posts, concurrency)
                    results.append(summary(name, seconds, latencies))
            async with context.database.read() as conn:
                stored = await conn.scalar(select(func.count()).select_from(comments))
        expected = min(200, posts) + posts
        if stored != expected:
            raise RuntimeError(f"{stored} comments stored, {expected} acknowledged")
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000, choices=range(100, 50_001),
                        metavar="100..50000")  # fmt: skip
    parser.add_argument("--concurrency", type=int, default=16, choices=range(1, 257),
                        metavar="1..256")  # fmt: skip
    args = parser.parse_args(argv)
    results = asyncio.run(run(args.posts, args.concurrency))
    for row in results:
        print("  ".join(f"{key}={value}" for key, value in row.items()))
    ours, bare = results[0]["posts_per_second"], results[1]["posts_per_second"]
    assert isinstance(ours, float)
    assert isinstance(bare, float)
    print(f"talkback / bare FastAPI: {ours / bare:.1%} of the bare endpoint's rate")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
