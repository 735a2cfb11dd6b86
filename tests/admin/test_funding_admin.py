"""The funding admin pages, used as a browser without JavaScript would use them: campaigns,
donations with their filters and CSV, manual gifts, refunds, and who may do what."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from talkback import clock
from talkback.core.funding_rules import CampaignDraft
from talkback.funding.campaigns import Campaign, create_campaign
from talkback.funding.donations import DonationDraft, add_manual_donation, record_donation
from tests.admin.conftest import MODERATOR, SITE, Newsroom, StaffClient

CAMPAIGNS = f"/admin/{SITE}/campaigns"
DONATIONS = f"/admin/{SITE}/donations"
FORM = {"title": "Keep the Courier independent", "description": "Local news costs money.",
        "currency": "USD", "goal": "5000", "ticks": "", "presets": "10, 25, 50",
        "starts": "", "ends": "2031-12-31", "donor_wall": "true", "current": "true"}  # fmt: skip


async def start_campaign(newsroom: Newsroom, **fields: Any) -> Campaign:
    """A current USD campaign, created through the service as an admin would."""
    site = await newsroom.context.sites.get(SITE)
    current = fields.pop("current", True)
    draft = CampaignDraft(
        title=fields.pop("title", "Keep the newsroom open"),
        currency=fields.pop("currency", "USD"),
        goal=Decimal(fields.pop("goal", "5000")),
        **fields,
    )
    return await create_campaign(newsroom.context, site, draft, current=current,
                                 staff=newsroom.admin)  # fmt: skip


async def give_by_hand(newsroom: Newsroom, campaign: Campaign, amount: str, **fields: Any) -> None:
    site = await newsroom.context.sites.get(SITE)
    await add_manual_donation(
        newsroom.context, site, campaign.id, amount=Decimal(amount),
        donor_name=fields.get("donor_name"), donor_email=fields.get("donor_email"),
        message=fields.get("message"), note=fields.get("note"),
        received_at=fields.get("received_at"), staff=newsroom.admin,
    )  # fmt: skip


async def shown(staff: StaffClient, ref: str = "current") -> dict[str, Any]:
    """The campaign as the public goal bar gets it."""
    response = await staff.client.get(f"/api/v1/{SITE}/campaigns/{ref}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def audit_actions(staff: StaffClient) -> list[str]:
    entries = (await staff.get(f"/api/v1/admin/{SITE}/audit")).json()["entries"]
    return [entry["action"] for entry in entries]


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


async def test_admin_creates_edits_closes_and_reopens_a_campaign_with_the_forms(
    newsroom: Newsroom,
) -> None:
    editor = await newsroom.signed_in()
    assert (await editor.get(f"{CAMPAIGNS}/new")).status_code == 200
    created = await editor.post(CAMPAIGNS, data=FORM)
    assert created.status_code == 303, created.text
    assert created.headers["location"] == f"{CAMPAIGNS}?notice=campaign_created"
    page = await editor.get(CAMPAIGNS)
    assert "Keep the Courier independent" in page.text
    assert "$5,000" in page.text
    assert ">current<" in page.text
    bar = await shown(editor)
    assert (bar["title"], bar["goal"], bar["presets"]) == ("Keep the Courier independent",
                                                           5000, [10, 25, 50])  # fmt: skip
    assert bar["ends_at"].startswith("2031-12-31T00:00:00")
    assert bar["wall"] == []

    edit_page = await editor.get(f"{CAMPAIGNS}/{bar['id']}/edit")
    assert 'value="10, 25, 50"' in edit_page.text
    assert 'value="2031-12-31"' in edit_page.text
    edited = await editor.post(
        f"{CAMPAIGNS}/{bar['id']}/edit", data={**FORM, "title": "Fund the Courier", "goal": "8000"}
    )
    assert edited.status_code == 303
    assert (await shown(editor))["title"] == "Fund the Courier"
    assert (await shown(editor))["goal"] == 8000

    closed = await editor.post(f"{CAMPAIGNS}/{bar['id']}/status", data={"status": "closed"})
    assert closed.headers["location"].endswith("notice=campaign_closed")
    assert (await shown(editor))["status"] == "closed"
    assert "Reopen" in (await editor.get(CAMPAIGNS)).text
    await editor.post(f"{CAMPAIGNS}/{bar['id']}/status", data={"status": "open"})
    assert (await shown(editor))["status"] == "open"
    assert (await audit_actions(editor))[:4] == [
        "campaign.reopen", "campaign.close", "campaign.edit", "campaign.create",
    ]  # fmt: skip


async def test_make_current_moves_the_public_bar(newsroom: Newsroom) -> None:
    first = await start_campaign(newsroom, title="Spring drive")
    second = await start_campaign(newsroom, title="Autumn drive", current=False)
    editor = await newsroom.signed_in()
    assert (await shown(editor))["id"] == first.id
    made = await editor.post(f"{CAMPAIGNS}/{second.id}/make-current", data={})
    assert made.status_code == 303
    assert (await shown(editor))["id"] == second.id


async def test_a_refused_campaign_form_keeps_what_was_typed(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    for changes, message in (
        ({"currency": "XYZ"}, "not an ISO 4217 currency code"),
        ({"goal": "5k"}, "goal: &#39;5k&#39; is not an amount"),
        ({"ticks": "0, 9000"}, "ticks: at most 12, each between 0 and the goal"),
        ({"starts": "2031-12-31", "ends": "2031-01-01"}, "must end after it starts"),
        ({"title": "  "}, "title: between 1 and 200 characters"),
    ):
        typed = {**FORM, **changes}
        page = await editor.post(CAMPAIGNS, data=typed)
        assert page.status_code == 422, changes
        assert message in page.text, page.text
        assert f'value="{typed["currency"]}"' in page.text
        assert f'value="{typed["goal"]}"' in page.text
        assert 'value="10, 25, 50"' in page.text
        assert "Local news costs money.</textarea>" in page.text
        assert 'name="donor_wall" value="true" checked' in page.text
    assert "No campaign yet" in (await editor.get(CAMPAIGNS)).text


async def test_a_manual_gift_raises_the_total_is_audited_and_a_refund_lowers_it(
    newsroom: Newsroom,
) -> None:
    campaign = await start_campaign(newsroom)
    editor = await newsroom.signed_in()
    added = await editor.post(
        DONATIONS,
        data={"campaign": str(campaign.id), "amount": "125.50", "donor_name": "Ana",
              "donor_email": "Ana@Readers.example", "message": "", "note": "bank transfer",
              "received": ""},
    )  # fmt: skip
    assert added.status_code == 303, added.text
    assert added.headers["location"].endswith("notice=donation_added")
    bar = await shown(editor)
    assert (bar["raised"], bar["donors"]) == (125.5, 1)
    assert (await audit_actions(editor))[0] == "donation.add"

    page = await editor.get(DONATIONS)
    assert "$125.50" in page.text
    assert "ana@readers.example" in page.text
    assert "bank transfer" in page.text
    [donation] = (await editor.get(f"/api/v1/admin/{SITE}/donations")).json()["donations"]
    refunded = await editor.post(
        f"{DONATIONS}/{donation['id']}/refund", data={"next": f"{DONATIONS}?provider=manual"}
    )
    assert refunded.status_code == 303
    assert refunded.headers["location"] == f"{DONATIONS}?provider=manual&notice=donation_refunded"
    bar = await shown(editor)
    assert (bar["raised"], bar["donors"]) == (0, 0)
    assert (await audit_actions(editor))[0] == "donation.refund"
    assert "Mark refunded" not in (await editor.get(DONATIONS)).text


async def test_a_refused_manual_gift_keeps_what_was_typed(newsroom: Newsroom) -> None:
    campaign = await start_campaign(newsroom)
    editor = await newsroom.signed_in()
    tomorrow = (clock.now() + timedelta(days=2)).date().isoformat()
    for changes, message in (
        ({"amount": "12.345"}, "USD amounts have at most 2 decimals"),
        ({"amount": "-5"}, "is not an amount"),
        ({"received": tomorrow}, "cannot be received in the future"),
        ({"donor_email": "not an address"}, "is not an email address"),
    ):
        typed = {"campaign": str(campaign.id), "amount": "20", "donor_name": "Bo",
                 "donor_email": "", "message": "Go on", "note": "", "received": "",
                 **changes}  # fmt: skip
        page = await editor.post(DONATIONS, data=typed)
        assert page.status_code == 422, changes
        assert message in page.text
        assert f'value="{typed["amount"]}"' in page.text
        assert "Go on</textarea>" in page.text
    assert (await shown(editor))["raised"] == 0


async def test_the_donations_page_filters(newsroom: Newsroom) -> None:
    spring = await start_campaign(newsroom, title="Spring drive")
    autumn = await start_campaign(newsroom, title="Autumn drive")
    long_ago = clock.now() - timedelta(days=20)
    await give_by_hand(newsroom, spring, "10", donor_name="Old Oskar", received_at=long_ago)
    await give_by_hand(newsroom, autumn, "20", donor_name="Ana", message="Keep going")
    await give_by_hand(newsroom, autumn, "30", donor_email="bea@readers.example")
    site = await newsroom.context.sites.get(SITE)
    await record_donation(
        newsroom.context, site,
        DonationDraft(campaign_id=autumn.id, amount_minor=4000, currency="USD",
                      provider="demo", provider_ref="demo_1", donor_name="Demo Dee"),
    )  # fmt: skip
    editor = await newsroom.signed_in()

    async def donors(**filters: str) -> list[str]:
        page = await editor.get(DONATIONS, **filters)
        assert page.status_code == 200, page.text
        names = ["Old Oskar", "Ana", "Anonymous", "Demo Dee"]
        return [name for name in names if f'data-label="Donor">{name}</td>' in page.text]

    assert await donors() == ["Old Oskar", "Ana", "Anonymous", "Demo Dee"]
    assert await donors(campaign=str(spring.id)) == ["Old Oskar"]
    assert await donors(provider="demo") == ["Demo Dee"]
    assert await donors(q="BEA@readers") == ["Anonymous"]
    assert await donors(q="going") == ["Ana"]
    assert await donors(message="pending") == ["Ana"]
    day = (long_ago + timedelta(days=1)).date().isoformat()
    assert await donors(since=day) == ["Ana", "Anonymous", "Demo Dee"]
    assert await donors(until=long_ago.date().isoformat()) == ["Old Oskar"]
    assert await donors(refunded="yes") == []
    assert "4 donations" in (await editor.get(DONATIONS, refunded="no")).text
    bad = await editor.get(DONATIONS, refunded="maybe")
    assert bad.status_code == 422


async def test_the_csv_export_has_every_filtered_row_and_no_formulas(newsroom: Newsroom) -> None:
    campaign = await start_campaign(newsroom, title="=cmd|' /C calc'!A0")
    await give_by_hand(
        newsroom,
        campaign,
        "25",
        donor_name='=HYPERLINK("http://x")',
        message="+1 from me",
        note="@SUM(A1)",
        donor_email="eve@readers.example",
    )
    await give_by_hand(newsroom, campaign, "5", donor_name="-2+3", message="seven")
    await give_by_hand(newsroom, campaign, "7", donor_name="Left out")
    editor = await newsroom.signed_in()
    page = await editor.get(DONATIONS, q="ve")
    assert f'href="{DONATIONS}/export?q=ve"' in page.text
    response = await editor.get(f"{DONATIONS}/export", q="ve")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.text.startswith("\ufeffid,created_at,campaign_id,campaign,amount,")
    rows = csv_rows(response.text)
    assert [row["donor_name"] for row in rows] == ["'-2+3", '\'=HYPERLINK("http://x")']
    eve = rows[1]
    assert (eve["amount"], eve["currency"], eve["provider"]) == ("25", "USD", "manual")
    assert eve["message"] == "'+1 from me"
    assert eve["note"] == "'@SUM(A1)"
    assert eve["campaign"] == "'=cmd|' /C calc'!A0"
    assert eve["donor_email"] == "eve@readers.example"
    everything = await editor.get(f"{DONATIONS}/export")
    assert len(csv_rows(everything.text)) == 3


async def test_the_export_reaches_past_the_first_page(newsroom: Newsroom) -> None:
    campaign = await start_campaign(newsroom)
    for n in range(55):
        await give_by_hand(newsroom, campaign, "1", donor_name=f"Donor {n}")
    editor = await newsroom.signed_in()
    page = await editor.get(DONATIONS)
    assert page.text.count("data-donation-id=") == 50
    assert "offset=50" in page.text
    assert (await editor.get(DONATIONS, offset="50")).text.count("data-donation-id=") == 5
    assert len(csv_rows((await editor.get(f"{DONATIONS}/export")).text)) == 55


async def test_a_moderator_approves_a_donor_message_for_the_wall(newsroom: Newsroom) -> None:
    campaign = await start_campaign(newsroom, donor_wall=True)
    await give_by_hand(newsroom, campaign, "25", donor_name="Ana", message="For the river desk")
    moderator = await newsroom.signed_in(MODERATOR)
    [gift] = (await shown(moderator))["wall"]
    assert (gift["name"], gift["message"]) == ("Ana", None)  # held: pre-moderation
    page = await moderator.get(DONATIONS, message="pending")
    assert "For the river desk" in page.text
    assert "Mark refunded" not in page.text
    assert "Add a donation by hand" not in page.text
    [donation] = (await moderator.get(f"/api/v1/admin/{SITE}/donations")).json()["donations"]
    approved = await moderator.post(
        f"{DONATIONS}/{donation['id']}/message",
        data={"status": "approved", "next": f"{DONATIONS}?message=pending"},
    )
    assert approved.status_code == 303
    assert approved.headers["location"] == f"{DONATIONS}?message=pending&notice=message_approved"
    [gift] = (await shown(moderator))["wall"]
    assert gift["message"] == "For the river desk"
    assert (await audit_actions(moderator))[0] == "donation.message_approved"


async def test_moderators_see_campaigns_but_cannot_change_money(newsroom: Newsroom) -> None:
    campaign = await start_campaign(newsroom)
    await give_by_hand(newsroom, campaign, "25")
    moderator = await newsroom.signed_in(MODERATOR)
    page = await moderator.get(CAMPAIGNS)
    assert page.status_code == 200
    assert "Keep the newsroom open" in page.text
    assert "Make current" not in page.text
    assert "New campaign" not in page.text
    [donation] = (await moderator.get(f"/api/v1/admin/{SITE}/donations")).json()["donations"]
    refused = [
        await moderator.get(f"{CAMPAIGNS}/new"),
        await moderator.get(f"{CAMPAIGNS}/{campaign.id}/edit"),
        await moderator.post(CAMPAIGNS, data=FORM),
        await moderator.post(f"{CAMPAIGNS}/{campaign.id}/edit", data=FORM),
        await moderator.post(f"{CAMPAIGNS}/{campaign.id}/status", data={"status": "closed"}),
        await moderator.post(f"{CAMPAIGNS}/{campaign.id}/make-current", data={}),
        await moderator.post(DONATIONS, data={"campaign": str(campaign.id), "amount": "5"}),
        await moderator.post(f"{DONATIONS}/{donation['id']}/refund", data={}),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert "only an admin may do this" in refused[0].text
    bar = await shown(moderator)
    assert (bar["status"], bar["raised"]) == ("open", 25)


async def test_funding_pages_need_a_session_and_writes_the_csrf_token(newsroom: Newsroom) -> None:
    campaign = await start_campaign(newsroom)
    browser = await newsroom.browser()
    for path in (CAMPAIGNS, DONATIONS, f"{DONATIONS}/export"):
        response = await browser.get(path)
        assert response.status_code == 303
        assert response.headers["location"] == f"/admin/login?{urlencode({'next': path})}"
    editor = await newsroom.signed_in()
    forged = await editor.post(
        f"{CAMPAIGNS}/{campaign.id}/status", data={"status": "closed"}, csrf="wrong"
    )
    assert forged.status_code == 403
    assert "CSRF" in forged.text
    assert (await shown(editor))["status"] == "open"


async def test_unknown_campaigns_and_donations_are_404_pages(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    assert (await editor.get(f"{CAMPAIGNS}/999/edit")).status_code == 404
    assert (await editor.post(f"{CAMPAIGNS}/999/make-current", data={})).status_code == 404
    assert (await editor.post(f"{DONATIONS}/999/refund", data={})).status_code == 404
    missing = await editor.post(f"{DONATIONS}/999/message", data={"status": "approved"})
    assert missing.status_code == 404
    assert "no such donation" in missing.text
