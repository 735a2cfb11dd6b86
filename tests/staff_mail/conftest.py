"""The newsroom of the admin tests (two sites in pre-moderation, an admin, a moderator),
with mail going to a real SMTP server on loopback and the outbox worker in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from argon2 import PasswordHasher

from talkback.staff import accounts as staff_service
from tests.admin.conftest import (
    Newsroom,
    open_newsroom,
)
from tests.mail_sink import MailSink


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Production argon2 costs a quarter second a hash; tests need the logic, not the cost."""
    monkeypatch.setattr(
        staff_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )


def open_mail_newsroom(database_url: str, **overrides: Any) -> AsyncIterator[Newsroom]:
    """The admin tests' newsroom, its mail links starting at https://talk.example."""
    return open_newsroom(database_url, **{"public_url": "https://talk.example", **overrides})


@pytest.fixture
async def newsroom(database_url: str, mail_sink: MailSink) -> AsyncIterator[Newsroom]:
    async for world in open_mail_newsroom(database_url, smtp_url=mail_sink.url):
        yield world
