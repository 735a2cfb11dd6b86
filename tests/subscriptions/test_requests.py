"""What a subscribe request may be: bad input is a 422 (never a 500), a comment must be on
the page and visible, requests and confirmation mails are rate limited, and a server that
sends no mail says so."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from talkback.readers.data import delete_reader_data, export_reader_data
from talkback.store.tables import outbox
from tests.api.conftest import ARTICLE, SITE
from tests.mail_sink import MailSink
from tests.subscriptions.conftest import Subscriber, open_subscriber


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"email": "not an address", "kind": "thread"}, "invalid_email"),
        ({"email": "a@b", "kind": "thread"}, "invalid_email"),
        ({"kind": "thread"}, "invalid_email"),
        ({"email": "tom@readers.example", "kind": "everything"}, "invalid"),
        ({"email": "tom@readers.example", "kind": "comment"}, "invalid_comment"),
        ({"email": "tom@readers.example", "kind": "thread", "comment_id": 1}, "invalid_comment"),
        ({"email": "tom@readers.example", "kind": "comment", "comment_id": 0}, "invalid"),
        ({"email": "tom@readers.example", "kind": "thread", "extra": 1}, "invalid"),
        ({"email": "x" * 300 + "@readers.example", "kind": "thread"}, "invalid"),
        ({"email": ["tom@readers.example"], "kind": "thread"}, "invalid"),
    ],
)
async def test_bad_requests_are_refused_with_422(
    subscriber: Subscriber, body: dict[str, Any], code: str
) -> None:
    response = await subscriber.client.post(
        f"/api/v1/{SITE}/subscriptions", params={"uri": ARTICLE}, json=body
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code


async def test_a_comment_subscription_needs_a_visible_comment_on_that_page(
    subscriber: Subscriber,
) -> None:
    here = (await subscriber.api.posted("Here"))["comment"]["id"]
    elsewhere = (await subscriber.api.posted("Elsewhere", uri="/other"))["comment"]["id"]
    wrong_page = await subscriber.subscribe("tom@readers.example", "comment", comment_id=elsewhere)
    assert wrong_page.status_code == 404
    assert wrong_page.json()["error"]["code"] == "comment_not_found"
    missing = await subscriber.subscribe("tom@readers.example", "comment", comment_id=999)
    assert missing.status_code == 404
    ok = await subscriber.subscribe("tom@readers.example", "comment", comment_id=here)
    assert ok.status_code == 202
    assert ok.json()["subscription"]["comment_id"] == here


async def test_bad_page_tokens_are_answered_with_a_page(subscriber: Subscriber) -> None:
    for path in ("/api/v1/unsubscribe", "/api/v1/subscriptions/manage",
                 "/api/v1/subscriptions/confirm"):  # fmt: skip
        for method in ("GET", "POST"):
            response = await subscriber.client.request(
                method, path, params={"token": "forged"}, data={"subscription_id": "1"}
            )
            assert response.status_code == 400, (path, method)
            assert response.headers["content-type"].startswith("text/html")


@pytest.fixture
async def limited(database_url: str, mail_sink: MailSink) -> Any:
    async for world in open_subscriber(database_url, mail_sink, rate_limits="on"):
        yield world


async def test_confirmations_to_one_address_are_rate_limited(limited: Subscriber) -> None:
    answers = [(await limited.subscribe("tom@readers.example")).status_code for _ in range(6)]
    assert answers == [202] * 5 + [429]
    refused = await limited.subscribe("tom@readers.example")
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
    # Another address from the same reader is still fine, up to the per-IP limit.
    assert (await limited.subscribe("sue@readers.example")).status_code == 202
    statuses = await limited.settle()
    assert statuses == ["subscription_confirm:sent"] * 6


async def test_requests_from_one_address_are_rate_limited(limited: Subscriber) -> None:
    answers = [
        (await limited.subscribe(f"reader{n}@readers.example")).status_code for n in range(21)
    ]
    assert answers == [202] * 20 + [429]


async def test_a_server_without_mail_refuses_subscriptions(
    database_url: str, mail_sink: MailSink
) -> None:
    async for world in open_subscriber(database_url, mail_sink, smtp_url=None):
        response = await world.subscribe("tom@readers.example")
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "mail_unavailable"


async def test_deleting_a_readers_data_deletes_their_subscriptions(
    subscriber: Subscriber,
) -> None:
    ctx = subscriber.api.context
    token = await subscriber.api.reader_token()
    await subscriber.api.post("Mine", email="ann@readers.example",
                              headers={"X-Talkback-Reader": token})  # fmt: skip
    await subscriber.subscribed("Ann@Readers.example", "replies")
    # Made under the reader token she commented with, for another address of hers.
    await subscriber.subscribe("ann.work@readers.example", "thread", token=token)
    await subscriber.subscribed("tom@readers.example", "thread")
    site = await ctx.sites.get(SITE)

    exported = await export_reader_data(ctx, site, "ann@readers.example")
    assert sorted((s["kind"], s["email"]) for s in exported["subscriptions"]) == [
        ("replies", "ann@readers.example"), ("thread", "ann.work@readers.example"),
    ]  # fmt: skip
    await subscriber.settle()
    done = await delete_reader_data(ctx, site, "ann@readers.example", keep_comments=True)
    assert done.subscriptions_removed == 2
    # Her confirmation mail leaves the outbox's log with her; Tom's stays.
    assert done.mails_removed == 1
    recipients = await ctx.database.read_rows(select(outbox.c.recipient, outbox.c.status))
    assert "ann@readers.example" not in {row.recipient for row in recipients}
    assert ("tom@readers.example", "sent") in {(r.recipient, r.status) for r in recipients}
    assert (await export_reader_data(ctx, site, "ann@readers.example"))["subscriptions"] == []
    tom = await export_reader_data(ctx, site, "tom@readers.example")
    assert len(tom["subscriptions"]) == 1
