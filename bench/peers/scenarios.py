"""The scenarios of the comparison, one server at a time: what each request is, and running
them (warm-up, then the measured run with the server's memory watched).

Every server gets the same scenarios in its own dialect:

- read: the first page of a thread as its widget asks for it, with the widget's `Origin`.
  Talkback: `GET /api/v1/{site}/comments?uri=…&sort=newest` (page size 20, from its page
  cache after the first request). Isso: `GET /?uri=…&limit=20&nested_limit=5`, i.e. Isso's
  widget set to show 20 top-level comments (`data-isso-max-comments-top="20"`) with its
  default 5 replies each; without `limit` Isso sends the whole thread.
- counts: comment counts of 10 pages. Talkback `GET /api/v1/{site}/counts?uri=…` (ten
  `uri` parameters); Isso `POST /count` with the ten uris as a JSON list.
- post: new comments with unique texts spread over 100 threads (lua/post.lua); Talkback's
  go through its whole pipeline, classifier included, and are acknowledged after commit.
- the bare app serves the read and counts URLs with Talkback's recorded answers.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from peers import wrk
from peers.plan import POST_THREADS, thread_uri
from peers.processes import MemoryWatch, Server
from thread_read import ORIGIN, SITE

CONCURRENCY = (16, 64)
QUICK_CONCURRENCY = (16,)
PAGE_LIMIT = 20
ISSO_NESTED_LIMIT = 5


@dataclass(frozen=True)
class Scenario:
    """One measured load: its kind (read, counts, post), thread size for reads, and load."""

    kind: str
    size: int | None
    load: wrk.Load


def talkback_read(size: int) -> str:
    return f"/api/v1/{SITE}/comments?" + urlencode({"uri": thread_uri(size), "sort": "newest"})


def talkback_counts(uris: Sequence[str]) -> str:
    return f"/api/v1/{SITE}/counts?" + urlencode({"uri": list(uris)}, doseq=True)


def isso_read(size: int) -> str:
    query = {"uri": thread_uri(size), "limit": PAGE_LIMIT, "nested_limit": ISSO_NESTED_LIMIT}
    return "/?" + urlencode(query, quote_via=quote)


def talkback_scenarios(
    base: str,
    sizes: Sequence[int],
    uris: Sequence[str],
    *,
    posting: bool,
    tag: str,
    concurrency: Sequence[int] = CONCURRENCY,
) -> list[Scenario]:
    """Talkback's scenarios (the bare app's too, without posting)."""
    origin = f"Origin: {ORIGIN}"
    found = [
        Scenario(
            "read", size, wrk.Load(base + talkback_read(size), "fixed", ("GET", "", origin), c)
        )
        for size in sizes
        for c in concurrency
    ]
    counts = base + talkback_counts(uris)
    found += [
        Scenario("counts", None, wrk.Load(counts, "fixed", ("GET", "", origin), c))
        for c in concurrency
    ]
    if posting:
        args = ("talkback", SITE, str(POST_THREADS), tag, ORIGIN)
        found += [
            Scenario("post", None, wrk.Load(base + "/", "post", args, c)) for c in concurrency
        ]
    return found


def isso_scenarios(
    base: str,
    host: str,
    sizes: Sequence[int],
    uris: Sequence[str],
    *,
    tag: str,
    concurrency: Sequence[int] = CONCURRENCY,
) -> list[Scenario]:
    origin = f"Origin: {host}"
    found = [
        Scenario("read", size, wrk.Load(base + isso_read(size), "fixed", ("GET", "", origin), c))
        for size in sizes
        for c in concurrency
    ]
    body = json.dumps(list(uris))
    counts = ("POST", body, origin, "Content-Type: application/json")
    found += [
        Scenario("counts", None, wrk.Load(base + "/count", "fixed", counts, c)) for c in concurrency
    ]
    args = ("isso", "-", str(POST_THREADS), tag, host)
    found += [Scenario("post", None, wrk.Load(base + "/", "post", args, c)) for c in concurrency]
    return found


def run_all(
    server: Server,
    scenarios: Sequence[Scenario],
    *,
    seconds: float,
    warmup: float,
    say: Callable[[str], None],
) -> list[dict[str, Any]]:
    """Each scenario: a warm-up run (discarded), then the measured run under MemoryWatch.

    A scenario whose run fails (wrk error, or answers outside 2xx/3xx) is recorded with its
    error and the comparison goes on: a peer that times out is a result, not a crash.
    """
    rows = []
    for scenario in scenarios:
        row: dict[str, Any] = {
            "server": server.name,
            "scenario": scenario.kind,
            "thread_size": scenario.size,
            "connections": scenario.load.connections,
            "url": scenario.load.url.removeprefix(server.base_url),
        }
        try:
            # The previous load's backlog first, then the warm-up's.
            row["settle_seconds"] = round(server.settle(), 1)
            row["load_before"] = os.getloadavg()[0]
            warm = wrk.run(scenario.load, warmup) if warmup > 0 else None
            server.settle()
            with MemoryWatch(server) as watch:
                figures = wrk.run(scenario.load, seconds)
            row.update(figures)
            row["memory"] = watch.peak.as_dict()
            row["failed_requests"] = wrk.failures(figures)
            row["warmup_statuses"] = warm["statuses"] if warm else {}
        except wrk.LoadFailed as exc:
            row["error"] = str(exc)
        rows.append(row)
        say(describe(row))
    server.settle()
    return rows


def describe(row: dict[str, Any]) -> str:
    size = f" {row['thread_size']:>7,}" if row["thread_size"] else " " * 8
    head = f"  {row['server']:<20} {row['scenario']:<6}{size} c{row['connections']:<3}"
    if "error" in row:
        return f"{head} FAILED: {row['error']}"
    failed = f"  {row['failed_requests']} failed" if row["failed_requests"] else ""
    return (
        f"{head} {row['requests_per_second']:>9,.0f} req/s  p50 {row['p50_ms']:>8.2f} ms  "
        f"p99 {row['p99_ms']:>8.2f} ms  RSS {row['memory']['rss_mb']:>6.0f} MB{failed}"
    )
