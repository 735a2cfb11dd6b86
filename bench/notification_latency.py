"""Notification latency: from a moderator's approval (the HTTP answer of the admin API) to
the SMTP server accepting the notification mail, with the digest window at 0.

Run: `.venv/bin/python bench/notification_latency.py [--approvals 20] [--poll 0.5]`.

SQLite in a temporary directory, the app through httpx's ASGI transport with its
in-process outbox worker (as `talkback serve` runs it, `--poll` its poll interval), one
aiosmtpd on 127.0.0.1 that timestamps each DATA it accepts. A confirmed `thread`
subscriber waits for each of `--approvals` held comments; each is approved through
`POST /api/v1/admin/{site}/comments/{id}/approve` one at a time, and the time from its
answer to the mail's acceptance is recorded. The approval's commit wakes the worker, so
the figure should not depend on the poll interval. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from sqlalchemy import insert

from talkback import clock
from talkback.app import create_app
from talkback.comments.posting import CommentDraft, post_comment
from talkback.config import Settings
from talkback.context import Context
from talkback.readers.tokens import Reader
from talkback.sites.sites import create_site, set_site_option
from talkback.staff.accounts import create_staff
from talkback.store.migrate import migrate
from talkback.store.tables import subscriptions, threads

SITE = "news"
HOST = "http://talkback.test"
PASSWORD = "a long enough password"


class Stamper:
    """Keeps the moment each mail is accepted."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.accepted: list[float] = []
        self.arrived = asyncio.Event()
        self._loop = loop

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        # Runs on the SMTP server's own thread and loop: stamp here, then tell ours.
        self.accepted.append(time.perf_counter())
        self._loop.call_soon_threadsafe(self.arrived.set)
        return "250 OK"


async def main(approvals: int, poll: float) -> None:
    stamper = Stamper(asyncio.get_running_loop())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(stamper, hostname="127.0.0.1", port=port)
    smtp.start()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}",
            secret_key="bench-secret-key", rate_limits="off",
            smtp_url=f"smtp://127.0.0.1:{port}", outbox_poll_seconds=poll,
        )  # fmt: skip
        app = create_app(settings)
        ctx: Context = app.state.context
        await migrate(ctx.database)
        await create_site(ctx.database, SITE, name="News", origins=["https://news.example"])
        for key, value in (("moderation_mode", "pre"), ("digest_window", "0")):
            await set_site_option(ctx.database, SITE, key, value)
        await create_staff(ctx.database, "editor@news.example", PASSWORD, "admin")
        site = await ctx.sites.get(SITE)
        held = [
            (
                await post_comment(
                    ctx, site, "/article", CommentDraft(text=f"Comment {n}", author_name="Rob"),
                    Reader(ip_hash=f"ip{n}"),
                )
            ).comment["id"]
            for n in range(approvals)
        ]  # fmt: skip

        async def subscribe(conn: Any) -> None:
            thread_id = await conn.scalar(threads.select().with_only_columns(threads.c.id))
            await conn.execute(
                insert(subscriptions).values(
                    site_id=SITE, email="tom@readers.example", kind="thread",
                    thread_id=thread_id, confirmed_at=clock.now(), created_at=clock.now(),
                )
            )  # fmt: skip

        await ctx.database.write(subscribe)
        transport = httpx.ASGITransport(app=app)
        latencies = []
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url=HOST) as client,
        ):
            login = await client.post(
                "/api/v1/admin/login", json={"email": "editor@news.example", "password": PASSWORD},
                headers={"Origin": HOST},
            )  # fmt: skip
            headers = {"Origin": HOST, "X-CSRF-Token": login.json()["csrf_token"]}
            for comment_id in held:
                stamper.arrived.clear()
                before = len(stamper.accepted)
                response = await client.post(
                    f"/api/v1/admin/{SITE}/comments/{comment_id}/approve", headers=headers
                )
                answered = time.perf_counter()
                assert response.status_code == 200, response.text
                await asyncio.wait_for(stamper.arrived.wait(), timeout=30)
                latencies.append((stamper.accepted[before] - answered) * 1000)
    smtp.stop()
    latencies.sort()
    print(
        f"{approvals} approvals, poll {poll}s: median {statistics.median(latencies):.1f} ms, "
        f"min {latencies[0]:.1f} ms, max {latencies[-1]:.1f} ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--approvals", type=int, default=20)
    parser.add_argument("--poll", type=float, default=0.5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.approvals, arguments.poll))
