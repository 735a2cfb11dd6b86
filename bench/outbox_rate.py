"""Outbox throughput: mails per second from the outbox to a local SMTP server, next to a
bare aiosmtplib loop sending the same mails over one connection to the same server.

Run: `.venv/bin/python bench/outbox_rate.py [--mails 2000] [--rounds 3]
[--backend sqlite|postgresql|both]`.

The outbox side queues `--mails` check mails (`talkback mail check`'s kind) in one
transaction, then times the real `OutboxWorker` with the real `SmtpTransport` from the
first claim until every row is marked `sent`: lease, render, send, record. The bare side
renders the same template, builds the same multipart message and sends it with one
aiosmtplib connection, nothing else. Both send to one aiosmtpd on 127.0.0.1 that counts
Message-IDs; a run in which any mail is missing or arrives twice stops the benchmark.
Rounds alternate the two sides so a slow spell of the machine spreads over both. Nothing
leaves 127.0.0.1.

Besides mails per second it prints the process's CPU milliseconds per mail (the SMTP
server's thread included, on both sides), which a busy machine disturbs less than wall
time; PostgreSQL's own CPU is not in it.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import socket
import statistics
import threading
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import aiosmtplib
from aiosmtpd.controller import Controller
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback.config import Settings
from talkback.context import Context
from talkback.mail.check_mail import queue_check_mail
from talkback.mail.compose import build_message, render
from talkback.outbox.messages import new_message_id
from talkback.store.migrate import migrate
from talkback.store.tables import outbox
from thread_read import PG_HOST, fresh_database

SECRET_KEY = "bench-only-secret-key-not-for-any-deployment"
MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class BenchError(RuntimeError):
    """A mail went missing or arrived twice: no figure of this run is valid."""


class CountingSink:
    """aiosmtpd on loopback that keeps only each mail's Message-ID."""

    def __init__(self) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.ids: Counter[bytes] = Counter()
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        found = MESSAGE_ID.search(envelope.content)
        with self._lock:
            self.ids[found.group(1) if found else b"?"] += 1
        return "250 OK"

    def take(self) -> Counter[bytes]:
        with self._lock:
            ids, self.ids = self.ids, Counter()
        return ids

    def __enter__(self) -> CountingSink:
        self._controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._controller.stop()


def check_delivery(ids: Counter[bytes], expected: int, side: str) -> None:
    twice = sum(1 for count in ids.values() if count > 1)
    if len(ids) != expected or twice:
        raise BenchError(f"{side}: {len(ids)} distinct mails of {expected}, {twice} twice")


async def bare_round(sink: CountingSink, mails: int) -> tuple[float, float]:
    """Seconds and CPU seconds to render, build and send `mails` check mails over one
    connection."""
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=sink.port, timeout=10)
    started, cpu = time.perf_counter(), time.process_time()
    await client.connect()
    for n in range(mails):
        subject, text, html = render(
            "check_mail", "en", requested_by="bench", host="bench",
            public_url="http://localhost:8000",
        )  # fmt: skip
        await client.send_message(
            build_message(
                sender_name="Talkback",
                sender_address="talkback@localhost",
                to=f"reader{n}@example.org",
                subject=subject,
                text=text,
                html=html,
                message_id=new_message_id(),
            )
        )
    await client.quit()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    check_delivery(sink.take(), mails, "bare loop")
    return seconds, cpu


async def outbox_round(context: Context, sink: CountingSink, mails: int) -> tuple[float, float]:
    """Seconds and CPU seconds for the worker to deliver `mails` queued check mails and
    mark them sent."""

    async def queue(conn: AsyncConnection) -> None:
        for n in range(mails):
            await queue_check_mail(conn, f"reader{n}@example.org", requested_by="bench")

    await context.database.write(queue)
    worker = context.outbox.worker
    started, cpu = time.perf_counter(), time.process_time()
    while await worker.run_once():
        pass
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    unsent = await context.database.read_rows(
        select(func.count()).select_from(outbox).where(outbox.c.status != "sent")
    )
    if unsent[0][0]:
        raise BenchError(f"outbox: {unsent[0][0]} rows not sent")
    check_delivery(sink.take(), mails, "outbox")
    return seconds, cpu


def postgresql_reachable() -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((PG_HOST, 5432)) == 0


async def run(backend: str, mails: int, rounds: int) -> dict[str, float]:
    with CountingSink() as sink:
        async with fresh_database(backend) as url:
            context = Context.from_settings(
                Settings(
                    database_url=url, secret_key=SECRET_KEY, broker_url="memory://",
                    smtp_url=f"smtp://127.0.0.1:{sink.port}?timeout=10",
                    mail_from="talkback@localhost", public_url="http://localhost:8000",
                    outbox_worker="off",
                )
            )  # fmt: skip
            try:
                await migrate(context.database)
                await outbox_round(context, sink, min(100, mails))  # warm-up, untimed
                await bare_round(sink, min(100, mails))
                outbox_rounds, bare_rounds = [], []
                for _ in range(rounds):
                    outbox_rounds.append(await outbox_round(context, sink, mails))
                    bare_rounds.append(await bare_round(sink, mails))
            finally:
                await context.close()
    figures = {}
    for side, timings in (("outbox", outbox_rounds), ("bare", bare_rounds)):
        figures[f"{side}_per_second"] = round(mails / statistics.median(t[0] for t in timings), 1)
        figures[f"{side}_cpu_ms"] = round(
            statistics.median(t[1] for t in timings) * 1000 / mails, 2
        )
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=2000, choices=range(100, 50_001),
                        metavar="100..50000")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=3, choices=range(1, 21), metavar="1..20")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and not postgresql_reachable():
        if args.backend == "postgresql":
            parser.error(f"PostgreSQL is not reachable on {PG_HOST}:5432")
        print(f"PostgreSQL is not reachable on {PG_HOST}:5432: SQLite only")
        backends.remove("postgresql")
    for backend in backends:
        figures = asyncio.run(run(backend, args.mails, args.rounds))
        ours, bare = figures["outbox_per_second"], figures["bare_per_second"]
        print(
            f"{backend}: outbox {ours} mails/s ({figures['outbox_cpu_ms']} CPU ms/mail), "
            f"bare aiosmtplib loop {bare} mails/s ({figures['bare_cpu_ms']} CPU ms/mail), "
            f"median of {args.rounds} rounds of {args.mails}; outbox / bare: {ours / bare:.1%}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
