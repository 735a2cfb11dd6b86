"""Recently looked-up thread versions, so a cached page can be served without the database.

A thread's state is trusted for FRESH_SECONDS after it was read, or until the thread is
forgotten, whichever comes first (reads answered from memory may use it for up to
STALE_SECONDS while one of them looks it up again: `recall_or_refresh`). This node forgets
a thread when a change to it is dispatched here (`events/`), and when another node's
change reaches it through the live broker. Writes made by another process without a
broker (an import run from the command line on SQLite) therefore show within
STALE_SECONDS. A generation number per thread keeps a lookup that raced with a change
from storing the state the change outdated.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

FRESH_SECONDS = 1.0
STALE_SECONDS = 2.0
"""The longest an expired state still answers while its lookup is under way."""


@dataclass(frozen=True, slots=True)
class ThreadState:
    id: int
    version: int
    title: str | None
    count: int
    # What decides whether the thread is closed (`core/closing.py`): a closed thread's
    # page says so, and its cached page is keyed by it (the site's clock can close it).
    created_at: datetime | None = None
    close_override: str | None = None
    close_message: str | None = None


@dataclass(frozen=True, slots=True)
class _Entry:
    state: ThreadState | None
    read_at: float


ThreadKey = tuple[str, str]
"""(site id, uri): a page, which may have no thread row yet."""


class ThreadStates:
    def __init__(self, capacity: int = 100_000) -> None:
        self._capacity = capacity
        self._entries: dict[ThreadKey, _Entry] = {}
        self._generations: dict[ThreadKey, int] = {}
        self._refreshing: set[ThreadKey] = set()

    def recall(self, key: ThreadKey) -> tuple[bool, ThreadState | None]:
        """(known, state): `state` None with `known` True means "no thread yet"."""
        entry = self._entries.get(key)
        if entry is None or time.monotonic() - entry.read_at > FRESH_SECONDS:
            return False, None
        return True, entry.state

    def recall_or_refresh(self, key: ThreadKey) -> tuple[bool, ThreadState | None, bool]:
        """(known, state, refresh): as `recall`, but an expired state is still known for up
        to STALE_SECONDS, and `refresh` is True for the one caller that should look it up
        again (the others keep answering from the expired state meanwhile).

        Why: under load every request in flight when a state expired used to miss at
        once and look it up (64 lookups a second per thread at 64 connections), which
        was the p99 of cached reads. Only writes this node did not hear of (none, with a
        broker) can show up to STALE_SECONDS late instead of FRESH_SECONDS.
        """
        entry = self._entries.get(key)
        if entry is None:
            return False, None, False
        age = time.monotonic() - entry.read_at
        if age <= FRESH_SECONDS:
            return True, entry.state, False
        if age > STALE_SECONDS:
            return False, None, False
        if key in self._refreshing:
            return True, entry.state, False
        self._refreshing.add(key)
        return True, entry.state, True

    def generation(self, key: ThreadKey) -> int:
        return self._generations.get(key, 0)

    def remember(self, key: ThreadKey, state: ThreadState | None, generation: int) -> None:
        self._refreshing.discard(key)
        if self._generations.get(key, 0) != generation:
            return
        if len(self._entries) >= self._capacity:
            self._entries.clear()
        self._entries[key] = _Entry(state, time.monotonic())

    def forget(self, site_id: str, uri: str) -> None:
        """The thread changed: look it up afresh next time."""
        key = (site_id, uri)
        self._entries.pop(key, None)
        self._refreshing.discard(key)
        self._generations[key] = self._generations.get(key, 0) + 1
        if len(self._generations) > self._capacity:
            self._generations.clear()
