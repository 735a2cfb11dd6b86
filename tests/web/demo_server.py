"""`talkback demo` as a real process on a loopback port, with settings of the test's choice:
what the server does with sockets (slow clients, many streams, proxy headers) shows only
in the server itself, not in an app driven in-process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from talkback.demo.content import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD_FILE
from tests.mail_sink import free_port

STARTUP_SECONDS = 90
SHUTDOWN_SECONDS = 30


@dataclass(frozen=True)
class DemoServer:
    url: str
    port: int
    data_dir: Path

    @property
    def admin_email(self) -> str:
        return DEMO_ADMIN_EMAIL

    @property
    def admin_password(self) -> str:
        return (self.data_dir / DEMO_ADMIN_PASSWORD_FILE).read_text().strip()


def demo_environment(data_dir: Path, **settings: str) -> dict[str, str]:
    """This environment without any Talkback or proxy setting, plus the given ones."""
    env = {
        key: value
        for key, value in os.environ.items()
        if (not key.startswith("TALKBACK_") or key == "TALKBACK_REQUIRE_SERVICES")
        and key != "FORWARDED_ALLOW_IPS"
    }
    return {**env, "TALKBACK_DATA_DIR": str(data_dir), **settings}


@contextmanager
def demo_server(data_dir: Path, **settings: str) -> Iterator[DemoServer]:
    """Start the demo with `settings` (TALKBACK_* names), wait for /healthz, stop it after."""
    port = free_port()
    log = (data_dir.parent / f"{data_dir.name}.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "talkback", "demo", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=demo_environment(data_dir, **settings),
    )
    server = DemoServer(f"http://127.0.0.1:{port}", port, data_dir)
    try:
        _wait_until_ready(process, server, Path(log.name))
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=SHUTDOWN_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_ready(process: subprocess.Popen[bytes], server: DemoServer, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"talkback demo exited early:\n{log.read_text()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    pytest.fail(f"talkback demo did not answer within {STARTUP_SECONDS} s:\n{log.read_text()}")
