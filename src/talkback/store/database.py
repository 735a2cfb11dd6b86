"""The database handle every service uses: `read()` for a connection, `write(job)` for changes.

Services hand `write` a job (an async function of a connection) and get its result once the
job's changes are committed. On SQLite, jobs from concurrent requests are queued to one
writer task that runs many of them in one transaction, each inside its own savepoint, and
acknowledges each only after the commit (group commit): SQLite allows one writer at a time,
and one fsync for many posts is what makes a thousand posts a second possible. On
PostgreSQL each job is its own ordinary transaction. Services don't see the difference.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Row, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.sql.expression import Executable

from talkback.observability.metrics import record_write_group, record_write_hold
from talkback.store.inline_sqlite import inline_connector
from talkback.store.savepoints import JobSavepoints
from talkback.store.write_lock import WriteLock

T = TypeVar("T")
WriteJob = Callable[[AsyncConnection], Awaitable[T]]

log = logging.getLogger(__name__)

MAX_GROUP_SIZE = 256
CHECKPOINT_SECONDS = 1.0
SINGLE_STATEMENT = "talkback_single_statement"
"""Execution option of a connection that runs one statement, needing no BEGIN on SQLite."""


class Database:
    """Connections for reading, and the one path by which changes are written."""

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            database = parsed.database or ""
            if database in ("", ":memory:"):
                raise ValueError("Talkback needs an SQLite file, not an in-memory database")
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = _sqlite_engine(url, begin="BEGIN", pool_size=8)
            self._writer: _GroupCommitWriter | None = _GroupCommitWriter(
                _sqlite_engine(url, begin="BEGIN IMMEDIATE", pool_size=1, inline=True),
                WriteLock(Path(database)),
                checkpoint=self._checkpoint,
            )
        else:
            self.engine = create_async_engine(url, pool_size=10, max_overflow=20)
            self._writer = None
        self._single_statement = self.engine.execution_options(
            **_single_statement_options(self.dialect)
        )

    @contextlib.asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A connection inside one read transaction, so a page is a consistent snapshot."""
        async with self.engine.connect() as conn, conn.begin():
            yield conn

    async def read_row(self, statement: Executable) -> Row[Any]:
        """The one row of a read that is a single statement (see `read_rows`)."""
        async with self._single_statement.connect() as conn:
            return (await conn.execute(statement)).one()

    async def read_rows(
        self, statement: Executable, parameters: Mapping[str, Any] | None = None
    ) -> Sequence[Row[Any]]:
        """Every row of a read that is a single statement.

        One statement reads one consistent snapshot by itself (SQLite runs it in its own
        read transaction; PostgreSQL gives each statement its own snapshot under READ
        COMMITTED), so it runs without BEGIN and COMMIT: on SQLite four fewer round trips
        to the driver's thread, on PostgreSQL two fewer to the server, which is most of
        what a small read costs. Reads of several statements that must agree with each
        other still go through `read()`.
        """
        async with self._single_statement.connect() as conn:
            return (await conn.execute(statement, parameters)).all()

    async def write(self, job: WriteJob[T]) -> T:
        """Run `job` in a transaction and return its result once that is committed.

        If the job raises, its changes are rolled back and the exception reaches the caller;
        other jobs committed in the same group are not affected.
        """
        if self._writer is not None:
            return await self._writer.submit(job)
        async with self.engine.begin() as conn:
            return await job(conn)

    async def close(self) -> None:
        if self._writer is not None:
            await self._writer.close()
        await self.engine.dispose()

    async def _checkpoint(self) -> None:
        """Copy the WAL back into the database file without waiting for readers or
        writers (the writer's own connection never checkpoints: see `inline_sqlite.py`)."""
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")


def _single_statement_options(dialect: str) -> dict[str, Any]:
    """Execution options for connections that run one statement and need no transaction.

    PostgreSQL's driver skips BEGIN and COMMIT under AUTOCOMMIT, which costs no round trip
    to switch on and off. SQLite's dialect would send PRAGMAs to switch its isolation
    level, so there our own `begin` hook is told to leave BEGIN out instead.
    """
    if dialect == "sqlite":
        return {SINGLE_STATEMENT: True}
    return {"isolation_level": "AUTOCOMMIT"}


def _sqlite_engine(url: str, *, begin: str, pool_size: int, inline: bool = False) -> AsyncEngine:
    """An SQLite engine in WAL mode with foreign keys on, issuing its own BEGIN.

    The driver's implicit transactions are switched off so SQLAlchemy controls BEGIN and
    SAVEPOINT itself (the writer needs working savepoints); writers use BEGIN IMMEDIATE so
    a transaction never fails late upgrading a read lock. `inline` connections run on the
    event loop's thread (`inline_sqlite.py`) and leave checkpoints to their owner.
    """
    pragmas = [
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=NORMAL",
        "PRAGMA foreign_keys=ON",
        "PRAGMA busy_timeout=10000",
    ]
    if inline:
        engine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=0,
            async_creator=inline_connector(make_url(url).database or ""),
        )
        pragmas.append("PRAGMA wal_autocheckpoint=0")
    else:
        engine = create_async_engine(url, pool_size=pool_size, max_overflow=0)

    @event.listens_for(engine.sync_engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        if not inline:  # inline connections are opened without implicit transactions
            dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        if not conn.get_execution_options().get(SINGLE_STATEMENT):
            conn.exec_driver_sql(begin)

    return engine


class _GroupCommitWriter:
    """One task owning SQLite's single write slot, committing queued jobs in groups.

    Between processes, groups take turns through `lock`; every CHECKPOINT_SECONDS at most,
    a commit is followed by `checkpoint`, run beside the writer rather than in its way.
    """

    def __init__(
        self, engine: AsyncEngine, lock: WriteLock, checkpoint: Callable[[], Awaitable[None]]
    ) -> None:
        self._engine = engine
        self._lock = lock
        self._checkpoint = checkpoint
        self._checkpointing: asyncio.Task[None] | None = None
        self._last_checkpoint = time.monotonic()
        self._queue: asyncio.Queue[tuple[WriteJob[Any], asyncio.Future[Any]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def submit(self, job: WriteJob[T]) -> T:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="talkback-sqlite-writer")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        await self._queue.put((job, future))
        return await future

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._checkpointing is not None:
            with contextlib.suppress(Exception):
                await self._checkpointing
        await self._engine.dispose()
        self._lock.close()

    async def _run(self) -> None:
        """Commit queued jobs group after group on one connection, kept between groups
        (checking one out per group costs round trips to the driver's thread); a group
        that fails to commit gives the connection up, in case it is what broke."""
        while True:
            group = await self._next_group()
            try:
                async with self._engine.connect() as conn:
                    while await self._commit_group(conn, group):
                        group = await self._next_group()
            except Exception as exc:
                _fail(group, exc)

    async def _next_group(self) -> list[tuple[WriteJob[Any], asyncio.Future[Any]]]:
        """Wait for a job, then take every job already queued behind it."""
        group = [await self._queue.get()]
        while len(group) < MAX_GROUP_SIZE and not self._queue.empty():
            group.append(self._queue.get_nowait())
        record_write_group(len(group), self._queue.qsize())
        return group

    async def _commit_group(
        self, conn: AsyncConnection, group: list[tuple[WriteJob[Any], asyncio.Future[Any]]]
    ) -> bool:
        """Run the group's jobs in one transaction and settle their futures after its
        commit; False when the transaction itself failed (every job then fails with it)."""
        outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        await self._lock.acquire()
        held_since = time.perf_counter()
        try:
            async with conn.begin():
                savepoints = await JobSavepoints.of(conn)
                for job, future in group:
                    if future.cancelled():
                        continue
                    await savepoints.mark()
                    try:
                        outcomes.append((future, await job(conn), None))
                    except Exception as exc:
                        await savepoints.roll_back()
                        outcomes.append((future, None, exc))
                    await savepoints.release()
        except Exception as exc:
            _fail(group, exc)
            return False
        finally:
            self._lock.release()
            record_write_hold(time.perf_counter() - held_since)
        self._checkpoint_soon()
        for future, result, error in outcomes:
            if future.done():
                continue
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)
        return True

    def _checkpoint_soon(self) -> None:
        if time.monotonic() - self._last_checkpoint < CHECKPOINT_SECONDS:
            return
        if self._checkpointing is not None and not self._checkpointing.done():
            return
        self._last_checkpoint = time.monotonic()
        self._checkpointing = asyncio.create_task(self._checkpoint_logged())

    async def _checkpoint_logged(self) -> None:
        try:
            await self._checkpoint()
        except Exception:
            log.warning("event=sqlite_checkpoint_failed", exc_info=True)


def _fail(group: list[tuple[WriteJob[Any], asyncio.Future[Any]]], exc: Exception) -> None:
    """The group's transaction failed: every job not yet settled fails with it."""
    log.error("event=group_commit_failed size=%d", len(group), exc_info=exc)
    for _job, future in group:
        if not future.done():
            future.set_exception(exc)
