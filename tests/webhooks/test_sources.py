"""Reports and donations reach webhooks: the services record their change events, and the
live widget and caches take no notice of them."""

from __future__ import annotations

import json
from typing import Any

from tests.admin.conftest import SITE
from tests.webhooks.conftest import API, ARTICLE, Hooks
from tests.webhooks.receiver import Receiver

CAMPAIGN = {"title": "Keep the Courier independent", "currency": "eur", "goal": 5000}


def _events(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in receiver.requests]


async def test_a_report_sends_report_created_with_the_open_report_count(
    hooks: Hooks, receiver: Receiver
) -> None:
    await hooks.endpoint(receiver.url, ["report.created"])
    comment = await hooks.comment()
    page_before = (
        await hooks.reader.get(f"/api/v1/{SITE}/comments", params={"uri": ARTICLE})
    ).json()
    reported = await hooks.reader.post(
        f"/api/v1/{SITE}/comments/{comment['id']}/report", json={"reason": "abuse", "note": "rude"}
    )
    assert reported.status_code == 202, reported.text
    assert await hooks.deliver() == 1
    [event] = _events(receiver)
    assert event["type"] == "report.created"
    assert event["data"] == {
        "thread": {"uri": ARTICLE, "count": 1}, "comment_id": comment["id"],
        "reason": "abuse", "open_reports": 1,
    }  # fmt: skip
    assert "rude" not in receiver.requests[0].body.decode()
    page_after = (
        await hooks.reader.get(f"/api/v1/{SITE}/comments", params={"uri": ARTICLE})
    ).json()
    assert page_after == page_before  # readers see no change


async def test_a_gift_and_its_refund_send_donation_events_without_the_donor(
    hooks: Hooks, receiver: Receiver
) -> None:
    await hooks.endpoint(receiver.url, ["donation.created", "donation.refunded"])
    campaign = (await hooks.admin.post(f"{API}/campaigns", json=CAMPAIGN)).json()["campaign"]
    given = await hooks.admin.post(
        f"{API}/donations",
        json={"campaign_id": campaign["id"], "amount": "25.50", "donor_name": "Grete Baumann",
              "donor_email": "grete@example.org", "note": "cash at the fair"},
    )  # fmt: skip
    assert given.status_code == 201, given.text
    [donation] = (await hooks.admin.get(f"{API}/donations")).json()["donations"]
    refunded = await hooks.admin.post(f"{API}/donations/{donation['id']}/refund")
    assert refunded.status_code == 200, refunded.text
    assert await hooks.deliver() == 2

    received, refund = sorted(_events(receiver), key=lambda e: e["type"])
    assert received["type"] == "donation.created"
    assert received["data"]["donation"] == {
        "id": donation["id"], "amount_minor": 2550, "refunded_minor": 0, "currency": "EUR"
    }  # fmt: skip
    assert refund["type"] == "donation.refunded"
    assert refund["data"]["donation"]["refunded_minor"] == 2550
    for request in receiver.requests:
        for private in (b"grete", b"Grete", b"fair"):
            assert private not in request.body
