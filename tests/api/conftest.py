"""The app over HTTP (httpx through ASGI), with a migrated database and one site."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from talkback.app import create_app
from talkback.config import Settings
from talkback.context import Context
from talkback.sites.sites import create_site
from talkback.store.migrate import migrate
from talkback.store.tables import metadata

SITE = "news"
ORIGIN = "https://news.example"
ARTICLE = "/2026/11/river-barrier"


class Api:
    """A reader's view of the API for one site, so tests read as specifications."""

    def __init__(self, client: httpx.AsyncClient, context: Context) -> None:
        self.client = client
        self.context = context
        self.posts = 0

    async def post(
        self,
        text: str | None = None,
        uri: str = ARTICLE,
        headers: dict[str, str] | None = None,
        **fields: Any,
    ) -> httpx.Response:
        if text is None:  # distinct texts: the same text twice is rejected as a duplicate
            self.posts += 1
            text = f"Comment number {self.posts}"
        return await self.client.post(
            f"/api/v1/{SITE}/comments", params={"uri": uri}, json={"text": text, **fields},
            headers=headers,
        )  # fmt: skip

    async def posted(self, text: str | None = None, **fields: Any) -> dict[str, Any]:
        response = await self.post(text, **fields)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def page(self, uri: str = ARTICLE, **params: Any) -> dict[str, Any]:
        response = await self.client.get(f"/api/v1/{SITE}/comments", params={"uri": uri, **params})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def vote(self, comment_id: int, value: int, token: str | None = None) -> httpx.Response:
        headers = {"X-Talkback-Reader": token} if token else {}
        return await self.client.post(
            f"/api/v1/{SITE}/comments/{comment_id}/vote", json={"value": value}, headers=headers
        )

    async def reader_token(self) -> str:
        response = await self.client.get(f"/api/v1/{SITE}/me", params={"uri": ARTICLE})
        token: str = response.json()["reader_token"]
        return token


async def reset(context: Context) -> None:
    """Empty every table; PostgreSQL's database is shared by the whole run."""
    if context.database.dialect != "postgresql":
        return
    names = ", ".join(table.name for table in metadata.sorted_tables)
    async with context.database.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@asynccontextmanager
async def running_api(database_url: str, **overrides: Any) -> AsyncIterator[Api]:
    """The app on a migrated, empty database with the test site, and a client for it."""
    settings = Settings(database_url=database_url, secret_key="test-secret-key", **overrides)
    app = create_app(settings)
    context: Context = app.state.context
    await migrate(context.database)
    await reset(context)
    await create_site(context.database, SITE, name="The Example News", origins=[ORIGIN])
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4321))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://talkback.test") as client,
    ):
        yield Api(client, context)


@pytest.fixture
async def api(database_url: str) -> AsyncIterator[Api]:
    """Rate limits off: the suite posts far faster than any reader could."""
    async with running_api(database_url, rate_limits="off") as client:
        yield client


@pytest.fixture
async def limited_api(database_url: str) -> AsyncIterator[Api]:
    async with running_api(database_url, rate_limits="on") as client:
        yield client
