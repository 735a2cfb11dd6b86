"""Servers under test as real processes: start, wait until they answer, measure, stop.

Each server runs in its own session (process group), so stopping it reaches its
supervisor and every worker it spawned, and nothing else on the machine; its output goes
to a log file whose tail is shown if it dies or never answers.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx
import psutil

LOOPBACK = "127.0.0.1"
READY_SECONDS = 120.0
STOP_SECONDS = 15.0
SAMPLE_SECONDS = 0.25
SETTLE_SECONDS = 180.0
IDLE_CPU_PERCENT = 10.0


class ServerFailed(RuntimeError):
    """A server died or never answered; the message carries the tail of its log."""


def free_port() -> int:
    """A port on the loopback interface nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """One server process tree, started by `start` and stopped on leaving the `with`."""

    name: str
    command: Sequence[str]
    env: Mapping[str, str]
    log: Path
    port: int
    ready_path: str
    workers: int = 1
    # Log lines a worker writes when it is up, and when its supervisor found it dead.
    started_marker: str | None = None
    died_marker: str | None = None
    cwd: Path | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)
    deaths_at_start: int = field(default=0, init=False)

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> Server:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                list(self.command),
                env=dict(self.env),
                cwd=self.cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready()
        self.deaths_at_start = self.deaths()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_SECONDS
        url = self.base_url + self.ready_path
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ServerFailed(
                    f"{self.name} exited with {self.process.returncode}:\n{self.tail()}"
                )
            try:
                if httpx.get(url, timeout=5).status_code == 200 and self._all_started():
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        started = f"{self.log_count(self.started_marker)} of " if self.started_marker else ""
        raise ServerFailed(
            f"{self.name} was not ready in {READY_SECONDS:.0f} s ({url} answering, "
            f"{started}{self.workers} workers started):\n{self.tail()}"
        )

    def _all_started(self) -> bool:
        """Every worker is up: one answering is not enough, the load must meet them all."""
        return self.started_marker is None or self.log_count(self.started_marker) >= self.workers

    def log_count(self, marker: str) -> int:
        try:
            return self.log.read_text(errors="replace").count(marker)
        except OSError:
            return 0

    def deaths(self) -> int:
        """Workers the supervisor found dead and replaced (0 for a healthy run)."""
        return self.log_count(self.died_marker) if self.died_marker else 0

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """SIGTERM to the server's own process group, SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        group = os.getpgid(self.process.pid)
        os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self.process.wait(STOP_SECONDS)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def settle(self) -> float:
        """Wait until the server answers its ready path and its tree is idle (under
        IDLE_CPU_PERCENT of one core for half a second), at most about SETTLE_SECONDS
        each; the seconds waited.

        A server still working through requests whose clients wrk has already dropped
        (a sync gunicorn worker does not notice) would slow the next scenario down.
        """
        began = time.monotonic()
        # A sync worker answers this only once it has worked through what queued before
        # it; on a busy machine the tree's CPU share alone can look idle while it has not.
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(self.base_url + self.ready_path, timeout=SETTLE_SECONDS)
        while time.monotonic() - began < SETTLE_SECONDS:
            processes = self.tree()
            for process in processes:
                with contextlib.suppress(psutil.NoSuchProcess):
                    process.cpu_percent(None)
            time.sleep(0.5)
            busy = 0.0
            for process in processes:
                with contextlib.suppress(psutil.NoSuchProcess):
                    busy += process.cpu_percent(None)
            if busy < IDLE_CPU_PERCENT:
                break
        return time.monotonic() - began

    def tree(self) -> list[psutil.Process]:
        """The server process and every descendant (supervisor, workers, helpers)."""
        if self.process is None:
            return []
        root = psutil.Process(self.process.pid)
        return [root, *root.children(recursive=True)]


@dataclass
class MemorySample:
    """Largest memory of a process tree seen while sampling."""

    rss_mb: float = 0.0
    pss_mb: float = 0.0
    processes: int = 0
    largest_process_rss_mb: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return {
            "rss_mb": round(self.rss_mb, 1),
            "pss_mb": round(self.pss_mb, 1),
            "processes": self.processes,
            "largest_process_rss_mb": round(self.largest_process_rss_mb, 1),
        }


def measure_tree(server: Server) -> MemorySample:
    """RSS (resident, shared pages counted in every process) and PSS (shared pages split
    between the processes that map them) of the whole tree, once."""
    rss = pss = largest = 0.0
    processes = server.tree()
    for process in processes:
        try:
            info = process.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
        largest = max(largest, info.rss)
    mb = 1024 * 1024
    return MemorySample(rss / mb, pss / mb, len(processes), largest / mb)


class MemoryWatch:
    """Samples a server's tree every SAMPLE_SECONDS in a thread while load runs."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.peak = MemorySample()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            sample = measure_tree(self.server)
            peak = self.peak
            peak.rss_mb = max(peak.rss_mb, sample.rss_mb)
            peak.pss_mb = max(peak.pss_mb, sample.pss_mb)
            peak.processes = max(peak.processes, sample.processes)
            peak.largest_process_rss_mb = max(
                peak.largest_process_rss_mb, sample.largest_process_rss_mb
            )
            self._stop.wait(SAMPLE_SECONDS)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
