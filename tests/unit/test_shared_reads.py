"""SharedReads: one read per key in flight, its result (or its error) for every caller."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from talkback.store.shared_reads import SharedReads


def reads() -> SharedReads:
    return SharedReads(asyncio.ensure_future)


async def test_callers_asking_at_once_share_one_read() -> None:
    shared, started = reads(), []

    async def read() -> str:
        started.append(1)
        await asyncio.sleep(0.01)
        return "page"

    results = await asyncio.gather(*(shared.read("key", read) for _ in range(5)))
    assert results == ["page"] * 5
    assert len(started) == 1


async def test_a_later_caller_reads_afresh() -> None:
    shared, started = reads(), []

    async def read() -> int:
        started.append(1)
        return len(started)

    assert await shared.read("key", read) == 1
    assert await shared.read("key", read) == 2


async def test_different_keys_are_read_separately() -> None:
    shared = reads()

    async def read(value: str) -> str:
        await asyncio.sleep(0)
        return value

    first, second = await asyncio.gather(
        shared.read("a", lambda: read("a")), shared.read("b", lambda: read("b"))
    )
    assert (first, second) == ("a", "b")


async def test_a_caller_that_leaves_does_not_cancel_the_read_for_the_others() -> None:
    shared, release = reads(), asyncio.Event()

    async def read() -> str:
        await release.wait()
        return "page"

    leaving = asyncio.ensure_future(shared.read("key", read))
    staying = asyncio.ensure_future(shared.read("key", read))
    await asyncio.sleep(0)
    leaving.cancel()
    release.set()
    assert await staying == "page"
    with pytest.raises(asyncio.CancelledError):
        await leaving


async def test_an_error_reaches_every_caller() -> None:
    shared = reads()

    async def read() -> Any:
        await asyncio.sleep(0)
        raise LookupError("no such site")

    results = await asyncio.gather(
        *(shared.read("key", read) for _ in range(3)), return_exceptions=True
    )
    assert [type(result) for result in results] == [LookupError] * 3
