"""A reader with a mailbox: asks for sign-in links, reads them from real SMTP, uses them."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from talkback.sites.sites import set_site_option
from tests.api.conftest import ARTICLE, SITE, Api, running_api
from tests.mail_sink import MailSink, html_part, text_part

LINK = re.compile(r"(https?://\S+)#talkback-signin=([A-Za-z0-9_-]+)")


class Mailbox:
    """Sign-in from a reader's side: ask, read the mail, complete on some device."""

    def __init__(self, api: Api, sink: MailSink) -> None:
        self.api = api
        self.sink = sink

    async def ask(self, email: str, token: str | None = None, uri: str = ARTICLE) -> httpx.Response:
        headers = {"X-Talkback-Reader": token} if token else {}
        return await self.api.client.post(
            f"/api/v1/{SITE}/signin", json={"email": email, "uri": uri}, headers=headers
        )

    async def link(self, email: str, token: str | None = None) -> tuple[str, str]:
        """(article URL, sign-in token) of a new link, taken from the mail's text part."""
        before = len(self.sink.messages)
        response = await self.ask(email, token)
        assert response.status_code == 202, response.text
        message = (await self.sink.until(before + 1))[before]
        assert message["To"] == email
        found = LINK.search(text_part(message))
        assert found is not None, text_part(message)
        assert f"{found.group(0)}" in html_part(message)
        return found.group(1), found.group(2)

    async def complete(self, signin_token: str, token: str | None = None) -> httpx.Response:
        headers = {"X-Talkback-Reader": token} if token else {}
        return await self.api.client.post(
            f"/api/v1/{SITE}/signin/complete", json={"token": signin_token}, headers=headers
        )

    async def sign_in(self, email: str, token: str | None = None) -> str:
        """A reader token for the account of `email`, from a link completed on the device
        that holds `token` (a fresh device when None)."""
        _, signin_token = await self.link(email, token)
        response = await self.complete(signin_token, token)
        assert response.status_code == 200, response.text
        reader_token: str = response.json()["reader_token"]
        return reader_token

    async def me(self, token: str | None) -> dict[str, Any]:
        headers = {"X-Talkback-Reader": token} if token else {}
        response = await self.api.client.get(
            f"/api/v1/{SITE}/me", params={"uri": ARTICLE}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


async def set_option(api: Api, key: str, value: str) -> None:
    await set_site_option(api.context.database, SITE, key, value)
    api.context.sites.forget(SITE)


def reader(token: str) -> dict[str, str]:
    return {"X-Talkback-Reader": token}


@pytest.fixture
async def mailbox(database_url: str, mail_sink: MailSink) -> AsyncIterator[Mailbox]:
    async with running_api(database_url, rate_limits="off", smtp_url=mail_sink.url) as api:
        yield Mailbox(api, mail_sink)
