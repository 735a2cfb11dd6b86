"""The outbox as a process holds it: handlers by kind, and the worker task's lifetime."""

from __future__ import annotations

import asyncio
import contextlib

from talkback.config import Settings
from talkback.outbox.worker import Handler, OutboxWorker, WorkerOptions
from talkback.store.database import Database


class Outbox:
    """Features register the handler of each kind of message they enqueue (`handle`);
    `start` runs the worker in this process (`serve`, `demo`, `talkback worker`)."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self.handlers: dict[str, Handler] = {}
        self.worker = OutboxWorker(
            database,
            self.handlers,
            WorkerOptions(
                poll_seconds=settings.outbox_poll_seconds,
                lease_seconds=settings.outbox_lease_seconds,
                first_retry_seconds=settings.outbox_first_retry_seconds,
                keep_days=settings.outbox_keep_days,
            ),
        )
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def handle(self, kind: str, handler: Handler) -> None:
        self.handlers[kind] = handler

    def start(self) -> None:
        if self._task is None:
            self._stop.clear()
            self._task = asyncio.create_task(self.worker.run(self._stop))

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            self._stop.set()
            self.worker.wake()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(task, timeout=30)
