"""Recently looked-up thread versions, so a cached page can be served without the database.

A thread's state is trusted for FRESH_SECONDS after it was read, or until a live event
about the thread arrives (every committed change is announced, on every node through the
broker), whichever comes first. Writes that are not announced, such as an import run from
the command line, therefore show within FRESH_SECONDS. A generation number per thread
keeps a lookup that raced with an event from storing the state the event outdated.
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


class ThreadStates:
    def __init__(self, capacity: int = 100_000) -> None:
        self._capacity = capacity
        self._entries: dict[str, _Entry] = {}
        self._generations: dict[str, int] = {}

    def recall(self, channel: str) -> tuple[bool, ThreadState | None]:
        """(known, state): `state` None with `known` True means "no thread yet"."""
        entry = self._entries.get(channel)
        if entry is None or time.monotonic() - entry.read_at > FRESH_SECONDS:
            return False, None
        return True, entry.state

    def generation(self, channel: str) -> int:
        return self._generations.get(channel, 0)

    def remember(self, channel: str, state: ThreadState | None, generation: int) -> None:
        if self._generations.get(channel, 0) != generation:
            return
        if len(self._entries) >= self._capacity:
            self._entries.clear()
        self._entries[channel] = _Entry(state, time.monotonic())

    def forget(self, channel: str) -> None:
        """A change to the thread was announced: look it up afresh next time."""
        self._entries.pop(channel, None)
        self._generations[channel] = self._generations.get(channel, 0) + 1
        if len(self._generations) > self._capacity:
            self._generations.clear()
