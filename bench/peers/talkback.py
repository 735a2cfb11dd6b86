"""Talkback under test: its database seeded with the plan, and `talkback serve` as a process.

Seeding reuses thread_read.py's bulk writes and counter checks (the same rows the services
would have left, verified by SQL). The server is the real command with two workers and the
settings issue 13 measures with: rate limits off, the outbox worker off (nothing to send),
live events through Redis (several workers need a shared broker), and every URL that could
reach out set explicitly so no stray TALKBACK_* variable can send it elsewhere.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from peers.bulk import after_load, insert_rows, skip_foreign_key_checks
from peers.plan import START
from peers.processes import Server, free_port
from talkback.sites.sites import create_site
from talkback.store.database import Database
from talkback.store.migrate import migrate
from talkback.store.tables import comments, threads, votes
from thread_read import (
    ORIGIN,
    SECRET_KEY,
    SITE,
    SeededThread,
    server_version,
    thread_rows,
    verify_counters,
)

# An isolated Redis database, flushed at the start of every run; the tests use db 0.
BROKER_URL = "redis://127.0.0.1:6379/13"
WORKERS = 2
UVICORN_MARKERS = ("Application startup complete.", "died")
TALKBACK = Path(sys.executable).with_name("talkback")


class TalkbackStore:
    """One Talkback database (SQLite or PostgreSQL) being seeded."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.database = Database(url)

    async def prepare(self) -> None:
        await migrate(self.database)
        await create_site(self.database, SITE, name="Benchmark News", origins=[ORIGIN])

    async def write(self, batch: Sequence[SeededThread]) -> None:
        """One batch in one transaction: thread_read's rows, bulk.py's fast inserts."""

        async def job(conn: AsyncConnection) -> None:
            await skip_foreign_key_checks(conn)
            await insert_rows(conn, threads, thread_rows(batch, START))
            await insert_rows(conn, comments, [row for t in batch for row in t.comments])
            await insert_rows(conn, votes, [row for t in batch for row in t.votes])

        await self.database.write(job)

    async def finish(self) -> str:
        """Sequences and statistics as after any load, every counter checked, the handle
        closed (the server is the only user after)."""
        try:
            await self.database.write(after_load)
            if self.database.dialect == "postgresql":
                # As thread_read.py: autovacuum would have analysed tables that grew.
                async with self.database.engine.connect() as conn:
                    await conn.execute(text("ANALYZE"))
                    await conn.commit()
            await verify_counters(self.database)
            return (await server_version(self.database)).split(" on ")[0]
        finally:
            await self.database.close()


def flush_broker() -> None:
    """Empty the benchmark's own Redis database, so no earlier run's state carries over."""
    client = redis.Redis.from_url(BROKER_URL)
    try:
        client.flushdb()
    finally:
        client.close()


def server(name: str, database_url: str, data_dir: Path, log: Path) -> Server:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TALKBACK_")}
    env.update(
        TALKBACK_DATABASE_URL=database_url,
        TALKBACK_DATA_DIR=str(data_dir),
        TALKBACK_SECRET_KEY=SECRET_KEY,
        TALKBACK_BROKER_URL=BROKER_URL,
        TALKBACK_RATE_LIMITS="off",
        TALKBACK_OUTBOX_WORKER="off",
    )
    port = free_port()
    command = [str(TALKBACK), "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(WORKERS)]
    return Server(name, command, env, log, port, "/healthz", WORKERS, *UVICORN_MARKERS)


def capture(base_url: str, targets: Sequence[str], headers: dict[str, str]) -> list[dict[str, Any]]:
    """Talkback's answers to `targets`, recorded for the bare app to serve verbatim."""
    recorded = []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        # Only what wrk sends (Host and `headers`): httpx's defaults would ask for gzip.
        client.headers.clear()
        for target in targets:
            response = client.get(target, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"{target}: {response.status_code} {response.text[:300]}")
            recorded.append(
                {
                    "target": target,
                    "status": response.status_code,
                    "headers": list(response.headers.multi_items()),
                    "body": base64.b64encode(response.content).decode(),
                }
            )
    return recorded


def save(recorded: list[dict[str, Any]], path: Path) -> Path:
    path.write_text(json.dumps(recorded))
    return path
