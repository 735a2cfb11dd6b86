"""Metrics of several worker processes, added up: prometheus-client's multiprocess mode.

`talkback serve --workers N` runs N processes behind one socket, and a scrape lands on any
one of them. Each worker therefore writes its metric values to memory-mapped files in one
directory (`PROMETHEUS_MULTIPROC_DIR`), and whichever worker answers a scrape reads and adds
up every worker's files. The directory must exist before the workers start and must start
empty (old files would be counted again), so `serve` makes a fresh one for each run
(`share_metrics_between_workers`), removed when the server stops.

A worker that exits leaves its counters and histograms behind, as it should: totals never
go backwards when a worker is replaced. Its share of the "live" gauges (open SSE streams,
writer queue depth) must go, though; rather than rely on every exit being clean, a scrape
drops the live gauges of every process that no longer exists (`forget_dead_processes`),
which also covers a worker killed with SIGKILL.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from pathlib import Path

from prometheus_client import multiprocess, values

DIRECTORY_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
LIVE_GAUGE_FILE = re.compile(r"gauge_live\w*?_(\d+)\.db")


def share_metrics_between_workers(workers: int) -> Path | None:
    """Called by `serve` before it starts `workers` server processes: with more than one,
    give them a fresh, empty directory to share their metrics in (removed when this
    process exits) and return it. One process keeps its metrics in memory, which is
    cheaper per observation."""
    if workers <= 1:
        return None
    directory = Path(tempfile.mkdtemp(prefix="talkback-metrics-"))
    os.environ[DIRECTORY_VARIABLE] = str(directory)
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory


def shared_directory() -> Path | None:
    """The directory this process's metrics are written to, or None when they are kept in
    memory. prometheus-client chooses once, when it is first imported, from the
    environment: the choice it made is what counts, not the variable as it is now."""
    if not getattr(values.ValueClass, "_multiprocess", False):
        return None
    directory = os.environ.get(DIRECTORY_VARIABLE)
    return Path(directory) if directory else None


def forget_dead_processes(directory: Path) -> None:
    """Drop the live gauges of processes that have exited."""
    for path in directory.glob("gauge_live*.db"):
        match = LIVE_GAUGE_FILE.fullmatch(path.name)
        if match is not None and not _alive(int(match[1])):
            multiprocess.mark_process_dead(int(match[1]), str(directory))  # type: ignore[no-untyped-call]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
