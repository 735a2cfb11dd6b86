"""Every Talkback metric, and the functions other packages call to record into them.

Metrics are module globals: prometheus-client keeps one registry per process, and under
`talkback serve --workers N` each worker writes its values to files that a scrape adds up
(`multiprocess.py`). Gauges say how their workers combine (`multiprocess_mode`): a queue
depth or a count of open connections is the sum over the workers still alive.

The recording functions bind their label values once, at import, so a call on a hot path
costs one increment, not a label lookup.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

# `_created` series (when each series began) double the output and are not written in the
# multiprocess mode anyway: one format for one process and for several.
disable_created_metrics()  # type: ignore[no-untyped-call]

LATENCY_BUCKETS = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)  # fmt: skip
"""Seconds; fine below 25 ms, where the read targets (p99 < 25 ms) live."""

SIZE_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
"""Jobs or texts in one group; 256 is the writer's largest group."""

REQUEST_SECONDS = Histogram(
    "talkback_http_request_duration_seconds",
    "Time from a request reaching Talkback until its response headers are sent (for a "
    "server-sent event stream: until it is open), by route template, method and status class.",
    ("route", "method", "status"),
    buckets=LATENCY_BUCKETS,
)

WRITE_GROUP_SIZE = Histogram(
    "talkback_writer_group_size",
    "Write jobs committed together in one SQLite transaction (group commit).",
    buckets=SIZE_BUCKETS,
)
WRITE_HOLD_SECONDS = Histogram(
    "talkback_writer_hold_seconds",
    "How long one group commit held the database's write lock: the share of a second it "
    "takes is how close SQLite's single writer is to its limit, whatever the CPU does.",
    buckets=LATENCY_BUCKETS,
)
WRITE_QUEUE_DEPTH = Gauge(
    "talkback_writer_queue_depth",
    "Write jobs still waiting for the SQLite writer when it last took a group.",
    multiprocess_mode="livesum",
)

SCORING_BATCH_SIZE = Histogram(
    "talkback_classifier_batch_size",
    "Texts scored together in one call of the toxicity model.",
    buckets=SIZE_BUCKETS,
)
SCORING_BATCH_SECONDS = Histogram(
    "talkback_classifier_batch_duration_seconds",
    "Time one call of the toxicity model took for its whole batch.",
    buckets=LATENCY_BUCKETS,
)

SSE_CONNECTIONS = Gauge(
    "talkback_sse_connections",
    "Server-sent event streams open now.",
    multiprocess_mode="livesum",
)

PAGE_CACHE_LOOKUPS = Counter(
    "talkback_page_cache_lookups",
    "Answers looked up in the rendered-page cache (thread pages, passages, fragments, "
    "feeds), by result (hit or miss).",
    ("result",),
)
_PAGE_HIT = PAGE_CACHE_LOOKUPS.labels(result="hit")
_PAGE_MISS = PAGE_CACHE_LOOKUPS.labels(result="miss")


def record_write_group(size: int, queue_depth: int) -> None:
    """The SQLite writer took `size` jobs for one transaction, leaving `queue_depth` queued."""
    WRITE_GROUP_SIZE.observe(size)
    WRITE_QUEUE_DEPTH.set(queue_depth)


def record_write_hold(seconds: float) -> None:
    """A group commit held the SQLite write lock (taken, transaction, released) so long."""
    WRITE_HOLD_SECONDS.observe(seconds)


def record_scoring_batch(size: int, seconds: float) -> None:
    """The classifier scored `size` texts in one model call that took `seconds`."""
    SCORING_BATCH_SIZE.observe(size)
    SCORING_BATCH_SECONDS.observe(seconds)


def record_page_lookup(hit: bool) -> None:
    """An answer was looked up in the page cache; `hit` when its bytes were there."""
    (_PAGE_HIT if hit else _PAGE_MISS).inc()


@contextmanager
def open_sse_connection() -> Iterator[None]:
    """Counts a server-sent event stream as open for as long as the block runs."""
    SSE_CONNECTIONS.inc()
    try:
        yield
    finally:
        SSE_CONNECTIONS.dec()
