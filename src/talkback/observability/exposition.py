"""One scrape: every metric of this node, in the format the scraper asked for.

Under several workers the values come from every worker's files (`multiprocess.py`);
with one process, from its own registry. The outbox's backlog is a fact of the database,
not of a process, so it is counted once per scrape by whichever worker answers; if the
database does not answer in time, the scrape still answers without it (the request
latencies are most wanted exactly when the database is in trouble).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from prometheus_client import REGISTRY
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from talkback.observability.multiprocess import forget_dead_processes, shared_directory
from talkback.outbox.backlog import outbox_backlog
from talkback.store.database import Database

log = logging.getLogger(__name__)

BACKLOG_TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class Scrape:
    body: bytes
    content_type: str


async def scrape(database: Database, accept: str) -> Scrape:
    """This node's metrics, encoded for a scraper that sent `accept`."""
    backlog = await _backlog_family(database)
    # Reading the workers' files and encoding is blocking work: off the event loop.
    return await asyncio.to_thread(_encode, backlog, accept)


def _encode(backlog: Metric | None, accept: str) -> Scrape:
    directory = shared_directory()
    collectors: list[Collector] = []
    if directory is None:
        collectors.append(REGISTRY)
    else:
        forget_dead_processes(directory)
        collectors.append(MultiProcessCollector(None, str(directory)))  # type: ignore[no-untyped-call]
    encoder, content_type = choose_encoder(accept)
    return Scrape(encoder(_Together(collectors, backlog)), content_type)


async def _backlog_family(database: Database) -> Metric | None:
    try:
        async with asyncio.timeout(BACKLOG_TIMEOUT_SECONDS):
            backlog = await outbox_backlog(database)
    except Exception as exc:
        log.warning("event=metrics_outbox_unreadable error=%r", exc)
        return None
    family = GaugeMetricFamily(
        "talkback_outbox_messages",
        "Outbox messages (mail, webhook calls) not yet done with, by status.",
        labels=("status",),
    )
    for status, count in backlog.items():
        family.add_metric((status,), count)
    return family


class _Together:
    """The metric families of several collectors, and the backlog, as one collector."""

    def __init__(self, collectors: list[Collector], backlog: Metric | None) -> None:
        self._collectors = collectors
        self._backlog = backlog

    def collect(self) -> Iterable[Metric]:
        for collector in self._collectors:
            yield from collector.collect()
        if self._backlog is not None:
            yield self._backlog
