"""Webhook deliveries against a real receiver on loopback: signed, retried under one
delivery id, filtered by event, stopped for inactive endpoints."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from talkback import clock
from tests.conftest import FrozenClock
from tests.webhooks.conftest import API, ARTICLE, Hooks
from tests.webhooks.receiver import HANG, Receiver
from tests.webhooks.recipe import documented_verify

verify = documented_verify()


@pytest.fixture
def now_clock() -> Iterator[FrozenClock]:
    """Time standing still at the real now, so signatures stay within the tolerance."""
    frozen = FrozenClock(datetime.now(UTC).replace(microsecond=0))
    clock.set_clock(frozen)
    yield frozen
    clock.set_clock(None)


def _due(frozen: FrozenClock, delivery: dict[str, object]) -> None:
    """Move the clock just past the delivery's next attempt."""
    at = datetime.fromisoformat(str(delivery["next_attempt_at"]).replace("Z", "+00:00"))
    frozen.current = at + timedelta(seconds=1)


async def test_a_posted_comment_arrives_once_signed_with_the_endpoint_secret(
    hooks: Hooks, receiver: Receiver
) -> None:
    created = await hooks.endpoint(receiver.url)
    secret = created["secret"]
    assert secret.startswith("whsec_")
    comment = await hooks.comment(email="riya@example.org")

    assert await hooks.deliver() == 1
    assert await hooks.deliver() == 0
    [request] = receiver.requests
    headers, body = request.headers, request.body
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"].startswith("Talkback/")
    assert headers["talkback-event"] == "comment.created"
    assert verify(secret, headers["talkback-signature"], body)
    assert not verify(secret + "x", headers["talkback-signature"], body)
    assert not verify(secret, headers["talkback-signature"], body.replace(b"Riya", b"Eve"))

    event = json.loads(body)
    assert event["id"] == headers["talkback-delivery"]
    assert (event["type"], event["site"]) == ("comment.created", "news")
    assert event["data"]["thread"] == {"uri": ARTICLE, "count": 1}
    assert event["data"]["status"] == "approved"
    assert event["data"]["comment"]["id"] == comment["id"]
    assert event["data"]["comment"]["html"] == comment["html"]
    assert event["data"]["comment"]["author"]["name"] == "Riya"
    assert b"riya@example.org" not in body
    assert b"ip_hash" not in body

    [delivery] = await hooks.deliveries(created["endpoint"]["id"])
    assert (delivery["status"], delivery["attempts"], delivery["delivery_id"]) == (
        "sent", 1, event["id"])  # fmt: skip
    assert [a["status_code"] for a in delivery["attempt_log"]] == [200]


async def test_a_failing_then_hanging_receiver_gets_the_same_delivery_until_it_answers(
    hooks: Hooks, receiver: Receiver, now_clock: FrozenClock
) -> None:
    created = await hooks.endpoint(receiver.url)
    endpoint_id = created["endpoint"]["id"]
    receiver.answers = [500, HANG, 200]
    await hooks.comment()

    assert await hooks.deliver() == 1
    [delivery] = await hooks.deliveries(endpoint_id)
    assert (delivery["status"], delivery["attempts"], delivery["last_error"]) == (
        "pending", 1, "HTTP 500")  # fmt: skip
    assert await hooks.deliver() == 0  # not due yet

    _due(now_clock, delivery)
    assert await hooks.deliver() == 1
    [delivery] = await hooks.deliveries(endpoint_id)
    assert (delivery["status"], delivery["attempts"]) == ("pending", 2)
    assert "no answer within" in delivery["last_error"]

    _due(now_clock, delivery)
    assert await hooks.deliver() == 1
    _due(now_clock, delivery)
    assert await hooks.deliver() == 0

    assert len(receiver.requests) == 3
    assert {r.headers["talkback-delivery"] for r in receiver.requests} == {delivery["delivery_id"]}
    assert len({r.body for r in receiver.requests}) == 1
    for request in receiver.requests:
        assert verify(created["secret"], request.headers["talkback-signature"], request.body)
    [delivery] = await hooks.deliveries(endpoint_id)
    assert (delivery["status"], delivery["attempts"], delivery["last_error"]) == ("sent", 3, None)
    log = delivery["attempt_log"]
    assert [a["status_code"] for a in log] == [500, None, 200]
    assert [a["ok"] for a in log] == [False, False, True]
    assert log[1]["duration_ms"] >= 400  # it waited for the 0.5 s timeout


async def test_each_endpoint_gets_only_the_events_it_subscribed_to(
    hooks: Hooks, receiver: Receiver
) -> None:
    await hooks.endpoint(f"{receiver.url}/created", ["comment.created"])
    await hooks.endpoint(f"{receiver.url}/moderation", ["comment.rejected", "comment.approved"])
    await hooks.endpoint(f"{receiver.url}/deleted", ["comment.deleted"])
    await hooks.endpoint(f"{receiver.url}/off", ["comment.created"], active=False)
    comment = await hooks.comment()
    comment_path = f"{API}/comments/{comment['id']}"
    for action in ("reject", "approve", "spam", "delete"):
        answer = await hooks.admin.post(f"{comment_path}/{action}")
        assert answer.status_code in (200, 204), answer.text

    while await hooks.deliver():
        pass
    bodies = [(r.path.rsplit("/", 1)[-1], json.loads(r.body)) for r in receiver.requests]
    got = sorted((path, body["type"], body["data"].get("before")) for path, body in bodies)
    assert got == [
        ("created", "comment.created", None),
        ("deleted", "comment.deleted", "spam"),
        ("moderation", "comment.approved", "rejected"),
        ("moderation", "comment.rejected", "approved"),
        ("moderation", "comment.rejected", "approved"),
    ]
    deleted = next(json.loads(r.body) for r in receiver.requests if r.path.endswith("/deleted"))
    assert deleted["data"]["after"] == "deleted"
    assert deleted["data"]["comment"]["html"] == ""


async def test_a_delivery_whose_endpoint_was_deactivated_meanwhile_is_dropped(
    hooks: Hooks, receiver: Receiver
) -> None:
    created = await hooks.endpoint(receiver.url)
    endpoint_id = created["endpoint"]["id"]
    await hooks.comment()
    answer = await hooks.admin.patch(f"{API}/webhooks/{endpoint_id}", json={"active": False})
    assert answer.json()["endpoint"]["active"] is False
    assert await hooks.deliver() == 1
    assert receiver.requests == []
    [delivery] = await hooks.deliveries(endpoint_id)
    assert (delivery["status"], delivery["last_error"]) == (
        "dropped", "the endpoint was deactivated")  # fmt: skip
    await hooks.comment("Another one.")
    assert await hooks.deliver() == 0  # nothing queued for an inactive endpoint


async def test_a_rotated_secret_signs_the_next_attempt(hooks: Hooks, receiver: Receiver) -> None:
    created = await hooks.endpoint(receiver.url)
    endpoint_id = created["endpoint"]["id"]
    await hooks.comment()
    rotated = await hooks.admin.post(f"{API}/webhooks/{endpoint_id}/rotate-secret")
    assert rotated.status_code == 200, rotated.text
    secret = rotated.json()["secret"]
    assert secret != created["secret"]
    listed = await hooks.admin.get(f"{API}/webhooks")
    assert secret not in listed.text
    assert created["secret"] not in listed.text
    await hooks.deliver()
    [request] = receiver.requests
    assert verify(secret, request.headers["talkback-signature"], request.body)
    assert not verify(created["secret"], request.headers["talkback-signature"], request.body)
