"""Thread-read benchmark: what one page of a thread costs Talkback, next to a bare endpoint.

Run: `.venv/bin/python bench/thread_read.py [--backend sqlite|postgresql|both]
[--comments 1000] [--repeat 200]`.

Why it is built this way:
- Requests go through httpx's ASGITransport, in process: no sockets, no HTTP parser, no
  scheduler noise from a load generator sharing the CPU. What is left is the cost of our
  middleware, routing, services and database calls, which is what a change to Talkback can
  move. The same transport serves a bare Starlette and a bare FastAPI endpoint returning the
  very same bytes, so the fixed cost of the client and the framework is visible and the
  ratio ours/bare is fair. These are per-request costs with one request in flight, not the
  concurrency-64 `wrk` figures of docs/design.md; they must not be quoted as such.
- Every request is checked (status and exact body), so a broken page cannot look fast.
  SQL statements per request are counted in a separate, untimed pass, which proves a
  "cache hit" row really skipped the page queries and a "cache miss" row really ran them.
- Scenarios are interleaved in rounds, so a slow spell of the machine (thermal, another
  process) spreads over all rows instead of penalising whichever ran last; warm-up requests
  are excluded from every figure.
- The database is seeded with bulk inserts whose counters (comment_count, reply_count,
  root_id, depth, score, version) match what the services would have written, and are
  verified by SQL before anything is timed. Seeding through `post_comment` (one group-commit
  write per comment) would dominate the 100,000-comment runs the design's scale target asks
  about, and the read path does not care how the rows got there.
- Nothing leaves 127.0.0.1: SQLite is a temp file; PostgreSQL is a throwaway database on
  127.0.0.1:5432, dropped WITH (FORCE) at the end even when the run fails.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import asyncpg
import httpx
import sqlalchemy
from fastapi import FastAPI
from rich.console import Console
from rich.table import Table
from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from talkback import __version__
from talkback.app import create_app
from talkback.comments.routes import PAGE_CACHE_CONTROL
from talkback.config import Settings
from talkback.context import Context
from talkback.core.identity import avatar_seed, hash_ip
from talkback.core.markup import render_markdown
from talkback.sites.sites import create_site
from talkback.store.database import Database
from talkback.store.migrate import migrate
from talkback.store.tables import comments, threads, votes

PG_HOST = "127.0.0.1"
PG_ADMIN_URL = f"postgresql://{PG_HOST}:5432/test"
BASE_URL = "http://talkback.bench"
SECRET_KEY = "bench-only-secret-key-not-for-any-deployment"
SITE = "bench"
ORIGIN = "https://bench.example"
LARGE_URI = "/bench/large-thread"
SMALL_URI = "/bench/small-thread"
SMALL_COMMENTS = 100
MAX_COMMENTS = 200_000
PAGE_LIMIT = 20
SORTS = ("newest", "most_voted")
ROUNDS = 5
REPLY_SHARE = 0.30
VOTED_SHARE = 0.40
MAX_VOTES_PER_COMMENT = 12
TEXT_POOL_SIZE = 512
STATEMENT_PROBES = 5
RESULTS_DIR = Path(__file__).resolve().parent / "results"
TRANSACTION_WORDS = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")

SENTENCES = (
    "The barrier was supposed to be finished before the winter storms.",
    "I live two streets from the river and nobody asked us about the route.",
    "Thanks for explaining where the money actually comes from.",
    "The council minutes from March say something rather different.",
    "Has anyone seen the engineering report the article mentions?",
    "My insurance went up again this year, so this matters a lot to us.",
    "Good reporting, but the map in the second section is hard to read.",
    "The old flood wall held in 1998, so why replace it now?",
    "Delays like this are normal for a project of this size.",
    "I would like to know who pays for maintenance once it is built.",
    "The photos of the construction site are great.",
    "Can the paper follow up on the contractor's other projects?",
    "We were evacuated last spring and still have not moved back.",
    "This is the third time the opening date has moved.",
    "The cost per household works out to less than a bus pass.",
    "Please correct the spelling of the mayor's name in the caption.",
)
AUTHORS = ("Ana", "Bram", "Chiara", "Dev", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jonas")


class BenchError(RuntimeError):
    """The server answered something other than the page we expected: no figure is valid."""


# ---------------------------------------------------------------------------- databases


@asynccontextmanager
async def sqlite_database() -> AsyncIterator[str]:
    """A fresh SQLite file in a temp directory, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="talkback-bench-") as tmp:
        yield f"sqlite+aiosqlite:///{Path(tmp) / 'talkback.db'}"


async def _pg_admin(statement: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@asynccontextmanager
async def postgresql_database() -> AsyncIterator[str]:
    """A throwaway database on the local server, dropped WITH (FORCE) whatever happens."""
    name = f"talkback_bench_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+asyncpg://{PG_HOST}:5432/{name}"
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fresh_database(backend: str) -> AbstractAsyncContextManager[str]:
    """The context manager yielding a database URL for `backend`."""
    return sqlite_database() if backend == "sqlite" else postgresql_database()


# ------------------------------------------------------------------------------ seeding


@dataclass
class SeededThread:
    """What was written for one thread, for the report and for checking counters."""

    uri: str
    thread_id: int
    comments: list[dict[str, Any]]
    votes: list[dict[str, Any]]

    @property
    def top_level(self) -> int:
        return sum(1 for row in self.comments if row["parent_id"] is None)

    def summary(self) -> dict[str, int]:
        return {
            "comments": len(self.comments),
            "top_level": self.top_level,
            "replies": len(self.comments) - self.top_level,
            "votes": len(self.votes),
            "max_depth": max((row["depth"] for row in self.comments), default=0),
        }


def text_pool(rng: random.Random) -> list[tuple[str, str]]:
    """Comment texts with their HTML, rendered once by the server's own renderer.

    A bounded pool keeps seeding of very large threads fast; pages still carry bodies of
    realistic, varied length and Markdown (emphasis, links, quotes, paragraphs).
    """
    pool: list[tuple[str, str]] = []
    for index in range(TEXT_POOL_SIZE):
        paragraphs = []
        for _ in range(rng.randint(1, 3)):
            sentences = rng.sample(SENTENCES, rng.randint(1, 4))
            if rng.random() < 0.2:
                sentences[0] = f"*{sentences[0]}*"
            paragraphs.append(" ".join(sentences))
        if rng.random() < 0.15:
            paragraphs.append(f"See https://example.org/notes/{index} for the figures.")
        if rng.random() < 0.1:
            paragraphs.insert(0, f"> {rng.choice(SENTENCES)}")
        source = "\n\n".join(paragraphs)
        pool.append((source, render_markdown(source)))
    return pool


def plan_thread(
    rng: random.Random,
    pool: Sequence[tuple[str, str]],
    *,
    uri: str,
    thread_id: int,
    first_comment_id: int,
    count: int,
    start: datetime,
) -> SeededThread:
    """Rows for one thread, with every counter computed as the services would leave it.

    About 70 % of comments are top level and 30 % reply to a random earlier comment, so
    reply trees grow deep and uneven; about 40 % of comments get 1-12 votes, mostly up,
    which gives "most voted" a real order. Timestamps strictly increase.
    """
    rows: list[dict[str, Any]] = []
    vote_rows: list[dict[str, Any]] = []
    for index in range(count):
        parent = rows[rng.randrange(index)] if index and rng.random() < REPLY_SHARE else None
        source, html = rng.choice(pool)
        ip_hash = hash_ip(f"203.0.113.{index % 250}", SECRET_KEY)
        name = rng.choice(AUTHORS) if rng.random() < 0.8 else None
        created_at = start + timedelta(seconds=37 * index + rng.randint(0, 30))
        if parent is not None:
            parent["reply_count"] += 1
        rows.append(
            {
                "id": first_comment_id + index,
                "thread_id": thread_id,
                "parent_id": parent["id"] if parent else None,
                "root_id": (parent["root_id"] or parent["id"]) if parent else None,
                "depth": parent["depth"] + 1 if parent else 0,
                "status": "approved",
                "author_name": name,
                "author_email": None,
                "author_website": "https://example.org/~" + name.lower() if name else None,
                "reader_id": None,
                "ip_hash": ip_hash,
                "avatar": avatar_seed(ip_hash, SECRET_KEY),
                "text": source,
                "html": html,
                "anchor": None,
                "created_at": created_at,
                "edited_at": None,
                "upvotes": 0,
                "downvotes": 0,
                "score": 0,
                "reply_count": 0,
            }
        )
    for row in rows:
        if rng.random() >= VOTED_SHARE:
            continue
        for voter in range(rng.randint(1, MAX_VOTES_PER_COMMENT)):
            value = 1 if rng.random() < 0.8 else -1
            row["upvotes" if value == 1 else "downvotes"] += 1
            vote_rows.append(
                {
                    "comment_id": row["id"],
                    "voter": f"r:bench-reader-{voter:04d}",
                    "thread_id": thread_id,
                    "value": value,
                    "created_at": row["created_at"] + timedelta(minutes=5),
                }
            )
        row["score"] = row["upvotes"] - row["downvotes"]
    return SeededThread(uri=uri, thread_id=thread_id, comments=rows, votes=vote_rows)


def thread_rows(planned: Sequence[SeededThread], start: datetime) -> list[dict[str, Any]]:
    """The `threads` rows of planned threads, `version` as the services would have left it."""
    return [
        {
            "id": thread.thread_id,
            "site_id": SITE,
            "uri": thread.uri,
            "title": f"Benchmark thread of {len(thread.comments)} comments",
            "comment_count": len(thread.comments),
            "version": len(thread.comments) + len(thread.votes),
            "created_at": start,
        }
        for thread in planned
    ]


async def seed(database: Database, planned: Sequence[SeededThread], start: datetime) -> None:
    """Write the planned threads in one transaction through the server's own write path.

    A thread's `version` is what `post_comment` and `cast_vote` would have bumped it to (one
    per comment and per vote). On PostgreSQL the id sequences are moved past the explicit
    ids, so a later `post_comment` in the same database would not collide.
    """

    async def job(conn: AsyncConnection) -> None:
        await conn.execute(insert(threads), thread_rows(planned, start))
        for thread in planned:
            await conn.execute(insert(comments), thread.comments)
            if thread.votes:
                await conn.execute(insert(votes), thread.votes)
        if conn.dialect.name == "postgresql":
            for table in ("threads", "comments"):
                await conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )

    await database.write(job)
    if database.dialect == "postgresql":
        # Autovacuum would have analysed tables that grew in production; a bulk load that
        # was never analysed would be planned from guesses, which no deployment sees.
        async with database.engine.connect() as conn:
            await conn.execute(text("ANALYZE"))
            await conn.commit()


COUNTER_CHECKS = {
    "reply_count": """
        SELECT count(*) FROM comments c WHERE c.reply_count <> (
            SELECT count(*) FROM comments r WHERE r.parent_id = c.id AND r.status = 'approved')
    """,
    "votes": """
        SELECT count(*) FROM comments c WHERE c.score <> c.upvotes - c.downvotes
           OR c.upvotes <> (SELECT count(*) FROM votes v WHERE v.comment_id = c.id AND v.value = 1)
           OR c.downvotes <> (SELECT count(*) FROM votes v WHERE v.comment_id = c.id
                                                             AND v.value = -1)
    """,
    "tree": """
        SELECT count(*) FROM comments c JOIN comments p ON p.id = c.parent_id
        WHERE c.root_id <> coalesce(p.root_id, p.id) OR c.depth <> p.depth + 1
           OR c.thread_id <> p.thread_id OR c.created_at <= p.created_at
    """,
    "roots": """
        SELECT count(*) FROM comments
        WHERE parent_id IS NULL AND (root_id IS NOT NULL OR depth <> 0)
    """,
    "threads": """
        SELECT count(*) FROM threads t WHERE t.comment_count <> (
            SELECT count(*) FROM comments c WHERE c.thread_id = t.id AND c.status = 'approved')
           OR t.version <> t.comment_count + (SELECT count(*) FROM votes v WHERE v.thread_id = t.id)
    """,
}


async def verify_counters(database: Database) -> None:
    """Refuse to benchmark a database whose counters the services would not have produced."""
    async with database.read() as conn:
        for name, query in COUNTER_CHECKS.items():
            wrong = await conn.scalar(text(query))
            if wrong:
                raise BenchError(f"seeded data is inconsistent: {wrong} rows fail check {name!r}")


async def server_version(database: Database) -> str:
    query = "SELECT sqlite_version()" if database.dialect == "sqlite" else "SELECT version()"
    async with database.read() as conn:
        return str(await conn.scalar(text(query)))


# ---------------------------------------------------------------------------- measuring


@dataclass(frozen=True, slots=True)
class Target:
    """An app under test, reached in process; `engine` is None for the bare apps."""

    client: httpx.AsyncClient
    engine: AsyncEngine | None = None


@dataclass
class Scenario:
    """One kind of request, repeated; every response must match `expect_*` exactly."""

    name: str
    sort: str
    thread: str
    target: Target
    url: str
    headers: dict[str, str]
    expect_status: int
    expect_body: bytes
    samples: list[float] = field(default_factory=list)
    wall: float = 0.0
    statements: float | None = None

    async def fetch(self) -> httpx.Response:
        return await self.target.client.get(self.url, headers=self.headers)

    def check(self, response: httpx.Response) -> None:
        """Checked outside the timed window, but on every single response."""
        if response.status_code != self.expect_status or response.content != self.expect_body:
            raise BenchError(
                f"{self.name} ({self.sort}): got {response.status_code} with "
                f"{len(response.content)} bytes, expected {self.expect_status} with "
                f"{len(self.expect_body)} bytes"
            )

    def summary(self) -> dict[str, Any]:
        ms = sorted(sample * 1000 for sample in self.samples)
        return {
            "scenario": self.name,
            "sort": self.sort,
            "thread": self.thread,
            "status": self.expect_status,
            "body_bytes": len(self.expect_body),
            "sql_statements_per_request": self.statements,
            "requests": len(ms),
            "median_ms": statistics.median(ms),
            "p99_ms": statistics.quantiles(ms, n=100, method="inclusive")[98],
            "mean_ms": statistics.fmean(ms),
            "min_ms": ms[0],
            "max_ms": ms[-1],
            "requests_per_second": len(ms) / self.wall,
        }


async def count_statements(scenario: Scenario) -> float | None:
    """SQL statements one request runs (transaction control left out), measured untimed."""
    if scenario.target.engine is None:
        return None
    seen = 0

    def on_execute(*args: Any) -> None:
        nonlocal seen
        statement: str = args[2]
        if not statement.lstrip().upper().startswith(TRANSACTION_WORDS):
            seen += 1

    engine = scenario.target.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        for _ in range(STATEMENT_PROBES):
            scenario.check(await scenario.fetch())
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return seen / STATEMENT_PROBES


async def run_interleaved(scenarios: Sequence[Scenario], warmup: int, repeat: int) -> None:
    """Warm every scenario up, then time them in ROUNDS interleaved rounds.

    Samples are the time from sending a request to holding its full body. Requests/s is
    requests over the wall time of the timed loops (one request in flight at a time).
    """
    for scenario in scenarios:
        for _ in range(warmup):
            scenario.check(await scenario.fetch())
        scenario.statements = await count_statements(scenario)
    chunks = [repeat // ROUNDS + (1 if i < repeat % ROUNDS else 0) for i in range(ROUNDS)]
    for chunk in chunks:
        for scenario in scenarios:
            gc.collect()
            began = time.perf_counter()
            for _ in range(chunk):
                sent = time.perf_counter()
                response = await scenario.fetch()
                scenario.samples.append(time.perf_counter() - sent)
                scenario.check(response)
            scenario.wall += time.perf_counter() - began


def bare_starlette(body: bytes, etag: str) -> Starlette:
    """The ceiling: Starlette handing back fixed bytes on the same path, with our headers."""

    async def page(_request: Request) -> Response:
        return Response(
            body,
            media_type="application/json",
            headers={"ETag": etag, "Cache-Control": PAGE_CACHE_CONTROL},
        )

    return Starlette(routes=[Route("/api/v1/{site}/comments", page)])


def bare_fastapi(body: bytes, etag: str) -> FastAPI:
    """FastAPI's own floor for the same bytes: separates framework cost from Talkback's."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/api/v1/{site}/comments")
    async def page(site: str) -> Response:
        return Response(
            body,
            media_type="application/json",
            headers={"ETag": etag, "Cache-Control": PAGE_CACHE_CONTROL},
        )

    return app


def page_url(uri: str, sort: str) -> str:
    query = urlencode({"uri": uri, "sort": sort, "limit": PAGE_LIMIT})
    return f"/api/v1/{SITE}/comments?{query}"


def comments_on_page(body: bytes) -> int:
    """Top-level comments plus every reply nested under them (bounded by the body)."""
    stack = list(json.loads(body)["comments"])
    seen = 0
    while stack:
        seen += 1
        stack.extend(stack.pop()["replies"])
    return seen


def app_settings(database_url: str, page_cache_bytes: int) -> Settings:
    """Settings naming every outward-facing URL, so no TALKBACK_* variable can point the
    benchmark at another host, and rate limits off as the design asks for benchmarks."""
    return Settings(
        database_url=database_url,
        secret_key=SECRET_KEY,
        broker_url="memory://",
        smtp_url=None,
        stripe_api_base=None,
        rate_limits="off",
        page_cache_bytes=page_cache_bytes,
    )


# ----------------------------------------------------------------------------- one run

HEADERS = {"Origin": ORIGIN, "Accept": "application/json"}


async def open_target(stack: AsyncExitStack, app: ASGIApp) -> Target:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)
    return Target(await stack.enter_async_context(client))


async def open_talkback(stack: AsyncExitStack, database_url: str, page_cache_bytes: int) -> Target:
    """The real app, built by `create_app`, with its lifespan running as under uvicorn."""
    app = create_app(app_settings(database_url, page_cache_bytes))
    await stack.enter_async_context(app.router.lifespan_context(app))
    context: Context = app.state.context
    target = await open_target(stack, app)
    return Target(target.client, context.database.engine)


async def first_page(target: Target, url: str) -> tuple[bytes, str]:
    response = await target.client.get(url, headers=HEADERS)
    if response.status_code != 200:
        raise BenchError(f"{url} answered {response.status_code}: {response.text}")
    return response.content, response.headers["etag"]


async def scenarios_for(
    sort: str, *, miss: Target, hit: Target, stack: AsyncExitStack
) -> list[Scenario]:
    """Every timed request for one sort order; the bare apps serve the very bytes of ours."""
    large, small = page_url(LARGE_URI, sort), page_url(SMALL_URI, sort)
    body, etag = await first_page(hit, large)
    small_body, _ = await first_page(miss, small)
    if await first_page(miss, large) != (body, etag):
        raise BenchError("the page differs with the page cache on and off")
    revalidate = {**HEADERS, "If-None-Match": etag}
    starlette = await open_target(stack, bare_starlette(body, etag))
    fastapi = await open_target(stack, bare_fastapi(body, etag))
    return [
        Scenario("cache miss", sort, "large", miss, large, HEADERS, 200, body),
        Scenario("cache miss", sort, "small", miss, small, HEADERS, 200, small_body),
        Scenario("cache hit", sort, "large", hit, large, HEADERS, 200, body),
        Scenario("304, cache on", sort, "large", hit, large, revalidate, 304, b""),
        Scenario("304, cache off", sort, "large", miss, large, revalidate, 304, b""),
        Scenario("bare Starlette", sort, "large", starlette, large, HEADERS, 200, body),
        Scenario("bare FastAPI", sort, "large", fastapi, large, HEADERS, 200, body),
    ]


async def prepare(
    database_url: str, rng: random.Random, comments_in_large: int
) -> tuple[SeededThread, SeededThread, float, str]:
    """Migrate, add the site, seed both threads and check them; the handle is closed after,
    so the timed apps are the only users of the database."""
    setup = Database(database_url)
    try:
        began = time.perf_counter()
        await migrate(setup)
        await create_site(setup, SITE, name="Benchmark News", origins=[ORIGIN])
        start = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
        pool = text_pool(rng)
        small = plan_thread(
            rng,
            pool,
            uri=SMALL_URI,
            thread_id=1,
            first_comment_id=1,
            count=SMALL_COMMENTS,
            start=start,
        )
        large = plan_thread(
            rng,
            pool,
            uri=LARGE_URI,
            thread_id=2,
            first_comment_id=SMALL_COMMENTS + 1,
            count=comments_in_large,
            start=start,
        )
        await seed(setup, [small, large], start)
        await verify_counters(setup)
        seed_seconds = time.perf_counter() - began
        return small, large, seed_seconds, await server_version(setup)
    finally:
        await setup.close()


async def bench_backend(backend: str, args: argparse.Namespace, console: Console) -> dict[str, Any]:
    """Seed a fresh database for `backend`, time every scenario, and return the results."""
    rng = random.Random(args.seed)
    async with fresh_database(backend) as database_url, AsyncExitStack() as stack:
        small, large, seed_seconds, version = await prepare(database_url, rng, args.comments)
        console.print(
            f"[bold]{backend}[/bold] {version.split(' on ')[0]}: seeded {len(small.comments)} + "
            f"{len(large.comments)} comments, {len(small.votes) + len(large.votes)} votes "
            f"in {seed_seconds:.1f} s; timing..."
        )

        default_cache = Settings.model_fields["page_cache_bytes"].default
        miss = await open_talkback(stack, database_url, page_cache_bytes=0)
        hit = await open_talkback(stack, database_url, page_cache_bytes=default_cache)
        scenarios = [
            scenario
            for sort in SORTS
            for scenario in await scenarios_for(sort, miss=miss, hit=hit, stack=stack)
        ]
        await run_interleaved(scenarios, args.warmup, args.repeat)

    rows = [scenario.summary() for scenario in scenarios]
    for row, scenario in zip(rows, scenarios, strict=True):
        row["page_comments"] = comments_on_page(scenario.expect_body) if row["status"] == 200 else 0
    return {
        "benchmark": "thread_read",
        "backend": backend,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "versions": {
            "talkback": __version__,
            "sqlalchemy": sqlalchemy.__version__,
            "database": version,
        },
        "method": "in-process httpx.ASGITransport, one request in flight, warm-up excluded, "
        f"{ROUNDS} interleaved rounds",
        "parameters": {
            "comments": args.comments,
            "small_comments": SMALL_COMMENTS,
            "repeat": args.repeat,
            "warmup": args.warmup,
            "page_limit": PAGE_LIMIT,
            "seed": args.seed,
        },
        "seeded": {"seconds": seed_seconds, "large": large.summary(), "small": small.summary()},
        "scenarios": rows,
        "ratios": ratios(rows),
    }


def ratios(rows: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """ours/bare per sort (median time; throughput share), and large/small thread."""

    def find(name: str, sort: str, thread: str = "large") -> dict[str, Any]:
        return next(
            r for r in rows if (r["scenario"], r["sort"], r["thread"]) == (name, sort, thread)
        )

    versus_bare: list[dict[str, Any]] = []
    by_size: list[dict[str, Any]] = []
    for sort in SORTS:
        bare = find("bare Starlette", sort)
        for name in ("cache miss", "cache hit", "304, cache on", "304, cache off", "bare FastAPI"):
            ours = find(name, sort)
            versus_bare.append(
                {
                    "sort": sort,
                    "scenario": name,
                    "median_ratio": ours["median_ms"] / bare["median_ms"],
                    "throughput_share": ours["requests_per_second"] / bare["requests_per_second"],
                }
            )
        large, small = find("cache miss", sort), find("cache miss", sort, "small")
        by_size.append(
            {
                "sort": sort,
                "median_ratio": large["median_ms"] / small["median_ms"],
                "large": {k: large[k] for k in ("median_ms", "body_bytes", "page_comments")},
                "small": {k: small[k] for k in ("median_ms", "body_bytes", "page_comments")},
            }
        )
    return {"ours_vs_bare_starlette": versus_bare, "large_vs_small_thread": by_size}


# ------------------------------------------------------------------------------ report


def report(result: dict[str, Any], console: Console) -> None:
    """The figures as a table, then the two comparisons the design's targets are about."""
    seeded = result["seeded"]
    table = Table(
        title=f"Thread read, {result['backend']}: first page (limit {PAGE_LIMIT}) of a "
        f"{seeded['large']['comments']}-comment thread, {result['method']}",
        title_justify="left",
    )
    for column in (
        "scenario",
        "sort",
        "thread",
        "status",
        "bytes",
        "comments",
        "SQL/req",
        "median ms",
        "p99 ms",
        "req/s",
        "x bare",
    ):
        table.add_column(column, justify="left" if column in ("scenario", "sort") else "right")
    bare = {
        r["sort"]: r["median_ms"] for r in result["scenarios"] if r["scenario"] == "bare Starlette"
    }
    for row in result["scenarios"]:
        statements = row["sql_statements_per_request"]
        table.add_row(
            row["scenario"],
            row["sort"],
            f"{seeded[row['thread']]['comments']}",
            str(row["status"]),
            f"{row['body_bytes']:,}",
            str(row["page_comments"]),
            "-" if statements is None else f"{statements:.1f}",
            f"{row['median_ms']:.3f}",
            f"{row['p99_ms']:.3f}",
            f"{row['requests_per_second']:,.0f}",
            f"{row['median_ms'] / bare[row['sort']]:.2f}",
        )
    console.print(table)
    for entry in result["ratios"]["ours_vs_bare_starlette"]:
        if entry["scenario"] in ("cache miss", "cache hit", "304, cache on"):
            console.print(
                f"  ours/bare Starlette, {entry['scenario']:<13} {entry['sort']:<10}: "
                f"{entry['median_ratio']:.2f}x the time, "
                f"{entry['throughput_share']:.0%} of its rate"
            )
    for entry in result["ratios"]["large_vs_small_thread"]:
        large, small = entry["large"], entry["small"]
        console.print(
            f"  thread size, cache miss {entry['sort']:<10}: {seeded['large']['comments']} vs "
            f"{seeded['small']['comments']} comments = {entry['median_ratio']:.2f}x "
            f"({large['median_ms']:.3f} vs {small['median_ms']:.3f} ms; page "
            f"{large['body_bytes']:,} vs {small['body_bytes']:,} bytes, "
            f"{large['page_comments']} vs {small['page_comments']} comments)"
        )


def write_json(result: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"thread_read-{result['backend']}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path


def bounded_int(low: int, high: int) -> Any:
    """An argparse type refusing values outside [low, high], so every loop stays bounded."""

    def parse(value: str) -> int:
        number = int(value)
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return number

    return parse


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--comments",
        type=bounded_int(SMALL_COMMENTS, MAX_COMMENTS),
        default=1000,
        help="comments in the large thread (default 1000)",
    )
    parser.add_argument(
        "--repeat",
        type=bounded_int(ROUNDS, 100_000),
        default=200,
        help="timed requests per scenario (default 200)",
    )
    parser.add_argument(
        "--warmup",
        type=bounded_int(0, 10_000),
        default=20,
        help="untimed requests per scenario first (default 20)",
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed for the thread shape")
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> int:
    console = Console(highlight=False, width=max(Console().width, 150))
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        result = await bench_backend(backend, args, console)
        report(result, console)
        console.print(f"  results: {write_json(result)}\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
