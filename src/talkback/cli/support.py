"""What every `talkback` command shares: its consoles, and running async work (alone, or
with the configured database) so that our own errors end the command with a message and
exit status 2 instead of a traceback."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import typer
from rich.console import Console

from talkback.config import Settings
from talkback.errors import TalkbackError
from talkback.store.database import Database

T = TypeVar("T")

console = Console()
# Errors are never wrapped: a wrapped path or sentence cannot be searched for or copied whole.
errors = Console(stderr=True, soft_wrap=True)


def fail(message: str) -> typer.Exit:
    """Print an error for the user; raise the returned exit to end the command."""
    errors.print(f"[red]error:[/red] {message}")
    return typer.Exit(2)


def run_reporting_errors(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    try:
        return asyncio.run(main())
    except TalkbackError as exc:
        raise fail(exc.message) from exc


def with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run one piece of async work against the configured database, reporting our errors."""

    async def run() -> T:
        database = Database(settings.resolved_database_url)
        try:
            return await work(database)
        finally:
            await database.close()

    return run_reporting_errors(run)
