"""What the figures were measured on: CPU, cores, memory, kernel and software versions.

Loopback figures only mean something next to the machine that produced them, and on a
shared machine next to its load, which compare.py records before every scenario.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
import sys
from pathlib import Path

import redis

from peers.talkback import BROKER_URL
from peers.wrk import wrk_version
from talkback import __version__


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def describe() -> dict[str, object]:
    return {
        "cpu": cpu_model(),
        "nproc": len(os.sched_getaffinity(0)),
        "memory_gib": round(memory_gib(), 1),
        "kernel": platform.release(),
        "platform": platform.platform(),
        "load_at_start": [round(value, 2) for value in os.getloadavg()],
    }


def redis_version() -> str:
    client = redis.Redis.from_url(BROKER_URL)
    try:
        return str(client.info("server")["redis_version"])
    finally:
        client.close()


def source_state() -> str:
    """The commit measured, and whether src/ had changes not committed yet."""
    root = Path(__file__).resolve().parents[2]
    git = ["git", "-C", str(root)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    if head.returncode:
        return "not a git checkout"
    dirty = subprocess.run([*git, "status", "--porcelain", "src"], capture_output=True, text=True)
    return head.stdout.strip() + (" + uncommitted changes in src/" if dirty.stdout.strip() else "")


def versions() -> dict[str, str]:
    """Our side's versions; the databases' and peers' are added as they are met."""
    found = {
        "talkback": f"{__version__} ({source_state()})",
        "python": sys.version.split()[0],
        "wrk": wrk_version(),
        "redis": redis_version(),
    }
    for package in ("uvicorn", "uvloop", "httptools", "fastapi", "starlette", "sqlalchemy"):
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found
