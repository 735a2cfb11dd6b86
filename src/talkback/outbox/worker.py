"""The worker that delivers the outbox: lease a batch, deliver each, record the outcome.

Rows are leased, not locked for the length of a delivery: a batch is claimed in one short
transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers never claim the
same row; SQLite has one writer, which serialises claims), then delivered outside any
transaction. A worker killed mid-batch leaves its rows `sending` until `leased_until`
passes; then any worker takes them again, with the same `message_id`.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, insert, or_, select, update
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
        self.owner = secrets.token_hex(8)
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look at the outbox now rather than at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until `stop` is set; a failing round is logged and retried next poll."""
        while not stop.is_set():
            try:
                delivered = await self.run_once()
            except Exception:
                log.exception("event=outbox_round_failed")
                delivered = 0
            if delivered:
                continue
            self._wake.clear()
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
            _, pending = await asyncio.wait(
                waiters, timeout=self.options.poll_seconds, return_when=asyncio.FIRST_COMPLETED
            )
            for waiter in pending:
                waiter.cancel()

    async def run_once(self) -> int:
        """Claim one batch and deliver it; returns how many items were handled."""
        # A claim is a write (on SQLite it waits its turn behind every comment being
        # posted), so first ask with a plain read whether anything is due at all.
        if not await self._anything_due():
            return 0
        items = await self._database.write(self._claim)
        if items:
            await asyncio.gather(*(self._deliver(item) for item in items))
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

    async def _deliver(self, item: OutboxItem) -> None:
        handler = self._handlers.get(item.kind)
        started = time.perf_counter()
        status_code: int | None = None
        try:
            if handler is None:
                raise DeliveryFailed(f"no handler for messages of kind {item.kind!r}")
            status_code = await handler(item)
        except NothingToSend as exc:
            await self._finish(item, status="dropped", error=str(exc), started=started)
        except DeliveryFailed as exc:
            await self._failed(item, exc, started)
        except Exception as exc:  # a bug in a handler must not stop the others
            log.exception("event=outbox_handler_failed kind=%s id=%s", item.kind, item.id)
            await self._failed(item, DeliveryFailed(f"{type(exc).__name__}: {exc}"), started)
        else:
            await self._finish(item, status="sent", status_code=status_code, started=started)

    async def _failed(self, item: OutboxItem, exc: DeliveryFailed, started: float) -> None:
        attempts = item.attempts + 1
        if exc.permanent or attempts >= MAX_ATTEMPTS:
            await self._finish(
                item, status="failed", error=exc.error, status_code=exc.status_code,
                started=started,
            )  # fmt: skip
            log.warning(
                "event=outbox_gave_up id=%s kind=%s error=%s", item.id, item.kind, exc.error
            )
            return
        retry_at = clock.now() + retry_delay(attempts, first=self.options.first_retry_seconds)
        await self._finish(
            item, status="pending", error=exc.error, status_code=exc.status_code,
            started=started, not_before=retry_at,
        )  # fmt: skip

    async def _finish(
        self,
        item: OutboxItem,
        *,
        status: str,
        started: float,
        error: str | None = None,
        status_code: int | None = None,
        not_before: datetime | None = None,
    ) -> None:
        """Record one attempt; only while this worker still holds the lease, so a worker
        that outlived its lease cannot undo what the next one recorded."""
        duration_ms = int((time.perf_counter() - started) * 1000)
        now = clock.now()
        values: dict[str, object] = {
            "status": status,
            "attempts": item.attempts + (0 if status == "dropped" else 1),
            "lease_owner": None,
            "leased_until": None,
            "last_error": error[:1000] if error else None,
        }
        if status == "sent":
            values["sent_at"] = now
        if not_before is not None:
            values["not_before"] = not_before

        async def job(conn: AsyncConnection) -> None:
            updated = await conn.execute(
                update(outbox)
                .where(
                    outbox.c.id == item.id,
                    outbox.c.status == "sending",
                    outbox.c.lease_owner == self.owner,
                )
                .values(**values)
            )
            if updated.rowcount and status != "dropped":
                await conn.execute(
                    insert(outbox_attempts).values(
                        outbox_id=item.id,
                        at=now,
                        ok=status == "sent",
                        status_code=status_code,
                        error=error[:1000] if error else None,
                        duration_ms=duration_ms,
                    )
                )

        await self._database.write(job)


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
