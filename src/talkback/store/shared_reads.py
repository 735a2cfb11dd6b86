"""Reads many requests ask for at the same moment, done once and shared.

A thread nobody has read for a while (this morning's article, or one a push notification
has just sent readers to) is asked for by every open connection at once. Each used to look
up the thread's state and render the page itself: measured at 64 connections, 64 copies of
one page kept every reader waiting up to 0.3 s, which was the whole p99 tail of cached
reads (issue 13). Now the first request does the read and the others await its result.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
Start = Callable[[Coroutine[Any, Any, Any]], "asyncio.Task[Any]"]


class SharedReads:
    """One read in flight per key; callers asking for a key already being read wait for
    that read instead of starting their own."""

    def __init__(self, start: Start) -> None:
        self._start = start
        """Runs the read as a task of its own (the context's, so closing waits for it):
        a caller that goes away (its client hung up) must not cancel the read for the
        others waiting on it."""
        self._running: dict[Hashable, asyncio.Task[Any]] = {}

    async def read(self, key: Hashable, read: Callable[[], Coroutine[Any, Any, T]]) -> T:
        task = self._running.get(key)
        if task is None:
            task = self._start(read())
            self._running[key] = task
            task.add_done_callback(lambda done: self._finished(key, done))
        result: T = await asyncio.shield(task)
        return result

    def _finished(self, key: Hashable, task: asyncio.Task[Any]) -> None:
        if self._running.get(key) is task:
            del self._running[key]
