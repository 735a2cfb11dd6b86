"""What every `talkback` command shares: its consoles, and running async work so that our
own errors end the command with a message and exit status 2 instead of a traceback."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import typer
from rich.console import Console

from talkback.errors import TalkbackError

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
