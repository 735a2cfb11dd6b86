"""The demo mailbox at /demo/mailbox: mail kept instead of sent, listed and shown safely."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from html import unescape

import pytest

from talkback.mail.check_mail import queue_check_mail
from tests.api.conftest import ARTICLE, SITE, Api, running_api

MAILBOX = "/demo/mailbox"
WAIT_SECONDS = 10.0
ROW = re.compile(r'<a href="/demo/mailbox/(\d+)">([^<]*)</a>')


@pytest.fixture
async def demo_api(database_url: str) -> AsyncIterator[Api]:
    async with running_api(
        database_url, rate_limits="off", demo_mailbox=True, public_url="http://talkback.test"
    ) as api:
        yield api


async def listed(api: Api, count: int) -> list[tuple[int, str]]:
    """The mailbox's rows (id, subject), once it lists at least `count` mails."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        page = await api.client.get(MAILBOX)
        assert page.status_code == 200, page.text
        rows = [(int(id_), unescape(subject)) for id_, subject in ROW.findall(page.text)]
        if len(rows) >= count:
            return rows
        if time.monotonic() > deadline:
            raise AssertionError(f"the mailbox listed {len(rows)} mails, not {count}")
        await asyncio.sleep(0.05)


async def test_without_mail_the_mailbox_is_empty_and_says_how_to_fill_it(demo_api: Api) -> None:
    page = await demo_api.client.get(MAILBOX)
    assert page.status_code == 200
    assert "No mail yet" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]


async def test_a_subscription_request_lands_in_the_mailbox_with_its_link(demo_api: Api) -> None:
    answer = await demo_api.client.post(
        f"/api/v1/{SITE}/subscriptions",
        params={"uri": ARTICLE},
        json={"email": "reader@example.org", "kind": "thread"},
    )
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "confirmation_sent"

    [(mail_id, _subject)] = await listed(demo_api, 1)
    listing = (await demo_api.client.get(MAILBOX)).text
    assert "reader@example.org" in listing
    shown = await demo_api.client.get(f"{MAILBOX}/{mail_id}")
    assert shown.status_code == 200
    page = shown.text
    assert "reader@example.org" in page
    assert "Message-ID" in page
    # The confirmation link is a clickable link on the page, and it leads to the confirm page.
    links = [unescape(link) for link in re.findall(r'<li><a href="([^"]+)"', page)]
    confirm = next(link for link in links if "/subscriptions/confirm?token=" in link)
    assert confirm.startswith("http://talkback.test/")
    opened = await demo_api.client.get(confirm.removeprefix("http://talkback.test"))
    assert opened.status_code == 200


async def test_the_html_part_is_shown_in_a_sandboxed_frame_only(demo_api: Api) -> None:
    await demo_api.context.database.write(
        lambda conn: queue_check_mail(conn, "staff@example.org", requested_by="<b>x</b>")
    )
    [(mail_id, subject)] = await listed(demo_api, 1)
    page = (await demo_api.client.get(f"{MAILBOX}/{mail_id}")).text
    frame = re.search(r'<iframe [^>]*sandbox="([^"]*)"[^>]*srcdoc="([^"]*)"', page)
    assert frame is not None
    assert "allow-scripts" not in frame.group(1)
    assert "allow-same-origin" not in frame.group(1)
    # The doctype stays first (standards mode), the links' target comes after it.
    assert frame.group(2).startswith("&lt;!doctype html&gt;&lt;base target=")
    # The mail's markup exists only inside the (escaped) srcdoc, never as the page's own.
    assert "<b>x</b>" not in page.replace(frame.group(0), "")
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert subject in page


async def test_an_unknown_mail_is_not_found(demo_api: Api) -> None:
    assert (await demo_api.client.get(f"{MAILBOX}/999999")).status_code == 404


async def test_without_the_demo_mailbox_there_is_no_mailbox_page(database_url: str) -> None:
    async with running_api(database_url, rate_limits="off") as api:
        assert (await api.client.get(MAILBOX)).status_code == 404
