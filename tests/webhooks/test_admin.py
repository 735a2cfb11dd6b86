"""Managing endpoints: admins only, addresses checked, test events, the delivery log and
sending a failed delivery again; the admin pages do the same."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from talkback.store.tables import audit_log
from tests.admin.conftest import MODERATOR, SITE
from tests.webhooks.conftest import API, Hooks
from tests.webhooks.receiver import Receiver
from tests.webhooks.recipe import documented_verify

verify = documented_verify()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/hook",
        "http://10.0.0.7/hook",
        "ftp://127.0.0.1/hook",
        "http://user:pw@127.0.0.1/hook",
        "https:///no-host",
        "not a url",
    ],
)
async def test_an_address_that_is_not_https_or_loopback_http_is_refused(
    hooks: Hooks, url: str
) -> None:
    answer = await hooks.admin.post(
        f"{API}/webhooks", json={"url": url, "events": ["comment.created"]}
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "invalid_url"


async def test_https_and_loopback_http_are_accepted_and_unknown_events_refused(
    hooks: Hooks,
) -> None:
    for url in ("https://newsroom.example/hook", "http://localhost:9/h", "http://[::1]:9/h"):
        created = await hooks.admin.post(
            f"{API}/webhooks", json={"url": url, "events": ["comment.created"]}
        )
        assert created.status_code == 201, created.text
    refused = await hooks.admin.post(
        f"{API}/webhooks", json={"url": "https://a.example/h", "events": ["comment.eaten"]}
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "invalid_events")
    listed = (await hooks.admin.get(f"{API}/webhooks")).json()
    assert len(listed["endpoints"]) == 3
    assert "comment.created" in listed["events"]
    actions = await hooks.context.database.read_rows(select(audit_log.c.action))
    assert [row.action for row in actions].count("webhook.create") == 3


async def test_a_moderator_cannot_see_or_manage_endpoints(hooks: Hooks, receiver: Receiver) -> None:
    created = await hooks.endpoint(receiver.url)
    endpoint_id = created["endpoint"]["id"]
    moderator = await hooks.browser(MODERATOR)
    base = f"{API}/webhooks"
    for answer in (
        await moderator.get(base),
        await moderator.post(base, json={"url": receiver.url, "events": ["comment.created"]}),
        await moderator.patch(f"{base}/{endpoint_id}", json={"active": False}),
        await moderator.delete(f"{base}/{endpoint_id}"),
        await moderator.post(f"{base}/{endpoint_id}/test"),
        await moderator.post(f"{base}/{endpoint_id}/rotate-secret"),
        await moderator.get(f"{base}/{endpoint_id}/deliveries"),
        await moderator.get(f"/admin/{SITE}/webhooks"),
    ):
        assert answer.status_code == 403, answer.text
    assert "/webhooks" not in (await moderator.get(f"/admin/{SITE}/queue")).text
    anonymous = await hooks.reader.get(base)
    assert anonymous.status_code == 401
    assert (await hooks.admin.get(f"{base}/{endpoint_id}")).json()["endpoint"]["active"]


async def test_test_event_failed_delivery_and_sending_it_again(
    hooks: Hooks, receiver: Receiver
) -> None:
    created = await hooks.endpoint(receiver.url, ["donation.created"])
    endpoint_id = created["endpoint"]["id"]
    receiver.answers = [410]
    queued = await hooks.admin.post(f"{API}/webhooks/{endpoint_id}/test")
    assert queued.status_code == 202, queued.text
    delivery = queued.json()["delivery"]
    assert (delivery["type"], delivery["status"]) == ("ping", "pending")

    assert await hooks.deliver() == 1
    [failed] = await hooks.deliveries(endpoint_id)
    assert (failed["status"], failed["attempts"]) == ("failed", 1)  # 410: no retries
    assert [a["status_code"] for a in failed["attempt_log"]] == [410]
    assert "410" in failed["last_error"]

    again = await hooks.admin.post(
        f"{API}/webhooks/{endpoint_id}/deliveries/{delivery['id']}/redeliver"
    )
    assert again.status_code == 200, again.text
    assert again.json()["delivery"]["status"] == "pending"
    assert await hooks.deliver() == 1
    [sent] = await hooks.deliveries(endpoint_id)
    assert sent["status"] == "sent"
    refused = await hooks.admin.post(
        f"{API}/webhooks/{endpoint_id}/deliveries/{delivery['id']}/redeliver"
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "not_failed")

    first, second = receiver.requests
    assert first.headers["talkback-event"] == second.headers["talkback-event"] == "ping"
    assert first.headers["talkback-delivery"] == second.headers["talkback-delivery"]
    assert json.loads(second.body)["data"]["endpoint_id"] == endpoint_id


async def test_deleting_an_endpoint_removes_it_and_its_log(
    hooks: Hooks, receiver: Receiver
) -> None:
    created = await hooks.endpoint(receiver.url)
    endpoint_id = created["endpoint"]["id"]
    await hooks.comment()
    deleted = await hooks.admin.delete(f"{API}/webhooks/{endpoint_id}")
    assert deleted.status_code == 204
    assert (await hooks.admin.get(f"{API}/webhooks/{endpoint_id}")).status_code == 404
    assert await hooks.deliver() == 0
    assert receiver.requests == []


async def test_the_admin_pages_create_show_the_secret_once_and_log_a_test_event(
    hooks: Hooks, receiver: Receiver
) -> None:
    page = await hooks.admin.get(f"/admin/{SITE}/webhooks")
    assert page.status_code == 200
    assert "No endpoint yet" in page.text
    refused = await hooks.admin.post(
        f"/admin/{SITE}/webhooks",
        data={"url": "http://example.org/hook", "events": ["comment.created"]},
    )
    assert refused.status_code == 422
    assert "must start with https://" in refused.text

    created = await hooks.admin.post(
        f"/admin/{SITE}/webhooks",
        data={"url": receiver.url, "events": ["comment.created", "report.created"],
              "description": "Desk alerts"},
    )  # fmt: skip
    assert created.status_code == 200, created.text
    secret = re.search(r"data-secret>(whsec_[\w-]+)<", created.text)
    assert secret is not None
    listed = await hooks.admin.get(f"/admin/{SITE}/webhooks")
    assert secret.group(1) not in listed.text
    assert "Desk alerts" in listed.text
    endpoint_id = (await hooks.admin.get(f"{API}/webhooks")).json()["endpoints"][0]["id"]

    tested = await hooks.admin.post(f"/admin/{SITE}/webhooks/{endpoint_id}/test", data={})
    assert tested.status_code == 303
    assert tested.headers["location"].endswith("/deliveries?notice=webhook_test")
    log = await hooks.admin.get(f"/admin/{SITE}/webhooks/{endpoint_id}/deliveries")
    assert "ping" in log.text
    assert "delivery-pending" in log.text
    receiver.answers = [503]
    await hooks.deliver()
    log = await hooks.admin.get(f"/admin/{SITE}/webhooks/{endpoint_id}/deliveries")
    assert "HTTP 503" in log.text
    assert "delivery-pending" in log.text
    [request] = receiver.requests
    assert verify(secret.group(1), request.headers["talkback-signature"], request.body)

    off = await hooks.admin.post(
        f"/admin/{SITE}/webhooks/{endpoint_id}/active", data={"active": "false"}
    )
    assert off.status_code == 303
    assert "inactive" in (await hooks.admin.get(f"/admin/{SITE}/webhooks")).text
