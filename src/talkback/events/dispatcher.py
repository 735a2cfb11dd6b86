"""The one path after every write: run the job, commit, then tell every consumer.

A service hands `Dispatcher.write` a job that makes its changes and records what it
changed (`Changes.record`). Consumers come in two kinds:

- in-transaction consumers run inside the job's transaction, after the job, with its
  events: what must be stored with the change or not at all (the mail and webhook
  outbox). If one fails, the whole change is rolled back and the caller gets the error.
- after-commit consumers run once the change is committed, one event at a time, in the
  order they subscribed: caches forget what changed, then open widgets hear of it. They
  are best effort: the change is safe already, and a failing consumer is logged and
  skipped without keeping the others from their turn (a widget that missed an event
  catches up from the thread page; a cache entry expires on its own).

Where a new feature hooks in: subscribe in `Context.__post_init__` (`context.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from talkback.events.changes import ChangeEvent
from talkback.store.database import Database

T = TypeVar("T")

log = logging.getLogger(__name__)


class Changes:
    """The events one write job records, in the order it made the changes."""

    __slots__ = ("events",)

    def __init__(self) -> None:
        self.events: list[ChangeEvent] = []

    def record(self, event: ChangeEvent) -> None:
        self.events.append(event)


ChangeJob = Callable[[AsyncConnection, Changes], Awaitable[T]]
InTransaction = Callable[[AsyncConnection, Sequence[ChangeEvent]], Awaitable[None]]
AfterCommit = Callable[[ChangeEvent], Awaitable[None]]


class Dispatcher:
    """Writes through the database's one write path and fans the events out."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._in_transaction: list[InTransaction] = []
        self._after_commit: list[AfterCommit] = []

    def in_transaction(self, consumer: InTransaction) -> None:
        self._in_transaction.append(consumer)

    def after_commit(self, consumer: AfterCommit) -> None:
        self._after_commit.append(consumer)

    async def write(self, job: ChangeJob[T]) -> T:
        """Run `job` in a transaction; once committed, dispatch what it recorded and
        return its result. A job that raises records nothing and dispatches nothing."""
        consumers = self._in_transaction

        async def run(conn: AsyncConnection) -> tuple[T, list[ChangeEvent]]:
            changes = Changes()
            result = await job(conn, changes)
            if changes.events:
                for consumer in consumers:
                    await consumer(conn, changes.events)
            return result, changes.events

        result, events = await self._database.write(run)
        await self.dispatch(events)
        return result

    async def dispatch(self, events: Sequence[ChangeEvent]) -> None:
        """Tell every after-commit consumer of each event (already committed)."""
        for event in events:
            for consumer in self._after_commit:
                try:
                    await consumer(event)
                except Exception:
                    log.exception(
                        "event=change_consumer_failed consumer=%s change=%s",
                        getattr(consumer, "__qualname__", consumer),
                        type(event).__name__,
                    )
