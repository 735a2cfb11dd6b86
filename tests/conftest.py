"""Shared fixtures: databases (SQLite always, PostgreSQL when reachable) and a frozen clock."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NoReturn

import pytest

from talkback import clock
from tests.mail_sink import MailSink

POSTGRES_HOST = os.environ.get("TALKBACK_TEST_PG_HOST", "127.0.0.1")
POSTGRES_ADMIN_URL = f"postgresql://{POSTGRES_HOST}:5432/test"


def services_required() -> bool:
    return os.environ.get("TALKBACK_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str) -> NoReturn:
    """Skip a test whose service is missing, unless CI demands the service."""
    if services_required():
        pytest.fail(f"{reason} (TALKBACK_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


class FrozenClock:
    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@pytest.fixture
def frozen_clock() -> Iterator[FrozenClock]:
    frozen = FrozenClock(datetime(2026, 11, 1, 12, 0, tzinfo=UTC))
    clock.set_clock(frozen)
    yield frozen
    clock.set_clock(None)


@contextmanager
def throwaway_postgres_database(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database (its URL), dropped afterwards."""
    if not port_open(POSTGRES_HOST, 5432):
        skip_or_fail(f"PostgreSQL is not reachable on {POSTGRES_HOST}:5432")
    import asyncpg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"

    async def admin(statement: str) -> None:
        conn = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+asyncpg://{POSTGRES_HOST}:5432/{name}"
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped afterwards."""
    with throwaway_postgres_database("talkback_test") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each API test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'talkback.db'}"
    url: str = request.getfixturevalue("postgres_database")
    return url


DatabaseUrlFactory = Callable[[], str]


@pytest.fixture
def mail_sink() -> Iterator[MailSink]:
    """A real SMTP server on loopback, for the length of one test."""
    sink = MailSink()
    sink.start()
    yield sink
    sink.stop()
