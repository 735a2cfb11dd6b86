"""The worker that delivers the outbox: lease a batch, deliver each, record the outcome.

Rows are leased, not locked for the length of a delivery: a batch is claimed in one short
transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers never claim the
same row; SQLite has one writer, which serialises claims), then delivered outside any
transaction. While the batch is out the worker renews its lease, so a slow batch is not
taken over by another worker; a worker killed mid-batch stops renewing, and once
`leased_until` passes any worker takes its rows again, with the same `message_id`.

A message is only started while this worker still holds its lease with time to spare,
and an outcome is only recorded while it still does (the `lease_owner` guard), so a worker
that outlived its lease can neither send what another took over nor overwrite its result.

Outcomes are recorded in groups of up to `RECORD_GROUP`, in one transaction each, while
the next deliveries go on. A crash can thus leave a few sent messages unmarked (sent
again later, under the same Message-ID); it never leaves one marked and unsent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback import clock
from talkback.outbox.backoff import FIRST_RETRY_SECONDS, MAX_ATTEMPTS, retry_delay
from talkback.outbox.messages import OutboxItem
from talkback.store.database import Database
from talkback.store.tables import outbox, outbox_attempts

log = logging.getLogger(__name__)


class DeliveryFailed(Exception):
    """The receiver did not take the message; `permanent` skips the remaining retries
    (a webhook endpoint that was deleted, an address the server refuses for good)."""

    def __init__(
        self, error: str, *, status_code: int | None = None, permanent: bool = False
    ) -> None:
        super().__init__(error)
        self.error = error
        self.status_code = status_code
        self.permanent = permanent


class NothingToSend(Exception):
    """By its turn the message had nothing left to say (its comments were deleted, its
    subscription removed): it is marked `dropped` with this reason, not retried."""


Handler = Callable[[OutboxItem], Awaitable[int | None]]
"""Delivers one item; returns the receiver's status code where there is one (webhooks)."""


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    batch_size: int = 50
    lease_seconds: float = 60.0
    poll_seconds: float = 0.5
    first_retry_seconds: float = FIRST_RETRY_SECONDS
    concurrency: int = 8
    """Deliveries of one batch in flight at once: webhooks to slow receivers overlap;
    mail queues for the one SMTP connection, rendering the next while one is sent."""
    keep_days: float = 30.0
    """Sent and dropped messages are deleted this long after; failed ones stay until
    staff retry them."""


PRUNE_EVERY_SECONDS = 3600.0


def worker_name() -> str:
    """The lease owner: host and process id to tell workers apart in the attempt log,
    and a random part so that two workers can never share a name."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass(slots=True)
class _Outcome:
    item: OutboxItem
    status: str  # sent | pending (to retry) | failed | dropped
    duration_ms: int
    error: str | None = None
    status_code: int | None = None
    not_before: datetime | None = None


@dataclass(slots=True)
class _Lease:
    """What this worker holds of a batch, and until when (on its monotonic clock)."""

    held: set[int]
    valid_until: float
    seconds: float

    def holds(self, outbox_id: int) -> bool:
        """Held, with at least a third of the lease left for the delivery itself."""
        return outbox_id in self.held and time.monotonic() < self.valid_until - self.seconds / 3


RECORD_GROUP = 10
"""Outcomes recorded in one transaction once this many are waiting: one write per message
cost as much as the send itself; at a crash at most this many sent messages (plus those in
flight) are left unmarked, to be sent again under their Message-IDs."""
RECORD_DELAY_SECONDS = 0.2
"""The longest an outcome waits for its group (slow webhooks fill groups slowly)."""


@dataclass(slots=True)
class _Recorder:
    """Records outcomes in groups, each in one transaction, while deliveries go on."""

    database: Database
    owner: str
    pending: list[_Outcome] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    full: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, outcome: _Outcome) -> None:
        self.pending.append(outcome)
        if len(self.pending) >= RECORD_GROUP:
            self.full.set()
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._record_pending())

    async def _record_pending(self) -> None:
        while self.pending:
            if not self.full.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.full.wait(), timeout=RECORD_DELAY_SECONDS)
            group, self.pending = self.pending, []
            self.full.clear()
            try:
                await self.database.write(partial(_record, outcomes=group, owner=self.owner))
            except Exception:
                # Kept for the next try; if none succeeds, the lease runs out and the
                # messages are sent again under their Message-IDs.
                log.exception("event=outbox_record_failed count=%d", len(group))
                self.pending[:0] = group
                return

    async def close(self) -> None:
        """Record everything still waiting, now."""
        self.full.set()
        if self.task is not None:
            await self.task
        if self.pending:
            await self._record_pending()


class OutboxWorker:
    def __init__(
        self,
        database: Database,
        handlers: Mapping[str, Handler],
        options: WorkerOptions | None = None,
    ) -> None:
        self._database = database
        self._handlers = handlers
        self.options = options or WorkerOptions()
        self.owner = worker_name()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look at the outbox now rather than at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; a failing round is logged and retried next poll.

        Once `stop` is set no further message is started: those in flight are finished
        and recorded, and the rest of the batch is handed back at once."""
        next_prune = time.monotonic()
        while not stop.is_set():
            if time.monotonic() >= next_prune:
                next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
                try:
                    await self.prune()
                except Exception:
                    log.exception("event=outbox_prune_failed")
            # Cleared before the look, not after: a change committed while this round
            # looks leaves the flag set, and the next round starts without waiting.
            self._wake.clear()
            try:
                delivered = await self.run_once(stop)
            except Exception:
                log.exception("event=outbox_round_failed")
                delivered = 0
            if delivered:
                continue
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            _, pending = await asyncio.wait(
                waiters, timeout=self.options.poll_seconds, return_when=asyncio.FIRST_COMPLETED
            )
            for waiter in pending:
                waiter.cancel()

    async def prune(self) -> int:
        """Delete what was delivered (or dropped) more than `keep_days` ago, attempts
        and all: the outbox is a queue and a recent log, not an archive of addresses."""
        before = clock.now() - timedelta(days=self.options.keep_days)
        done = outbox.c.status.in_(("sent", "dropped"))
        finished = func.coalesce(outbox.c.sent_at, outbox.c.created_at) < before

        async def job(conn: AsyncConnection) -> int:
            gone = await conn.execute(delete(outbox).where(done, finished))
            return int(gone.rowcount)

        return await self._database.write(job)

    async def run_once(self, stop: asyncio.Event | None = None) -> int:
        """Claim one batch and deliver it; returns how many items were claimed."""
        # A claim is a write (on SQLite it waits its turn behind every comment being
        # posted), so first ask with a plain read whether anything is due at all.
        if not await self._anything_due():
            return 0
        claimed_at = time.monotonic()
        items = await self._database.write(self._claim)
        if items:
            lease = _Lease(
                held={item.id for item in items},
                valid_until=claimed_at + self.options.lease_seconds,
                seconds=self.options.lease_seconds,
            )
            await self._deliver_batch(items, lease, stop)
        return len(items)

    async def _anything_due(self) -> bool:
        rows = await self._database.read_rows(select(outbox.c.id).where(_due(clock.now())).limit(1))
        return bool(rows)

    async def _claim(self, conn: AsyncConnection) -> list[OutboxItem]:
        now = clock.now()
        due = (
            select(outbox.c.id)
            .where(_due(now))
            .order_by(outbox.c.not_before, outbox.c.id)
            .limit(self.options.batch_size)
            .with_for_update(skip_locked=True)
        )
        ids = list((await conn.execute(due)).scalars())
        if not ids:
            return []
        await conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(ids))
            .values(
                status="sending",
                lease_owner=self.owner,
                leased_until=now + timedelta(seconds=self.options.lease_seconds),
            )
        )
        rows = await conn.execute(select(outbox).where(outbox.c.id.in_(ids)).order_by(outbox.c.id))
        return [OutboxItem.from_row(row) for row in rows]

    async def _deliver_batch(
        self, items: Sequence[OutboxItem], lease: _Lease, stop: asyncio.Event | None
    ) -> None:
        recorder = _Recorder(self._database, self.owner)
        waiting: Iterator[OutboxItem] = iter(items)
        started: set[int] = set()

        async def deliver_in_turn() -> None:
            for item in waiting:
                if stop is not None and stop.is_set():
                    return
                if not lease.holds(item.id):
                    log.warning("event=outbox_lease_lost id=%s", item.id)
                    continue
                started.add(item.id)
                recorder.add(await self._attempt(item))

        renewing = asyncio.create_task(self._keep_lease(lease))
        try:
            lanes = min(self.options.concurrency, len(items))
            await asyncio.gather(*(deliver_in_turn() for _ in range(lanes)))
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing
            await recorder.close()
            unstarted = [item.id for item in items if item.id not in started]
            if unstarted and lease.held:
                await self._database.write(lambda conn: self._release(conn, unstarted))

    async def _keep_lease(self, lease: _Lease) -> None:
        """Renew the lease on the batch's unfinished rows every third of its length;
        rows another worker took over meanwhile are no longer held."""
        while True:
            await asyncio.sleep(lease.seconds / 3)
            renewed_at = time.monotonic()
            try:
                held = await self._database.write(lambda conn: self._renew(conn, lease.held))
            except Exception:
                log.exception("event=outbox_lease_renewal_failed")
                continue
            lease.held &= held
            lease.valid_until = renewed_at + lease.seconds

    async def _renew(self, conn: AsyncConnection, ids: set[int]) -> set[int]:
        if not ids:
            return set()
        until = clock.now() + timedelta(seconds=self.options.lease_seconds)
        rows = await conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(ids), *_held_by(self.owner))
            .values(leased_until=until)
            .returning(outbox.c.id)
        )
        return set(rows.scalars())

    async def _release(self, conn: AsyncConnection, ids: list[int]) -> None:
        """Hand back what was claimed but never started (the worker is stopping)."""
        await conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(ids), *_held_by(self.owner))
            .values(status="pending", lease_owner=None, leased_until=None)
        )

    async def _attempt(self, item: OutboxItem) -> _Outcome:
        handler = self._handlers.get(item.kind)
        started = time.perf_counter()

        def outcome(status: str, **details: Any) -> _Outcome:
            duration_ms = int((time.perf_counter() - started) * 1000)
            return _Outcome(item, status, duration_ms, **details)

        try:
            if handler is None:
                raise DeliveryFailed(f"no handler for messages of kind {item.kind!r}")
            status_code = await handler(item)
        except NothingToSend as exc:
            return outcome("dropped", error=str(exc))
        except DeliveryFailed as exc:
            return self._failure(item, exc, outcome)
        except Exception as exc:  # a bug in a handler must not stop the others
            log.exception("event=outbox_handler_failed kind=%s id=%s", item.kind, item.id)
            return self._failure(item, DeliveryFailed(f"{type(exc).__name__}: {exc}"), outcome)
        return outcome("sent", status_code=status_code)

    def _failure(
        self, item: OutboxItem, exc: DeliveryFailed, outcome: Callable[..., _Outcome]
    ) -> _Outcome:
        attempts = item.attempts + 1
        if exc.permanent or attempts >= MAX_ATTEMPTS:
            log.warning(
                "event=outbox_gave_up id=%s kind=%s error=%s", item.id, item.kind, exc.error
            )
            return outcome("failed", error=exc.error, status_code=exc.status_code)
        retry_at = clock.now() + retry_delay(attempts, first=self.options.first_retry_seconds)
        return outcome("pending", error=exc.error, status_code=exc.status_code,
                       not_before=retry_at)  # fmt: skip


async def _record(conn: AsyncConnection, *, outcomes: Sequence[_Outcome], owner: str) -> None:
    """Record a group of outcomes, each only while `owner` still holds its lease, so a
    worker that outlived its lease cannot undo what the next one recorded."""
    now = clock.now()
    recorded: set[int] = set()
    sent = [o.item.id for o in outcomes if o.status == "sent"]
    if sent:  # the common case, in one statement
        rows = await conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(sent), *_held_by(owner))
            .values(
                status="sent",
                attempts=outbox.c.attempts + 1,
                sent_at=now,
                lease_owner=None,
                leased_until=None,
                last_error=None,
            )
            .returning(outbox.c.id)
        )
        recorded.update(rows.scalars())
    for o in outcomes:
        if o.status == "sent":
            continue
        values: dict[str, object] = {
            "status": o.status,
            "attempts": outbox.c.attempts + (0 if o.status == "dropped" else 1),
            "lease_owner": None,
            "leased_until": None,
            "last_error": o.error[:1000] if o.error else None,
        }
        if o.not_before is not None:
            values["not_before"] = o.not_before
        rows = await conn.execute(
            update(outbox)
            .where(outbox.c.id == o.item.id, *_held_by(owner))
            .values(**values)
            .returning(outbox.c.id)
        )
        recorded.update(rows.scalars())
    attempts = [
        {
            "outbox_id": o.item.id,
            "at": now,
            "ok": o.status == "sent",
            "status_code": o.status_code,
            "error": o.error[:1000] if o.error else None,
            "duration_ms": o.duration_ms,
            "worker": owner,
        }
        for o in outcomes
        if o.item.id in recorded and o.status != "dropped"
    ]
    if attempts:
        await conn.execute(insert(outbox_attempts), attempts)


def _held_by(owner: str) -> tuple[ColumnElement[bool], ...]:
    return (outbox.c.status == "sending", outbox.c.lease_owner == owner)


def _due(now: datetime) -> ColumnElement[bool]:
    """Waiting and due, or leased by a worker that has not finished in time."""
    return or_(
        and_(outbox.c.status == "pending", outbox.c.not_before <= now),
        and_(outbox.c.status == "sending", outbox.c.leased_until < now),
    )


async def retry_now(conn: AsyncConnection, outbox_id: int) -> bool:
    """Put a `failed` message back in line (staff asked); False when it was not failed."""
    result = await conn.execute(
        update(outbox)
        .where(outbox.c.id == outbox_id, outbox.c.status == "failed")
        .values(status="pending", not_before=clock.now(), attempts=0)
    )
    return bool(result.rowcount)
