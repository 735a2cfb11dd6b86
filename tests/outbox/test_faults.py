"""The outbox under faults, with real SMTP: the server down for a while, the worker killed
mid-batch, two workers at once. Every queued mail arrives, none under two Message-IDs.

A mail may arrive twice only under one Message-ID (sent, then the worker died before
marking it), which the receiving side recognises; the tests count those and print every
tally (`pytest -s`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from talkback.context import Context
from talkback.store.database import Database
from talkback.store.migrate import migrate
from talkback.store.tables import outbox_attempts
from tests.api.conftest import reset
from tests.conftest import throwaway_postgres_database
from tests.mail_sink import MailSink
from tests.outbox.harness import (
    SlowMailSink,
    WorkerProcess,
    poll,
    prepared_database,
    queue_check_mails,
    settings,
    status_counts,
    tally,
    worker_env,
)

DOWN_MAILS = 50
KILLED_MAILS = 200
SHARED_MAILS = 300
BATCH = 50  # WorkerOptions.batch_size: at most one batch is in flight at a kill


async def _all_sent(database: Database, count: int, within: float) -> None:
    async def check() -> bool:
        return await status_counts(database) == {"sent": count}

    await poll(check, within=within, what=f"all {count} mails sent")


async def test_mail_queued_while_the_smtp_server_is_down_is_delivered_once_when_it_is_back(
    database_url: str,
) -> None:
    sink = MailSink()  # not started: connections to its port are refused
    context = Context.from_settings(
        settings(database_url, sink.url, outbox_poll_seconds=0.05,
                 outbox_first_retry_seconds=0.1)
    )  # fmt: skip
    await migrate(context.database)
    await reset(context)
    stop = asyncio.Event()
    worker = asyncio.create_task(context.outbox.worker.run(stop))
    try:
        await queue_check_mails(context.database, DOWN_MAILS)

        async def every_mail_failed_once() -> bool:
            failed = await context.database.read_rows(
                select(outbox_attempts.c.outbox_id).where(~outbox_attempts.c.ok).distinct()
            )
            return len(failed) == DOWN_MAILS

        await poll(every_mail_failed_once, within=30, what="every mail tried and failed")
        counts = await status_counts(context.database)
        assert set(counts) <= {"pending", "sending"}, counts  # retrying, none given up
        assert not sink.messages

        sink.start()
        await _all_sent(context.database, DOWN_MAILS, within=60)
        result = await tally(context.database, sink)
        print(result.line(f"SMTP down then up ({database_url.split(':')[0]})"))
        assert (result.delivered, result.lost, result.unknown) == (DOWN_MAILS, 0, 0)
        assert (result.received_twice, result.distinct_duplicates) == (0, 0)
        attempts = await context.database.read_rows(select(outbox_attempts.c.ok))
        assert sum(a.ok for a in attempts) == DOWN_MAILS
        assert sum(not a.ok for a in attempts) >= DOWN_MAILS
    finally:
        stop.set()
        context.outbox.worker.wake()
        await asyncio.wait_for(worker, timeout=30)
        await context.close()
        sink.stop()


@pytest.fixture
def slow_sink() -> Iterator[SlowMailSink]:
    sink = SlowMailSink(delay_seconds=0.01)
    sink.start()
    yield sink
    sink.stop()


async def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_only_by_message_id(
    tmp_path: Path, slow_sink: SlowMailSink
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'talkback.db'}"
    await prepared_database(database_url, KILLED_MAILS)
    env = worker_env(database_url, tmp_path, slow_sink.url, TALKBACK_OUTBOX_LEASE_SECONDS="2")
    first = WorkerProcess(env, tmp_path / "worker-1.log")
    try:
        await first.ready()

        async def some_arrived() -> bool:
            return slow_sink.count() >= BATCH // 2

        await poll(some_arrived, within=60, what="some mails delivered by the first worker")
        first.kill()
    finally:
        first.ensure_gone()
    at_kill = slow_sink.count()
    assert at_kill < KILLED_MAILS, "the kill came after the last mail: nothing was tested"

    database = Database(database_url)
    second = WorkerProcess(env, tmp_path / "worker-2.log")
    try:
        await second.ready()
        await _all_sent(database, KILLED_MAILS, within=90)
        assert second.stop() == 0, second.output()
        result = await tally(database, slow_sink)
    finally:
        second.ensure_gone()
        await database.close()
    print(result.line(f"SIGKILL after {at_kill} mails, then a second worker"))
    assert (result.delivered, result.lost, result.unknown) == (KILLED_MAILS, 0, 0)
    assert result.distinct_duplicates == 0
    assert result.received_twice <= BATCH


@pytest.fixture
def shared_postgres() -> Iterator[str]:
    with throwaway_postgres_database("talkback_outbox_faults") as url:
        yield url


@pytest.mark.services
@pytest.mark.parametrize(
    ("lease_seconds", "delay_seconds"),
    [("60", 0.01), ("1", 0.03)],  # the second: a batch of 50 takes longer than the lease
    ids=["long-lease", "batch-outlives-lease"],
)
async def test_two_workers_on_postgresql_send_each_message_once(
    tmp_path: Path, shared_postgres: str, lease_seconds: str, delay_seconds: float
) -> None:
    slow_sink = SlowMailSink(delay_seconds)
    slow_sink.start()
    try:
        await _two_workers(tmp_path, shared_postgres, slow_sink, lease_seconds)
    finally:
        slow_sink.stop()


async def _two_workers(
    tmp_path: Path, shared_postgres: str, slow_sink: SlowMailSink, lease_seconds: str
) -> None:
    await prepared_database(shared_postgres, 0)
    env = worker_env(
        shared_postgres, tmp_path, slow_sink.url, TALKBACK_OUTBOX_LEASE_SECONDS=lease_seconds
    )
    workers = [WorkerProcess(env, tmp_path / f"worker-{n}.log") for n in (1, 2)]
    database = Database(shared_postgres)
    try:
        for worker in workers:
            await worker.ready()
        await queue_check_mails(database, SHARED_MAILS)
        await _all_sent(database, SHARED_MAILS, within=120)
        for worker in workers:
            assert worker.stop() == 0, worker.output()
        result = await tally(database, slow_sink)
        senders = await database.read_rows(
            select(outbox_attempts.c.worker).where(outbox_attempts.c.ok)
        )
    finally:
        for worker in workers:
            worker.ensure_gone()
        await database.close()
    print(result.line(f"two workers on PostgreSQL, lease {lease_seconds}s"))
    assert (result.delivered, result.lost, result.unknown) == (SHARED_MAILS, 0, 0)
    assert (result.received_twice, result.distinct_duplicates) == (0, 0)
    shares = {row.worker: 0 for row in senders}
    for row in senders:
        shares[row.worker] += 1
    print(f"two workers on PostgreSQL: mails per worker {sorted(shares.values())}")
    assert len(shares) == 2, shares
