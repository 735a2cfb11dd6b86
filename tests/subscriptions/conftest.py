"""The app with a real SMTP server on loopback, and a reader's ways to subscribe and to
follow the links of the mails that arrive."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select

from talkback import clock
from talkback.sites.sites import set_site_option
from talkback.store.tables import outbox
from tests.api.conftest import ARTICLE, SITE, Api, running_api
from tests.mail_sink import MailSink, text_part

PUBLIC_URL = "https://talk.news.example"


class Subscriber:
    """The API with mail: subscribe, read mail, follow its links through the app."""

    def __init__(self, api: Api, sink: MailSink) -> None:
        self.api = api
        self.sink = sink

    @property
    def client(self) -> httpx.AsyncClient:
        return self.api.client

    async def subscribe(
        self,
        email: str | None,
        kind: str = "thread",
        comment_id: int | None = None,
        uri: str = ARTICLE,
        token: str | None = None,
    ) -> httpx.Response:
        body: dict[str, Any] = {"kind": kind}
        if email is not None:
            body["email"] = email
        if comment_id is not None:
            body["comment_id"] = comment_id
        headers = {"X-Talkback-Reader": token} if token else {}
        return await self.client.post(
            f"/api/v1/{SITE}/subscriptions", params={"uri": uri}, json=body, headers=headers
        )

    async def subscribed(self, email: str, kind: str = "thread", **kwargs: Any) -> int:
        """Subscribe and confirm through the link of the confirmation mail; the id."""
        stored = email.lower()  # addresses are stored, and mailed to, in lower case
        before = len(self.sink.to(stored))
        response = await self.subscribe(email, kind, **kwargs)
        assert response.status_code == 202, response.text
        assert response.json()["status"] == "confirmation_sent"
        mail = await self.mail_to(stored, before + 1)
        confirmed = await self.follow(link_in(mail, "/api/v1/subscriptions/confirm"), "POST")
        assert confirmed.status_code == 200, confirmed.text
        subscription_id: int = response.json()["subscription"]["id"]
        return subscription_id

    async def mail_to(self, email: str, count: int = 1) -> EmailMessage:
        """The `count`-th mail to `email`, once it has arrived."""
        for _ in range(500):  # at most ten seconds
            found = self.sink.to(email)
            if len(found) >= count:
                return found[count - 1]
            await asyncio.sleep(0.02)
        raise AssertionError(f"no mail number {count} to {email}")

    async def follow(self, url: str, method: str = "GET", **kwargs: Any) -> httpx.Response:
        """A link from a mail, requested through the app."""
        assert url.startswith(PUBLIC_URL + "/"), url
        parts = urlsplit(url)
        return await self.client.request(method, f"{parts.path}?{parts.query}", **kwargs)

    async def settle(self) -> list[str]:
        """Deliver whatever is due now, and let the in-process worker finish what it took;
        then the outbox's statuses, by id."""
        worker = self.api.context.outbox.worker
        for _ in range(500):  # at most ten seconds
            while await worker.run_once():
                pass
            rows = await self.api.context.database.read_rows(
                select(outbox.c.kind, outbox.c.status, outbox.c.not_before).order_by(outbox.c.id)
            )
            # A due row still `pending` may be one the in-process worker is claiming right
            # now (its claim not yet committed; this worker's claim skipped the locked row).
            now = clock.now()
            if not any(
                row.status == "sending" or (row.status == "pending" and row.not_before <= now)
                for row in rows
            ):
                return [f"{row.kind}:{row.status}" for row in rows]
            await asyncio.sleep(0.02)
        raise AssertionError("the outbox did not settle")

    async def errors(self) -> list[str | None]:
        """The outbox's last errors, by id, to show why a test found a message unsent."""
        rows = await self.api.context.database.read_rows(
            select(outbox.c.last_error).order_by(outbox.c.id)
        )
        return [row.last_error for row in rows]


def link_in(message: EmailMessage, path: str) -> str:
    """The link to `path` in a mail's text part."""
    found = re.findall(rf"{re.escape(PUBLIC_URL + path)}\?token=[\w.\-]+", text_part(message))
    assert found, text_part(message)
    return str(found[0])


async def open_subscriber(
    database_url: str, sink: MailSink, **overrides: Any
) -> AsyncIterator[Subscriber]:
    settings: dict[str, Any] = {
        "rate_limits": "off", "smtp_url": sink.url, "outbox_poll_seconds": 0.05,
        "public_url": PUBLIC_URL,
    }  # fmt: skip
    async with running_api(database_url, **(settings | overrides)) as api:
        yield Subscriber(api, sink)


async def set_option(subscriber: Subscriber, key: str, value: str) -> None:
    context = subscriber.api.context
    await set_site_option(context.database, SITE, key, value)
    context.sites.forget(SITE)


@pytest.fixture
async def subscriber(database_url: str, mail_sink: MailSink) -> AsyncIterator[Subscriber]:
    """Digests off (window 0): each comment's mail goes out at once."""
    async for world in open_subscriber(database_url, mail_sink):
        await set_option(world, "digest_window", "0")
        yield world
