"""The worker's rules one at a time: backoff, a failing handler, leases, stopping.

Check mails (the kind `talkback mail check` queues) go to a real SMTP server on loopback.
"""

from __future__ import annotations

import asyncio
import random
import statistics
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from talkback.context import Context
from talkback.mail.check_mail import KIND
from talkback.outbox.backoff import LONGEST_WAIT_SECONDS, MAX_ATTEMPTS, retry_delay
from talkback.outbox.messages import OutboxItem
from talkback.outbox.worker import DeliveryFailed, Handler, OutboxWorker, WorkerOptions
from talkback.store.migrate import migrate
from talkback.store.tables import outbox, outbox_attempts
from tests.api.conftest import reset
from tests.conftest import FrozenClock
from tests.mail_sink import MailSink, _Keeper
from tests.outbox.harness import poll, queue_check_mails, settings


@pytest.fixture
def seeded_random() -> Iterator[None]:
    state = random.getstate()
    random.seed(2026)
    yield
    random.setstate(state)


@pytest.mark.usefixtures("seeded_random")
def test_backoff_grows_and_is_jittered_within_bounds() -> None:
    first = 10.0
    medians = []
    for attempts in range(1, MAX_ATTEMPTS + 1):
        cap = min(LONGEST_WAIT_SECONDS, first * 2 ** (attempts - 1))
        delays = [retry_delay(attempts, first=first).total_seconds() for _ in range(300)]
        assert all(first / 2 <= d <= cap for d in delays), (attempts, min(delays), max(delays))
        assert len(set(delays)) > 250, "no jitter: failures at once would retry at once"
        medians.append(statistics.median(delays))
    capped = next(n for n in range(1, 50) if first * 2 ** (n - 1) >= LONGEST_WAIT_SECONDS)
    assert medians[: capped - 1] == sorted(medians[: capped - 1])
    assert medians[capped - 2] > 100 * medians[0]
    assert max(medians) <= LONGEST_WAIT_SECONDS


@pytest.fixture
async def context(database_url: str, mail_sink: MailSink) -> AsyncIterator[Context]:
    ctx = Context.from_settings(settings(database_url, mail_sink.url))
    await migrate(ctx.database)
    await reset(ctx)
    yield ctx
    await ctx.close()


def _worker(ctx: Context, handler: Handler | None = None, **options: float) -> OutboxWorker:
    handlers = {KIND: handler or ctx.outbox.handlers[KIND]}
    return OutboxWorker(ctx.database, handlers, WorkerOptions(**options))  # type: ignore[arg-type]


async def _rows(ctx: Context) -> list[tuple[str, str, int, str | None]]:
    rows = await ctx.database.read_rows(
        select(outbox.c.recipient, outbox.c.status, outbox.c.attempts, outbox.c.lease_owner)
        .order_by(outbox.c.id)
    )  # fmt: skip
    return [(r.recipient, r.status, r.attempts, r.lease_owner) for r in rows]


async def test_a_handler_raising_a_bug_does_not_stop_the_rest_of_the_batch(
    context: Context, mail_sink: MailSink
) -> None:
    send = context.outbox.handlers[KIND]

    async def buggy_for_r1(item: OutboxItem) -> int | None:
        if item.recipient == "r1@example.org":
            raise KeyError("payload field")
        return await send(item)

    await queue_check_mails(context.database, 5)
    assert await _worker(context, buggy_for_r1).run_once() == 5
    delivered = await mail_sink.until(4)
    assert sorted(str(m["To"]) for m in delivered) == [f"r{n}@example.org" for n in (0, 2, 3, 4)]
    statuses = {recipient: status for recipient, status, _, _ in await _rows(context)}
    assert statuses.pop("r1@example.org") == "pending"
    assert set(statuses.values()) == {"sent"}
    error = await context.database.read_row(
        select(outbox.c.last_error).where(outbox.c.recipient == "r1@example.org")
    )
    assert error.last_error.startswith("KeyError")


async def test_a_late_result_of_a_worker_whose_lease_expired_does_not_overwrite_the_next(
    context: Context, mail_sink: MailSink, frozen_clock: FrozenClock
) -> None:
    entered, release = asyncio.Event(), asyncio.Event()

    async def slow_then_failing(item: OutboxItem) -> int | None:
        entered.set()
        await release.wait()
        raise DeliveryFailed("451 too late")

    await queue_check_mails(context.database, 1)
    slow = _worker(context, slow_then_failing, lease_seconds=60)
    slow_round = asyncio.create_task(slow.run_once())
    await asyncio.wait_for(entered.wait(), timeout=10)
    frozen_clock.advance(seconds=61)  # the slow worker's lease has run out
    taker = _worker(context)
    assert await taker.run_once() == 1
    await mail_sink.until(1)
    release.set()
    assert await asyncio.wait_for(slow_round, timeout=10) == 1

    assert await _rows(context) == [("r0@example.org", "sent", 1, None)]
    attempts = await context.database.read_rows(
        select(outbox_attempts.c.ok, outbox_attempts.c.worker)
    )
    assert [(a.ok, a.worker) for a in attempts] == [(True, taker.owner)]
    assert len(mail_sink.messages) == 1


async def test_a_batch_longer_than_the_lease_keeps_it_and_no_other_worker_takes_over(
    context: Context, mail_sink: MailSink
) -> None:
    entered, release = asyncio.Event(), asyncio.Event()
    send = context.outbox.handlers[KIND]

    async def slow(item: OutboxItem) -> int | None:
        entered.set()
        await release.wait()
        return await send(item)

    await queue_check_mails(context.database, 1)
    slow_worker = _worker(context, slow, lease_seconds=0.3)
    slow_round = asyncio.create_task(slow_worker.run_once())
    try:
        await asyncio.wait_for(entered.wait(), timeout=10)
        claimed = await _leased_until(context)

        async def renewed_past_the_first_lease() -> bool:
            # the first lease ended 0.3 s after the claim; a renewal is due every 0.1 s
            return (await _leased_until(context) - claimed).total_seconds() > 0.3

        await poll(renewed_past_the_first_lease, within=10, what="lease renewed")
        assert await _worker(context, lease_seconds=0.3).run_once() == 0
    finally:
        release.set()
        assert await asyncio.wait_for(slow_round, timeout=10) == 1
    assert await _rows(context) == [("r0@example.org", "sent", 1, None)]
    assert len(await mail_sink.until(1)) == 1


async def _leased_until(ctx: Context) -> datetime:
    row = await ctx.database.read_row(select(outbox.c.leased_until))
    assert row.leased_until is not None
    leased_until: datetime = row.leased_until
    return leased_until


async def test_a_stopping_worker_finishes_what_it_started_and_hands_back_the_rest(
    context: Context, mail_sink: MailSink
) -> None:
    entered, release = asyncio.Event(), asyncio.Event()
    send = context.outbox.handlers[KIND]

    async def first_waits(item: OutboxItem) -> int | None:
        if item.recipient == "r0@example.org":
            entered.set()
            await release.wait()
        return await send(item)

    await queue_check_mails(context.database, 3)
    stop = asyncio.Event()
    worker = _worker(context, first_waits, concurrency=1)
    round_ = asyncio.create_task(worker.run_once(stop))
    await asyncio.wait_for(entered.wait(), timeout=10)
    stop.set()
    release.set()
    assert await asyncio.wait_for(round_, timeout=10) == 3
    assert await _rows(context) == [
        ("r0@example.org", "sent", 1, None),
        ("r1@example.org", "pending", 0, None),
        ("r2@example.org", "pending", 0, None),
    ]
    assert [str(m["To"]) for m in await mail_sink.until(1)] == ["r0@example.org"]
    assert await _worker(context).run_once() == 2  # due at once, no lease to wait out


class _RefusingRecipients(_Keeper):
    """Refuses every recipient with `answer` (say greylisting's 450)."""

    def __init__(self, sink: MailSink, answer: str) -> None:
        super().__init__(sink)
        self.answer = answer

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        return self.answer


@pytest.mark.parametrize(
    ("answer", "status"),
    [("450 4.2.1 mailbox busy, try later", "pending"), ("550 5.1.1 no such user", "failed")],
)
async def test_a_refused_recipient_is_retried_unless_the_refusal_is_final(
    database_url: str, answer: str, status: str
) -> None:
    sink = MailSink()
    controller = Controller(_RefusingRecipients(sink, answer), hostname="127.0.0.1", port=sink.port)
    controller.start()
    ctx = Context.from_settings(settings(database_url, sink.url))
    try:
        await migrate(ctx.database)
        await reset(ctx)
        await queue_check_mails(ctx.database, 1)
        assert await _worker(ctx).run_once() == 1
        assert [row[1] for row in await _rows(ctx)] == [status]
        assert not sink.messages
    finally:
        await ctx.close()
        controller.stop()
