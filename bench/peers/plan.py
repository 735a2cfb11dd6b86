"""What every server under comparison is seeded with: the same threads, row for row.

The rows come from `thread_read.plan_thread` (its reply trees, votes and counters), planned
in batches so a 1,000,000-comment database never sits in memory at once; each batch is
written to every target (Talkback on SQLite, on PostgreSQL, Isso) before the next one is
planned, so all of them hold exactly the same comments.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from thread_read import SeededThread, plan_thread, text_pool

THREAD_SIZES = (10, 1_000, 10_000, 100_000)
FILLER_SIZE = 100
BATCH_COMMENTS = 50_000
POST_THREADS = 100
COUNT_URIS = 10
START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def thread_uri(size: int) -> str:
    return f"/bench/thread-{size}"


def filler_uri(index: int) -> str:
    return f"/bench/filler-{index}"


def post_uri(index: int) -> str:
    """Threads the posting scenario spreads its comments over (empty when seeded)."""
    return f"/bench/post-{index}"


@dataclass(frozen=True)
class Plan:
    """Sizes of the measured threads and of the filler around them."""

    comments: int
    sizes: tuple[int, ...]
    filler_threads: int
    seed: int

    @classmethod
    def for_total(cls, comments: int, seed: int) -> Plan:
        """The measured thread sizes that fit into `comments`; the rest is filler.

        Sizes are taken smallest first while their sum fits, so a quick run with 20,000
        comments measures 10, 1,000 and 10,000 and says the 100,000 one was left out.
        """
        sizes: list[int] = []
        for size in THREAD_SIZES:
            if sum(sizes) + size <= comments:
                sizes.append(size)
        rest = comments - sum(sizes)
        return cls(comments, tuple(sizes), -(-rest // FILLER_SIZE), seed)

    @property
    def left_out(self) -> tuple[int, ...]:
        return tuple(size for size in THREAD_SIZES if size not in self.sizes)

    def count_uris(self) -> list[str]:
        """Ten pages a front page would ask counts for: the measured threads, then filler."""
        uris = [thread_uri(size) for size in self.sizes]
        uris += [filler_uri(i) for i in range(self.filler_threads)]
        return uris[:COUNT_URIS]


def batches(plan: Plan) -> Iterator[list[SeededThread]]:
    """The planned threads in batches of about BATCH_COMMENTS comments, ids contiguous.

    Each batch gets its own random generator derived from the seed, so the rows depend only
    on the plan, not on how they are consumed.
    """
    pool = text_pool(random.Random(plan.seed))
    thread_id, comment_id, remaining = 1, 1, plan.comments - sum(plan.sizes)
    specs = [(thread_uri(size), size) for size in plan.sizes]
    for index in range(plan.filler_threads):
        size = min(FILLER_SIZE, remaining)
        remaining -= size
        specs.append((filler_uri(index), size))
    batch: list[SeededThread] = []
    in_batch = 0
    for number, (uri, size) in enumerate(specs):
        rng = random.Random(plan.seed * 1_000_003 + number)
        thread = plan_thread(
            rng,
            pool,
            uri=uri,
            thread_id=thread_id,
            first_comment_id=comment_id,
            count=size,
            start=START,
        )
        batch.append(thread)
        thread_id += 1
        comment_id += size
        in_batch += size
        if in_batch >= BATCH_COMMENTS:
            yield batch
            batch, in_batch = [], 0
    if batch:
        yield batch


def summary(plan: Plan, measured: dict[str, dict[str, int]]) -> dict[str, Any]:
    """The seeded shape for the results file (measured threads in full, filler in sum)."""
    return {
        "comments": plan.comments,
        "thread_sizes": list(plan.sizes),
        "left_out_sizes": list(plan.left_out),
        "filler_threads": plan.filler_threads,
        "filler_size": FILLER_SIZE,
        "measured_threads": measured,
        "seed": plan.seed,
    }
