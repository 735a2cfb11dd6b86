"""Recently looked-up thread versions, so a cached page can be served without the database.

A thread's state is trusted for FRESH_SECONDS after it was read, or until the thread is
forgotten, whichever comes first: this node forgets a thread when a change to it is
dispatched here (`events/`), and when another node's change reaches it through the live
broker. Writes made by another process without a broker (an import run from the command
line on SQLite) therefore show within FRESH_SECONDS. A generation number per thread keeps a
lookup that raced with a change from storing the state the change outdated.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

FRESH_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class ThreadState:
    id: int
    version: int
    title: str | None
    count: int


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

    def recall(self, key: ThreadKey) -> tuple[bool, ThreadState | None]:
        """(known, state): `state` None with `known` True means "no thread yet"."""
        entry = self._entries.get(key)
        if entry is None or time.monotonic() - entry.read_at > FRESH_SECONDS:
            return False, None
        return True, entry.state

    def generation(self, key: ThreadKey) -> int:
        return self._generations.get(key, 0)

    def remember(self, key: ThreadKey, state: ThreadState | None, generation: int) -> None:
        if self._generations.get(key, 0) != generation:
            return
        if len(self._entries) >= self._capacity:
            self._entries.clear()
        self._entries[key] = _Entry(state, time.monotonic())

    def forget(self, site_id: str, uri: str) -> None:
        """The thread changed: look it up afresh next time."""
        key = (site_id, uri)
        self._entries.pop(key, None)
        self._generations[key] = self._generations.get(key, 0) + 1
        if len(self._generations) > self._capacity:
            self._generations.clear()
