"""The SQLite writer's connection: aiosqlite's interface, run on the event loop's own thread.

aiosqlite sends every call (new cursor, execute, fetch, close) to a thread of its own and
wakes the event loop with the answer: a statement through SQLAlchemy costs four such round
trips, each waiting for the loop to come round again, which under load is most of a post's
cost. The writer's statements are small indexed writes that SQLite finishes in tens of
microseconds (WAL, `synchronous=NORMAL`: a commit does not wait for the disk), so doing
them inline costs the loop less than the round trips did.

Two things could still block the loop, and the writer keeps both off it:
- waiting for another process's write lock: the writer takes the cross-process lock
  (`write_lock.py`) in a thread before it begins, so SQLite never has to wait for it;
- checkpoints, which write the WAL back into the database and wait for the disk: the
  writer's connection never checkpoints by itself (`wal_autocheckpoint=0`); the writer runs
  them on a reading connection, in aiosqlite's thread.

Everything else about the connection is aiosqlite's: SQLAlchemy's aiosqlite dialect drives
it unchanged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator
from typing import Any

import aiosqlite


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run where they are awaited, with no thread."""

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        return fn(*args, **kwargs)

    def __await__(self) -> Generator[Any, None, InlineConnection]:
        return self._open().__await__()

    async def _open(self) -> InlineConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    def stop(self) -> None:
        self._running = False
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def close(self) -> None:
        self.stop()


def inline_connector(path: str) -> Callable[[], Any]:
    """An `async_creator` for SQLAlchemy: a new inline connection to the file at `path`."""

    async def connect() -> InlineConnection:
        # The loop's thread opens and uses the connection, as sqlite3 expects by default.
        return await InlineConnection(lambda: sqlite3.connect(path, isolation_level=None))

    return connect
