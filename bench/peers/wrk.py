"""Load with wrk (Debian's package): a bounded run, its figures read back as JSON.

wrk is the load generator of the figures in issue 13, run as there: one thread (`-t1`)
sharing the machine's two cores with the server. Every run is bounded by `-d`, and every
request by `--timeout`; the Lua scripts in lua/ shape the requests and print the summary
as one JSON line (report.lua), so nothing depends on wrk's human-readable output.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LUA = Path(__file__).resolve().parent / "lua"
MARKER = "WRK_JSON "
TIMEOUT_SECONDS = 5


class LoadFailed(RuntimeError):
    """wrk failed, or the server answered errors: no figure from that run is valid."""


@dataclass(frozen=True)
class Load:
    """What one wrk run sends: `script` from lua/ with its arguments, at `connections`."""

    url: str
    script: str
    args: tuple[str, ...]
    connections: int


def wrk_version() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise LoadFailed("wrk is not installed: apt-get install wrk")
    done = subprocess.run([found, "-v"], capture_output=True, text=True, check=False)
    first = (done.stdout + done.stderr).splitlines()[0].strip()  # "wrk 4.1.0 [epoll] …"
    return first.removeprefix("wrk ").split(" Copyright")[0]


def _script(name: str) -> str:
    return (LUA / "report.lua").read_text() + "\n" + (LUA / f"{name}.lua").read_text()


def run(load: Load, seconds: float) -> dict[str, Any]:
    """One wrk run of `seconds`; its figures, with requests/s and milliseconds added."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="compare-") as script:
        script.write(_script(load.script))
        script.flush()
        command: Sequence[str] = (
            "wrk",
            "-t1",
            f"-c{load.connections}",
            f"-d{max(1, round(seconds))}s",
            f"--timeout={TIMEOUT_SECONDS}s",
            "-s",
            script.name,
            load.url,
            "--",
            *load.args,
        )
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 60, check=False
        )
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARKER)]
    if done.returncode != 0 or not lines:
        raise LoadFailed(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout}")
    figures: dict[str, Any] = json.loads(lines[-1][len(MARKER) :])
    seconds_run = figures["duration_us"] / 1e6
    figures["requests_per_second"] = figures["requests"] / seconds_run if seconds_run else 0.0
    for key in ("p50", "p90", "p99", "max"):
        figures[f"{key}_ms"] = figures[f"{key}_us"] / 1000
    figures["connections"] = load.connections
    return figures


def failures(figures: dict[str, Any]) -> int:
    """Requests that did not get a 2xx/3xx answer in time (or at all)."""
    errors = figures["errors"]
    return int(
        errors["connect"] + errors["read"] + errors["write"] + errors["status"] + errors["timeout"]
    )
