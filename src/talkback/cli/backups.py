"""`talkback backup FILE` and `talkback restore FILE`: SQLite copies a server can be run on.

Both are plain file work on the configured SQLite database (`store/backup.py`); neither
needs the server stopped to back up, and restore refuses to pull a database out from
under a running server unless told to. PostgreSQL installations use pg_dump and
pg_restore instead (docs/operations.md), which these commands say when asked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from talkback.cli.support import console, fail
from talkback.config import get_settings
from talkback.errors import TalkbackError
from talkback.store.backup import Copied, back_up, restore, sqlite_path

BackupFile = Annotated[Path, typer.Argument(metavar="FILE", help="The backup file.")]


def backup_command(file: BackupFile) -> None:
    """Copy the SQLite database to FILE (a new file), consistently, while servers run."""
    try:
        copied = back_up(sqlite_path(get_settings().resolved_database_url), file)
    except TalkbackError as exc:
        raise fail(exc.message) from exc
    console.print(f"backed up {_described(copied)} to {file}", soft_wrap=True)


def restore_command(
    file: BackupFile,
    force: Annotated[
        bool,
        typer.Option(help="Overwrite the database even while a server or worker has it open."),
    ] = False,
) -> None:
    """Replace the SQLite database's contents with the backup in FILE."""
    try:
        database = sqlite_path(get_settings().resolved_database_url)
        copied = restore(file, database, force=force)
    except TalkbackError as exc:
        raise fail(exc.message) from exc
    console.print(f"restored {_described(copied)} into {database}", soft_wrap=True)
    if copied.needs_migrate:
        console.print("run `talkback migrate` before serving it", soft_wrap=True)


def _described(copied: Copied) -> str:
    return f"{copied.comments} comments ({copied.pages} pages, migration {copied.revision})"
