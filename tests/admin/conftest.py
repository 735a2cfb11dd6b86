"""The admin pages and API over HTTP (httpx through ASGI), with staff accounts and comments.

Each `StaffClient` is one browser: its own cookie jar and CSRF token. Writes send the
Talkback host as `Origin`, as a browser on the admin pages would. The site is in
pre-moderation, so new comments are held for the queue.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI

from talkback.app import create_app
from talkback.comments.posting import CommentDraft, post_comment
from talkback.config import Settings
from talkback.context import Context
from talkback.core.identity import hash_ip
from talkback.moderation.actions import approve_comment
from talkback.readers.tokens import Reader
from talkback.sites.sites import create_site, set_site_option
from talkback.staff import accounts as staff_service
from talkback.staff.accounts import StaffMember, create_staff
from talkback.store.migrate import migrate
from tests.api.conftest import reset
from tests.conftest import FrozenClock

HOST = "http://talkback.test"
SITE = "news"
OTHER_SITE = "courier"
ORIGIN = "https://news.example"
ARTICLE = "/2026/11/river-barrier"
PASSWORD = "a long enough password"
ADMIN = "editor@news.example"
MODERATOR = "mod@news.example"
SECRET = "test-secret-key"


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Production argon2 costs a quarter second a hash; tests need the logic, not the cost."""
    monkeypatch.setattr(
        staff_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )


class StaffClient:
    """One browser on the admin pages: a cookie jar, and the CSRF token once signed in."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.csrf = ""

    async def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        response = await self.client.post(
            "/api/v1/admin/login",
            json={"email": email, "password": password},
            headers={"Origin": HOST},
        )
        if response.status_code == 200:
            self.csrf = response.json()["csrf_token"]
        return response

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.client.get(path, params=params or None)

    async def send(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: dict[str, Any] | None = None,
        csrf: str | None = None,
        origin: str | None = HOST,
    ) -> httpx.Response:
        """A write as the admin pages send it; `csrf`/`origin` override what is sent."""
        headers = {"Origin": origin} if origin else {}
        token = self.csrf if csrf is None else csrf
        if token and data is None:
            headers["X-CSRF-Token"] = token
        if data is not None and token:
            data = {"csrf_token": token, **data}
        return await self.client.request(method, path, json=json, data=data, headers=headers)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.send("POST", path, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.send("PATCH", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.send("DELETE", path, **kwargs)


class Newsroom:
    """The running app with two sites, an admin and a moderator, and ways to add comments."""

    def __init__(self, app: FastAPI, stack: AsyncExitStack) -> None:
        self.app = app
        self.stack = stack
        self.transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4321))
        self.admin: StaffMember
        self.moderator: StaffMember
        self._authors = 0

    @property
    def context(self) -> Context:
        context: Context = self.app.state.context
        return context

    async def browser(self) -> StaffClient:
        client = httpx.AsyncClient(transport=self.transport, base_url=HOST)
        await self.stack.enter_async_context(client)
        return StaffClient(client)

    async def signed_in(self, email: str = ADMIN) -> StaffClient:
        browser = await self.browser()
        response = await browser.login(email)
        assert response.status_code == 200, response.text
        return browser

    async def held(
        self,
        text: str = "A comment waiting for review",
        *,
        author: str | None = "Riya",
        email: str | None = None,
        uri: str = ARTICLE,
        site: str = SITE,
    ) -> int:
        """Post as a new guest (each from an address of their own); held by pre-moderation."""
        self._authors += 1
        ctx = self.context
        posted = await post_comment(
            ctx,
            await ctx.sites.get(site),
            uri,
            CommentDraft(text=text, author_name=author, email=email, title="River barrier"),
            Reader(ip_hash=hash_ip(f"198.51.100.{self._authors}", SECRET)),
        )
        comment_id: int = posted.comment["id"]
        return comment_id

    async def published(self, text: str = "A published comment", **kwargs: Any) -> int:
        comment_id = await self.held(text, **kwargs)
        site = await self.context.sites.get(kwargs.get("site", SITE))
        await approve_comment(self.context, site, comment_id, self.admin)
        return comment_id


async def open_newsroom(
    database_url: str, rate_limits: Literal["on", "off"] = "off", **overrides: Any
) -> AsyncIterator[Newsroom]:
    """The newsroom; `overrides` are further settings (mail, for the staff mail tests)."""
    settings = Settings(
        database_url=database_url, secret_key=SECRET, rate_limits=rate_limits, **overrides
    )
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
async def newsroom(database_url: str) -> AsyncIterator[Newsroom]:
    """Rate limits off (as a load test would run), so tests can post freely."""
    async for world in open_newsroom(database_url, "off"):
        yield world


@pytest.fixture
async def limited_newsroom(database_url: str) -> AsyncIterator[Newsroom]:
    """Rate limits on, as in production."""
    async for world in open_newsroom(database_url, "on"):
        yield world


@dataclass
class FrozenNewsroom:
    newsroom: Newsroom
    clock: FrozenClock


@pytest.fixture
def frozen_newsroom(frozen_clock: FrozenClock, newsroom: Newsroom) -> FrozenNewsroom:
    """The newsroom with time standing still until the test moves it."""
    return FrozenNewsroom(newsroom, frozen_clock)
