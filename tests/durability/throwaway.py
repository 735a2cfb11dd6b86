"""PostgreSQL and Redis servers of a test's own, to stop and start at will.

Outage tests must never touch the shared services on 5432 and 6379: each starts its own
on a free port in a temporary directory and removes it afterwards. PostgreSQL refuses to
run as root, so as root the cluster belongs to the `postgres` account (`runuser`).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import skip_or_fail
from tests.durability.test_kill_nine import free_port

START_TIMEOUT = 30.0


def postgres_binary(name: str) -> str | None:
    """`initdb` or `pg_ctl`: on PATH, or where Debian keeps them (not on PATH there)."""
    found = shutil.which(name)
    if found is not None:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None


class PostgresCluster:
    """An initdb'd cluster on 127.0.0.1:`port`, trust authentication, user `postgres`."""

    def __init__(self, directory: Path, port: int, as_user: list[str], pg_ctl: str) -> None:
        self.directory = directory
        self._pg_ctl = pg_ctl
        self.port = port
        self._as_user = as_user
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"

    def run(self, *args: str) -> None:
        done = subprocess.run(
            [*self._as_user, *args], capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, f"{args[0]}: {done.stdout}{done.stderr}"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(
            self._pg_ctl, "start", "--wait", f"--timeout={START_TIMEOUT:.0f}",
            f"--pgdata={self.directory / 'data'}", f"--log={self.directory / 'log'}",
            f"--options={options}",
        )  # fmt: skip

    def stop(self, mode: str = "immediate") -> None:
        """`immediate` is a crash as far as clients can tell: connections drop at once."""
        self.run(self._pg_ctl, "stop", "--wait", f"--mode={mode}", f"-D{self.directory / 'data'}")


@contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A running cluster of this test's own, stopped and removed afterwards."""
    initdb, pg_ctl = postgres_binary("initdb"), postgres_binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        skip_or_fail("initdb and pg_ctl are not installed")
    directory = Path(tempfile.mkdtemp(prefix="talkback-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(directory, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    cluster = PostgresCluster(directory, free_port(), as_user, pg_ctl)
    try:
        cluster.run(
            initdb, "--auth=trust", "--username=postgres", "--encoding=UTF8",
            "--no-sync", f"--pgdata={directory / 'data'}",
        )  # fmt: skip
        cluster.start()
        yield cluster
    finally:
        subprocess.run(
            [*as_user, pg_ctl, "stop", "--mode=immediate", f"-D{directory / 'data'}"],
            capture_output=True, timeout=60, check=False,
        )  # fmt: skip
        shutil.rmtree(directory, ignore_errors=True)


class RedisServer:
    """`redis-server` on 127.0.0.1:`port`, persisting nothing, as a child process."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            done = subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"],
                capture_output=True, text=True, timeout=10, check=False,
            )  # fmt: skip
            if done.stdout.strip() == "PONG":
                return
            assert self.process.poll() is None, "redis-server exited"
            time.sleep(0.05)
        raise AssertionError(f"redis-server did not answer within {START_TIMEOUT}s")

    def kill(self) -> None:
        """Gone at once, as in a crash: connections drop, pub/sub messages are lost."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        skip_or_fail("redis-server is not installed")
    server = RedisServer(free_port())
    try:
        server.start()
        yield server
    finally:
        server.kill()
