"""The newsroom of the admin tests (two sites in pre-moderation, an admin, a moderator),
with mail going to a real SMTP server on loopback and the outbox worker in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import pytest
from argon2 import PasswordHasher

from talkback.app import create_app
from talkback.config import Settings
from talkback.context import Context
from talkback.sites.sites import create_site, set_site_option
from talkback.staff import accounts as staff_service
from talkback.staff.accounts import create_staff
from talkback.store.migrate import migrate
from tests.admin.conftest import (
    ADMIN,
    MODERATOR,
    ORIGIN,
    OTHER_SITE,
    PASSWORD,
    SECRET,
    SITE,
    Newsroom,
)
from tests.api.conftest import reset
from tests.mail_sink import MailSink


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Production argon2 costs a quarter second a hash; tests need the logic, not the cost."""
    monkeypatch.setattr(
        staff_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )


async def open_mail_newsroom(database_url: str, **overrides: Any) -> AsyncIterator[Newsroom]:
    settings = Settings(
        database_url=database_url, secret_key=SECRET, public_url="https://talk.example",
        **{"rate_limits": "off", **overrides},
    )  # fmt: skip
    app = create_app(settings)
    context: Context = app.state.context
    await migrate(context.database)
    await reset(context)
    for site_id, name in ((SITE, "The Example News"), (OTHER_SITE, "The Courier")):
        await create_site(context.database, site_id, name=name, origins=[ORIGIN])
        await set_site_option(context.database, site_id, "moderation_mode", "pre")
    async with AsyncExitStack() as stack, app.router.lifespan_context(app):
        newsroom = Newsroom(app, stack)
        newsroom.admin = await create_staff(context.database, ADMIN, PASSWORD, "admin", "Edith")
        newsroom.moderator = await create_staff(context.database, MODERATOR, PASSWORD, "moderator")
        yield newsroom


@pytest.fixture
async def newsroom(database_url: str, mail_sink: MailSink) -> AsyncIterator[Newsroom]:
    async for world in open_mail_newsroom(database_url, smtp_url=mail_sink.url):
        yield world
