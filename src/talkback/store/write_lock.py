"""The lock that takes turns between processes writing one SQLite file.

Each server process commits its writes in groups (`database.py`); with several worker
processes on one file, only one may hold SQLite's write lock at a time. Left to SQLite, a
process that finds the lock taken sleeps and polls (its busy handler backs off up to 100 ms
a try), which under load made one worker's posts wait behind naps rather than behind the
other's commit. An advisory file lock (`flock`) beside the database instead wakes the next
process the moment the holder lets go, and waiting for it happens in a thread, so the
event loop goes on serving reads meanwhile.

Every Talkback process that writes (servers, `talkback worker`, the CLI) goes through the
same writer, so all of them take turns here; a foreign program writing the file (the
`sqlite3` shell) is still covered by SQLite's own lock and busy timeout.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from pathlib import Path


class WriteLock:
    """An exclusive lock on `<database>-writer.lock`, held for one group commit."""

    def __init__(self, database: Path) -> None:
        self._path = database.with_name(database.name + "-writer.lock")
        self._fd: int | None = None

    async def acquire(self) -> None:
        if self._fd is None:
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        waiting = asyncio.ensure_future(asyncio.to_thread(fcntl.flock, self._fd, fcntl.LOCK_EX))
        try:
            await asyncio.shield(waiting)
        except asyncio.CancelledError:
            # The thread cannot be stopped: give the lock back once it has it.
            waiting.add_done_callback(self._release_once_taken)
            raise

    def _release_once_taken(self, waiting: asyncio.Future[None]) -> None:
        if waiting.exception() is None:
            self.release()

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
