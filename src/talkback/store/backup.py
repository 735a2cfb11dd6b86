"""Copies of an SQLite database that can be trusted: `talkback backup` and `talkback restore`.

A backup uses SQLite's online backup API in one step, which copies the database as one
read transaction sees it: in WAL mode the server goes on committing meanwhile, and the copy
holds exactly what was committed when the copy began (every comment acknowledged before
the backup started is in it), never half a group commit. Copying the file with `cp` while
a server writes can tear a page or leave out what still sits in the `-wal` file.

A restore refuses a file that is not a Talkback database (no migration record, or one
this version does not know), and refuses to overwrite a database a server has open, which
it learns from SQLite itself: leaving WAL mode needs every other connection closed.

PostgreSQL has its own tools for this (`pg_dump`/`pg_restore`, docs/operations.md).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory

from talkback.errors import Conflict, Invalid
from talkback.store.migrate import alembic_config

IN_USE_HINT = (
    "a server or another program has it open; stop every `talkback serve` and `talkback "
    "worker` using it, or pass --force to overwrite it under them (they then serve the "
    "restored data)"
)


@dataclass(frozen=True, slots=True)
class Copied:
    """What a backup or restore copied: the migration it is at and what it holds."""

    revision: str
    head: str
    comments: int
    pages: int

    @property
    def needs_migrate(self) -> bool:
        return self.revision != self.head


def sqlite_path(database_url: str) -> Path:
    """The file of an SQLite URL; an Invalid for any other database."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise Invalid(
            f"backup and restore work on SQLite files; this server uses "
            f"{url.get_backend_name()}: use pg_dump and pg_restore (docs/operations.md)",
            code="not_sqlite",
        )
    return Path(url.database)


def back_up(database: Path, target: Path) -> Copied:
    """Copy the live database `database` to the new file `target`, consistently.

    The copy is written beside `target` and renamed into place once complete and synced,
    so a backup cut short (a full disk, a kill) never leaves a file that looks whole.
    """
    if not database.is_file():
        raise Invalid(f"{database}: no such database file", code="no_database")
    if target.exists():
        raise Conflict(f"{target} exists; choose a new file name", code="backup_exists")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        copied = _check_talkback(source, database)
        destination = sqlite3.connect(partial)
        try:
            source.backup(destination)  # pages=-1: one step, one snapshot
            destination.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        finally:
            destination.close()
        _sync(partial)
        partial.rename(target)
        _sync(target.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    return copied


def restore(backup: Path, database: Path, *, force: bool = False) -> Copied:
    """Replace the contents of `database` by those of `backup`.

    Refuses a `backup` that is not a sound Talkback database, and a `database` some other
    connection has open unless `force`. The copy goes through SQLite's backup API into the
    database itself (not a file swapped under open connections), so with `force` running
    servers see the restored data at their next read rather than a deleted file.
    """
    if not backup.is_file():
        raise Invalid(f"{backup}: no such file", code="no_backup")
    source = _open_backup(backup)
    try:
        copied = _check_talkback(source, backup)
        database.parent.mkdir(parents=True, exist_ok=True)
        destination = sqlite3.connect(database, timeout=0 if not force else 10)
        try:
            if not force and not _alone(destination):
                raise Conflict(f"{database} is in use: {IN_USE_HINT}", code="database_in_use")
            source.backup(destination)
            destination.execute("PRAGMA journal_mode=WAL")
        finally:
            destination.close()
    finally:
        source.close()
    return copied


def _open_backup(backup: Path) -> sqlite3.Connection:
    """The backup, read-only; an Invalid if it is not an SQLite database at all."""
    connection = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        connection.execute("SELECT count(*) FROM sqlite_schema").fetchone()
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise Invalid(f"{backup} is not an SQLite database ({exc})", code="not_a_backup") from exc
    return connection


def _check_talkback(connection: sqlite3.Connection, path: Path) -> Copied:
    """The migration `connection` is at and its comments, if it is a sound Talkback
    database; an Invalid naming what is wrong otherwise."""
    scripts = ScriptDirectory.from_config(alembic_config())
    head = scripts.get_current_head() or ""
    try:
        (integrity,) = connection.execute("PRAGMA quick_check").fetchone()
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        comments = connection.execute("SELECT count(*) FROM comments").fetchone()[0]
        (pages,) = connection.execute("PRAGMA page_count").fetchone()
    except sqlite3.DatabaseError as exc:
        raise Invalid(
            f"{path} is not a Talkback database ({exc})", code="not_a_talkback_database"
        ) from exc
    if integrity != "ok":
        raise Invalid(f"{path} is damaged: {integrity}", code="damaged_database")
    if row is None:
        raise Invalid(f"{path} records no migration", code="not_a_talkback_database")
    revision = str(row[0])
    with contextlib.suppress(Exception):
        if scripts.get_revision(revision) is not None:
            return Copied(revision, head, comments, pages)
    raise Invalid(
        f"{path} is at migration {revision!r}, which this Talkback does not know "
        "(made by a newer version?)",
        code="unknown_migration",
    )


def _alone(connection: sqlite3.Connection) -> bool:
    """Whether no other connection has the database open: SQLite leaves WAL mode only when
    this is the last connection, and answers the mode it kept otherwise."""
    connection.execute("PRAGMA busy_timeout=0")
    try:
        (mode,) = connection.execute("PRAGMA journal_mode=DELETE").fetchone()
    except sqlite3.OperationalError:
        return False  # locked: someone is writing right now
    return str(mode).lower() != "wal"


def _sync(path: Path) -> None:
    """Make `path` (a file, or a directory after a rename) durable on disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
