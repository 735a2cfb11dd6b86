"""What the outbox fault tests share: a slow SMTP sink, `talkback worker` as a real
process, check mails queued in bulk, and a tally of what arrived against what was queued."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from aiosmtpd.controller import Controller
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback.config import Settings
from talkback.context import Context
from talkback.mail.check_mail import queue_check_mail
from talkback.store.database import Database
from talkback.store.migrate import migrate
from talkback.store.tables import outbox
from tests.mail_sink import MailSink, _Keeper

SECRET = "outbox-fault-test-secret-key"
MAIL_FROM = "talkback@news.example"
READY_LINE = "delivering the outbox"


class _SlowKeeper(_Keeper):
    def __init__(self, sink: SlowMailSink) -> None:
        super().__init__(sink)
        self._delay = sink.delay_seconds

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self._delay)
        return await super().handle_DATA(server, session, envelope)


class SlowMailSink(MailSink):
    """A MailSink that takes `delay_seconds` over each message, as a busy relay does, so a
    worker's batch lasts long enough to be interrupted in the middle."""

    def __init__(self, delay_seconds: float, port: int | None = None) -> None:
        super().__init__(port)
        self.delay_seconds = delay_seconds

    def start(self) -> None:
        self._controller = Controller(_SlowKeeper(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def count(self) -> int:
        with self.lock:
            return len(self.messages)


def settings(database_url: str, smtp_url: str, **overrides: Any) -> Settings:
    return Settings(
        database_url=database_url, secret_key=SECRET, smtp_url=smtp_url, mail_from=MAIL_FROM,
        broker_url="memory://", outbox_worker="off", **overrides,
    )  # fmt: skip


async def queue_check_mails(database: Database, count: int) -> None:
    """`count` check mails, to r0@… r{count-1}@…, in one transaction."""

    async def job(conn: AsyncConnection) -> None:
        for n in range(count):
            await queue_check_mail(conn, f"r{n}@example.org", requested_by="fault test")

    await database.write(job)


async def prepared_database(database_url: str, mails: int) -> None:
    """Migrate the database and queue `mails` check mails, then let it go (a process
    that is not the worker did it, as `talkback mail check` would)."""
    context = Context.from_settings(settings(database_url, "smtp://127.0.0.1:25"))
    try:
        await migrate(context.database)
        await queue_check_mails(context.database, mails)
    finally:
        await context.close()


async def status_counts(database: Database) -> dict[str, int]:
    counted = select(outbox.c.status, func.count().label("n")).group_by(outbox.c.status)
    return {row.status: row.n for row in await database.read_rows(counted)}


async def poll(
    check: Callable[[], Awaitable[bool]], *, within: float, what: str, every: float = 0.05
) -> None:
    """Wait until `check()` holds, at most `within` seconds."""
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s: {what}")
        await asyncio.sleep(every)


@dataclass(frozen=True, slots=True)
class Tally:
    """What arrived at the SMTP server against what the outbox holds."""

    expected: int
    delivered: int  # distinct expected Message-IDs received
    lost: int  # expected, never received
    received_twice: int  # extra copies of one Message-ID (recognisable duplicates)
    unknown: int  # Message-IDs no outbox row has
    distinct_duplicates: int  # recipients sent two different Message-IDs

    def line(self, label: str) -> str:
        return (
            f"{label}: delivered {self.delivered}/{self.expected}, lost {self.lost}, "
            f"same Message-ID twice {self.received_twice}, "
            f"distinct duplicates {self.distinct_duplicates}, unknown {self.unknown}"
        )


async def tally(database: Database, sink: MailSink) -> Tally:
    rows = await database.read_rows(select(outbox.c.message_id, outbox.c.recipient))
    domain = MAIL_FROM.rpartition("@")[2]
    expected = {f"<{row.message_id}@{domain}>": row.recipient for row in rows}
    with sink.lock:
        received = Counter(str(m["Message-ID"]) for m in sink.messages)
        per_recipient: dict[str, set[str]] = defaultdict(set)
        for message in sink.messages:
            per_recipient[str(message["To"])].add(str(message["Message-ID"]))
    return Tally(
        expected=len(expected),
        delivered=len(expected.keys() & received.keys()),
        lost=len(expected.keys() - received.keys()),
        received_twice=sum(count - 1 for count in received.values()),
        unknown=len(received.keys() - expected.keys()),
        distinct_duplicates=sum(1 for ids in per_recipient.values() if len(ids) > 1),
    )


def worker_env(database_url: str, data_dir: Path, smtp_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALKBACK_")}
    env.update(
        TALKBACK_DATABASE_URL=database_url,
        TALKBACK_SECRET_KEY=SECRET,
        TALKBACK_SMTP_URL=smtp_url,
        TALKBACK_MAIL_FROM=MAIL_FROM,
        TALKBACK_DATA_DIR=str(data_dir),
        TALKBACK_BROKER_URL="memory://",
        TALKBACK_OUTBOX_POLL_SECONDS="0.1",
        TALKBACK_OUTBOX_FIRST_RETRY_SECONDS="0.2",
        **extra,
    )
    return env


class WorkerProcess:
    """`talkback worker` in a child process, its output in a log file."""

    def __init__(self, env: dict[str, str], log_path: Path, *args: str) -> None:
        self.log_path = log_path
        self._log: IO[bytes] = log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "talkback", *(args or ("worker",))],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    async def ready(self, within: float = 30.0) -> None:
        """Wait until the worker says it delivers (its signal handlers are in place)."""

        async def check() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited early:\n{self.output()}")
            return READY_LINE in self.output()

        await poll(check, within=within, what="worker ready", every=0.1)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=15)

    def stop(self, signum: int = signal.SIGTERM, within: float = 30.0) -> int:
        """Send `signum`, wait for the exit, return the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=within)
        finally:
            self._log.close()

    def ensure_gone(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=15)
        self._log.close()


async def run_cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    """`talkback ARGS` as a process; its exit code and output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "talkback", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    return await process.wait(), output.decode(errors="replace")
