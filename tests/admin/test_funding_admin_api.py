"""The funding admin API: campaigns, donations with filters and CSV, manual gifts, refunds,
donor messages, and its refusals (422, 404, 409, 403, 401), never a 500."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from talkback.admin.funding_schemas import ManualDonationIn
from talkback.funding.donations import DonationDraft, record_donation
from tests.admin.conftest import MODERATOR, SITE, Newsroom
from tests.admin.test_funding_admin import csv_rows, give_by_hand, shown, start_campaign

API = f"/api/v1/admin/{SITE}"
NEW = {"title": "Keep the Courier independent", "currency": "eur", "goal": 5000,
       "ticks": [0, 2500, 5000], "presets": ["10", 25.5], "donor_wall": True,
       "ends_at": "2031-12-31T00:00:00+01:00", "current": True}  # fmt: skip


async def test_admin_creates_edits_and_closes_a_campaign(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    created = await editor.post(f"{API}/campaigns", json=NEW)
    assert created.status_code == 201, created.text
    campaign: dict[str, Any] = created.json()["campaign"]
    assert (campaign["currency"], campaign["goal"], campaign["current"]) == ("EUR", 5000, True)
    assert campaign["presets"] == [10, 25.5]
    assert campaign["ends_at"].startswith("2031-12-30T23:00:00")
    assert campaign["formatted"]["goal"] == "€5,000"
    path = f"{API}/campaigns/{campaign['id']}"

    edited = await editor.patch(path, json={"title": "Fund the Courier", "presets": None,
                                            "ends_at": None, "goal": None})  # fmt: skip
    assert edited.status_code == 200, edited.text
    after = edited.json()["campaign"]
    assert (after["title"], after["goal"], after["presets"], after["ends_at"]) == (
        "Fund the Courier", 5000, None, None)  # fmt: skip
    assert after["ticks"] == [0, 2500, 5000]
    assert (await shown(editor))["presets"] == [10, 25, 50]  # the defaults again

    closed = await editor.post(f"{path}/status", json={"status": "closed"})
    assert closed.json()["campaign"]["status"] == "closed"
    assert (await shown(editor))["accepting"] is False
    listed = (await editor.get(f"{API}/campaigns")).json()["campaigns"]
    assert [c["title"] for c in listed] == ["Fund the Courier"]
    assert (await editor.get(path)).json()["campaign"]["status"] == "closed"


async def test_make_current_through_the_api(newsroom: Newsroom) -> None:
    await start_campaign(newsroom, title="Spring drive")
    autumn = await start_campaign(newsroom, title="Autumn drive", current=False)
    editor = await newsroom.signed_in()
    made = await editor.post(f"{API}/campaigns/{autumn.id}/make-current")
    assert made.status_code == 200
    assert made.json()["campaign"]["current"] is True
    assert (await shown(editor))["title"] == "Autumn drive"


async def test_bad_campaigns_get_clear_422s(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    campaign = await start_campaign(newsroom)
    await give_by_hand(newsroom, campaign, "5")
    refused: list[tuple[str, str, dict[str, Any], str]] = [
        ("POST", f"{API}/campaigns", {**NEW, "currency": "XYZ"}, "invalid_amount"),
        ("POST", f"{API}/campaigns", {**NEW, "goal": "NaN"}, "invalid"),
        ("POST", f"{API}/campaigns", {**NEW, "goal": 0}, "invalid_amount"),
        ("POST", f"{API}/campaigns", {**NEW, "goal": 10**20}, "invalid"),
        ("POST", f"{API}/campaigns", {**NEW, "ends_at": "2031-12-31T00:00:00"}, "invalid"),
        ("POST", f"{API}/campaigns", {**NEW, "owner": "me"}, "invalid"),
        ("POST", f"{API}/campaigns", {**NEW, "ticks": [0, 9000]}, "invalid_ticks"),
        ("POST", f"{API}/campaigns", {**NEW, "presets": [1] * 7}, "invalid"),
        ("PATCH", f"{API}/campaigns/{campaign.id}", {"currency": "EUR"}, "currency_fixed"),
        ("POST", f"{API}/campaigns/{campaign.id}/status", {"status": "gone"}, "invalid"),
    ]
    for method, path, body, code in refused:
        response = await editor.send(method, path, json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["code"] == code, body
    assert len((await editor.get(f"{API}/campaigns")).json()["campaigns"]) == 1


async def test_unknown_ids_are_404(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    campaign = await start_campaign(newsroom)
    for method, path, body in (
        ("GET", f"{API}/campaigns/999", None),
        ("PATCH", f"{API}/campaigns/999", {"title": "x"}),
        ("POST", f"{API}/campaigns/999/status", {"status": "closed"}),
        ("POST", f"{API}/campaigns/999/make-current", None),
        ("POST", f"{API}/donations", {"campaign_id": 999, "amount": 5}),
        ("POST", f"{API}/donations/999/refund", None),
        ("POST", f"{API}/donations/999/message", {"status": "approved"}),
        ("GET", "/api/v1/admin/nosuchsite/campaigns", None),
    ):
        response = await editor.send(method, path, json=body)
        assert response.status_code == 404, (path, response.text)
    other = await editor.get(f"/api/v1/admin/courier/campaigns/{campaign.id}")
    assert other.status_code == 404  # another site's campaign


async def test_a_manual_gift_counts_is_audited_and_its_refund_lowers_the_total(
    newsroom: Newsroom,
) -> None:
    campaign = await start_campaign(newsroom)
    editor = await newsroom.signed_in()
    added = await editor.post(
        f"{API}/donations",
        json={"campaign_id": campaign.id, "amount": "40", "donor_name": "Ana",
              "donor_email": "ana@readers.example", "note": "cheque 1041",
              "received_at": "2026-01-15T10:00:00Z"},
    )  # fmt: skip
    assert added.status_code == 201, added.text
    assert added.json()["campaign"]["raised"] == 40
    assert (await shown(editor))["raised"] == 40
    audit = (await editor.get(f"{API}/audit")).json()["entries"][0]
    assert audit["action"] == "donation.add"
    assert audit["details"]["amount"] == 40
    [donation] = (await editor.get(f"{API}/donations")).json()["donations"]
    assert donation["created_at"].startswith("2026-01-15T10:00:00")
    refunded = await editor.post(f"{API}/donations/{donation['id']}/refund")
    assert refunded.status_code == 200, refunded.text
    assert refunded.json()["donation"]["refunded"] == 40
    assert refunded.json()["campaign"]["raised"] == 0
    assert (await shown(editor))["donors"] == 0
    again = await editor.post(f"{API}/donations/{donation['id']}/refund")
    assert again.json()["campaign"]["raised"] == 0  # once is enough
    actions = [e["action"] for e in (await editor.get(f"{API}/audit")).json()["entries"]]
    assert actions.count("donation.refund") == 1


async def test_manual_gifts_refuse_bad_values(newsroom: Newsroom) -> None:
    campaign = await start_campaign(newsroom)
    editor = await newsroom.signed_in()
    for body, code in (
        ({"amount": 0}, "invalid"),
        ({"amount": "1.001"}, "invalid_amount"),
        ({"amount": 10**15}, "invalid"),
        ({"donor_email": "nope"}, "invalid_email"),
        ({"donor_name": "x" * 81}, "invalid"),
        ({"received_at": "2099-01-01T00:00:00Z"}, "invalid_date"),
    ):
        response = await editor.post(
            f"{API}/donations", json={"campaign_id": campaign.id, "amount": 5, **body}
        )
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["code"] == code, body
    assert (await shown(editor))["raised"] == 0


async def test_stripe_gifts_are_refunded_in_stripe_and_messages_need_a_message(
    newsroom: Newsroom,
) -> None:
    campaign = await start_campaign(newsroom)
    site = await newsroom.context.sites.get(SITE)
    await record_donation(
        newsroom.context, site,
        DonationDraft(campaign_id=campaign.id, amount_minor=2500, currency="USD",
                      provider="stripe", provider_ref="cs_1", payment_ref="pi_1"),
    )  # fmt: skip
    editor = await newsroom.signed_in()
    [donation] = (await editor.get(f"{API}/donations")).json()["donations"]
    refused = await editor.post(f"{API}/donations/{donation['id']}/refund")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "refund_in_stripe"
    no_message = await editor.post(
        f"{API}/donations/{donation['id']}/message", json={"status": "approved"}
    )
    assert no_message.status_code == 409
    assert no_message.json()["error"]["code"] == "no_message"


async def test_donations_are_listed_with_filters_and_exported(newsroom: Newsroom) -> None:
    campaign = await start_campaign(newsroom)
    await give_by_hand(newsroom, campaign, "10", donor_name="Ana", message="Thanks")
    await give_by_hand(newsroom, campaign, "20", donor_name="@bea")
    editor = await newsroom.signed_in()
    listed = (await editor.get(f"{API}/donations", limit="1")).json()
    assert listed["total"] == 2
    assert [d["donor_name"] for d in listed["donations"]] == ["@bea"]
    pending = (await editor.get(f"{API}/donations", message_status="pending")).json()
    assert [d["donor_name"] for d in pending["donations"]] == ["Ana"]
    manual = (await editor.get(f"{API}/donations", provider="manual", refunded="false")).json()
    assert manual["total"] == 2
    bad = await editor.get(f"{API}/donations", provider="paypal")
    assert bad.status_code == 422
    assert (await editor.get(f"{API}/donations", since="yesterday")).status_code == 422
    far = await editor.get(f"{API}/donations", since="0001-01-01", until="9999-12-31")
    assert far.json()["total"] == 2
    exported = await editor.get(f"{API}/donations/export", q="bea")
    assert exported.status_code == 200
    assert [row["donor_name"] for row in csv_rows(exported.text)] == ["'@bea"]


async def test_moderators_moderate_messages_but_not_money(newsroom: Newsroom) -> None:
    campaign = await start_campaign(newsroom, donor_wall=True)
    await give_by_hand(newsroom, campaign, "25", donor_name="Ana", message="For the river desk")
    moderator = await newsroom.signed_in(MODERATOR)
    [donation] = (await moderator.get(f"{API}/donations")).json()["donations"]
    assert donation["message_status"] == "pending"
    refused = [
        await moderator.post(f"{API}/campaigns", json=NEW),
        await moderator.patch(f"{API}/campaigns/{campaign.id}", json={"title": "Mine"}),
        await moderator.post(f"{API}/campaigns/{campaign.id}/status", json={"status": "closed"}),
        await moderator.post(f"{API}/campaigns/{campaign.id}/make-current"),
        await moderator.post(f"{API}/donations", json={"campaign_id": campaign.id, "amount": 5}),
        await moderator.post(f"{API}/donations/{donation['id']}/refund"),
    ]
    for response in refused:
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "admin_only"
    assert (await moderator.get(f"{API}/campaigns")).status_code == 200
    approved = await moderator.post(
        f"{API}/donations/{donation['id']}/message", json={"status": "approved"}
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["donation"]["message_status"] == "approved"
    [gift] = (await shown(moderator))["wall"]
    assert gift["message"] == "For the river desk"
    assert (await shown(moderator))["raised"] == 25


async def test_the_funding_api_needs_a_session_and_the_csrf_token(newsroom: Newsroom) -> None:
    campaign = await start_campaign(newsroom)
    browser = await newsroom.browser()
    for path in ("campaigns", "donations", "donations/export"):
        response = await browser.get(f"{API}/{path}")
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_signed_in"
    editor = await newsroom.signed_in()
    for token in ("", "wrong"):
        forged = await editor.post(
            f"{API}/donations", json={"campaign_id": campaign.id, "amount": 5}, csrf=token
        )
        assert forged.status_code == 403
        assert forged.json()["error"]["code"] == "bad_csrf"
    assert (await shown(editor))["raised"] == 0


def test_amounts_in_the_schema_are_decimals() -> None:
    """Amounts never pass through binary floats on their way to minor units."""
    body = ManualDonationIn.model_validate({"campaign_id": 1, "amount": 0.1})
    assert body.amount == Decimal("0.1")
