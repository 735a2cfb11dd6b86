"""Reading the outbox in tests, and waiting (with a bound) for the worker."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from talkback.context import Context
from talkback.store.tables import outbox


async def outbox_rows(ctx: Context, kind: str) -> Sequence[Any]:
    return await ctx.database.read_rows(
        select(outbox).where(outbox.c.kind == kind).order_by(outbox.c.id)
    )


async def until_statuses(ctx: Context, kind: str, wanted: list[str], within: float = 10) -> None:
    """Wake the worker until the rows of `kind` have these statuses, in id order."""
    deadline = time.monotonic() + within
    while True:
        ctx.outbox.worker.wake()
        statuses = [row.status for row in await outbox_rows(ctx, kind)]
        if statuses == wanted:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{kind} messages are {statuses}, expected {wanted}")
        await asyncio.sleep(0.05)
