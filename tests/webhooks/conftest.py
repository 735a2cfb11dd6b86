"""The app with its outbox worker off (tests run it a round at a time), a short webhook
timeout, an admin and a moderator, and a real receiver on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest

from talkback.app import create_app
from talkback.config import Settings
from talkback.context import Context
from talkback.sites.sites import create_site
from talkback.staff.accounts import create_staff
from talkback.store.migrate import migrate
from tests.admin.conftest import (
    ADMIN,
    HOST,
    MODERATOR,
    ORIGIN,
    PASSWORD,
    SECRET,
    SITE,
    StaffClient,
    cheap_password_hashing,  # noqa: F401 (an autouse fixture, used here too)
)
from tests.api.conftest import reset
from tests.webhooks.receiver import Receiver

ARTICLE = "/2026/11/river-barrier"
API = f"/api/v1/admin/{SITE}"
TIMEOUT = 0.5


class Hooks:
    """The running app, an admin's browser, and helpers that read as the tests speak."""

    def __init__(self, context: Context, transport: httpx.ASGITransport, stack: AsyncExitStack):
        self.context = context
        self.transport = transport
        self.stack = stack
        self.admin: StaffClient
        self.reader: httpx.AsyncClient

    async def browser(self, email: str = ADMIN) -> StaffClient:
        client = httpx.AsyncClient(transport=self.transport, base_url=HOST)
        await self.stack.enter_async_context(client)
        browser = StaffClient(client)
        assert (await browser.login(email)).status_code == 200
        return browser

    async def endpoint(
        self, url: str, events: list[str] | None = None, **fields: Any
    ) -> dict[str, Any]:
        """A new endpoint: {"endpoint": …, "secret": …}."""
        body = {"url": url, "events": events or ["comment.created"], **fields}
        created = await self.admin.post(f"{API}/webhooks", json=body)
        assert created.status_code == 201, created.text
        answer: dict[str, Any] = created.json()
        return answer

    async def comment(
        self, text: str = "The barrier held this time.", **fields: Any
    ) -> dict[str, Any]:
        posted = await self.reader.post(
            f"/api/v1/{SITE}/comments", params={"uri": ARTICLE},
            json={"text": text, "author_name": "Riya", **fields},
        )  # fmt: skip
        assert posted.status_code == 201, posted.text
        comment: dict[str, Any] = posted.json()["comment"]
        return comment

    async def deliver(self) -> int:
        """One worker round, as `talkback worker` runs them."""
        return await self.context.outbox.worker.run_once()

    async def deliveries(self, endpoint_id: int) -> list[dict[str, Any]]:
        answer = await self.admin.get(f"{API}/webhooks/{endpoint_id}/deliveries")
        assert answer.status_code == 200, answer.text
        found: list[dict[str, Any]] = answer.json()["deliveries"]
        return found


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def hooks(database_url: str) -> AsyncIterator[Hooks]:
    settings = Settings(
        database_url=database_url, secret_key=SECRET, rate_limits="off", outbox_worker="off",
        webhook_timeout_seconds=TIMEOUT,
    )  # fmt: skip
    app = create_app(settings)
    context: Context = app.state.context
    await migrate(context.database)
    await reset(context)
    await create_site(context.database, SITE, name="The Example News", origins=[ORIGIN])
    await create_staff(context.database, ADMIN, PASSWORD, "admin", "Edith")
    await create_staff(context.database, MODERATOR, PASSWORD, "moderator")
    async with AsyncExitStack() as stack, app.router.lifespan_context(app):
        world = Hooks(context, httpx.ASGITransport(app=app, client=("203.0.113.7", 4321)), stack)
        world.admin = await world.browser()
        world.reader = httpx.AsyncClient(transport=world.transport, base_url=HOST)
        await stack.enter_async_context(world.reader)
        yield world
