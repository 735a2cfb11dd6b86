"""A reader's data: exported on request, deleted on request, threads and campaign totals
kept consistent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from talkback.core.funding_rules import CampaignDraft
from talkback.funding.campaigns import create_campaign, find_campaign
from talkback.funding.donations import DonationDraft, record_donation, record_refund
from talkback.readers.data import delete_reader_data, export_reader_data
from talkback.sites.sites import load_site
from talkback.store.tables import donations
from tests.api.conftest import ARTICLE, SITE
from tests.importers.conftest import Importing

EMAIL = "Mara@Reader.example"


async def reader_activity(api: Importing) -> dict[str, Any]:
    """Mara posts three comments (one gets a reply from someone else) and votes twice."""
    token = await api.reader_token()
    as_mara = {"X-Talkback-Reader": token}
    other = await api.posted("Someone else's opening comment.")
    answered = await api.posted("Mara's comment with a reply.", author_name="Mara",
                                email=EMAIL, headers=as_mara)  # fmt: skip
    await api.posted("A reply to Mara.", parent_id=answered["comment"]["id"])
    alone = await api.posted("Mara's lone reply.", author_name="Mara", email=EMAIL.lower(),
                             parent_id=other["comment"]["id"], headers=as_mara)  # fmt: skip
    elsewhere = await api.posted("Mara on another page.", author_name="Mara", email=EMAIL,
                                 uri="/2026/11/other", headers=as_mara)  # fmt: skip
    liked = await api.posted("A comment Mara likes.")
    assert (await api.vote(liked["comment"]["id"], 1, token)).status_code == 200
    assert (await api.vote(other["comment"]["id"], -1, token)).status_code == 200
    return {"token": token, "other": other, "answered": answered, "alone": alone,
            "elsewhere": elsewhere, "liked": liked}  # fmt: skip


async def test_export_holds_the_readers_comments_votes_and_nothing_else(api: Importing) -> None:
    await reader_activity(api)
    site = await load_site(api.context.database, SITE)

    data = await export_reader_data(api.context, site, "mara@reader.EXAMPLE")

    assert data["format"] == "talkback-reader-data"
    assert [c["text"] for c in data["comments"]] == [
        "Mara's comment with a reply.", "Mara's lone reply.", "Mara on another page.",
    ]  # fmt: skip
    assert {c["page"] for c in data["comments"]} == {ARTICLE, "/2026/11/other"}
    assert sorted(v["value"] for v in data["votes"]) == [-1, 1]
    assert data["reports"] == []


async def test_delete_keeping_comments_anonymises_them(api: Importing) -> None:
    made = await reader_activity(api)
    site = await load_site(api.context.database, SITE)

    done = await delete_reader_data(api.context, site, EMAIL, keep_comments=True)

    assert (done.comments_anonymised, done.comments_removed, done.votes_withdrawn) == (3, 0, 2)
    rows = {row.id: row for row in await api.rows()}
    kept = rows[made["answered"]["comment"]["id"]]
    assert kept.text == "Mara's comment with a reply."
    assert (kept.author_name, kept.author_email, kept.reader_id, kept.ip_hash) == (None,) * 4
    assert kept.avatar != made["answered"]["comment"]["author"]["avatar"]
    assert rows[made["liked"]["comment"]["id"]].upvotes == 0
    assert rows[made["other"]["comment"]["id"]].downvotes == 0
    page = await api.page(ARTICLE)
    assert page["thread"]["count"] == 5
    assert (await export_reader_data(api.context, site, EMAIL))["comments"] == []
    await api.assert_counters_consistent()


async def test_delete_removing_comments_keeps_replies_in_place(api: Importing) -> None:
    made = await reader_activity(api)
    site = await load_site(api.context.database, SITE)

    done = await delete_reader_data(api.context, site, EMAIL, keep_comments=False)

    assert (done.comments_removed, done.votes_withdrawn) == (3, 2)
    rows = {row.id: row for row in await api.rows()}
    placeholder = rows[made["answered"]["comment"]["id"]]
    assert (placeholder.status, placeholder.text, placeholder.author_email) == ("deleted", "", None)
    assert made["alone"]["comment"]["id"] not in rows
    assert made["elsewhere"]["comment"]["id"] not in rows
    page = await api.page(ARTICLE, sort="oldest")
    assert page["thread"]["count"] == 3
    shown = [c for c in page["comments"] if c["id"] == placeholder.id]
    assert shown[0]["status"] == "deleted"
    assert shown[0]["replies"][0]["html"] == "<p>A reply to Mara.</p>"
    other = next(c for c in page["comments"] if c["id"] == made["other"]["comment"]["id"])
    assert other["reply_count"] == 0
    assert other["downvotes"] == 0
    assert (await api.page("/2026/11/other"))["thread"]["count"] == 0
    await api.assert_counters_consistent()


async def mara_gives(api: Importing) -> int:
    """Mara gives twice (once with a message, once refunded in part); someone else once."""
    site = await load_site(api.context.database, SITE)
    campaign = await create_campaign(
        api.context, site,
        CampaignDraft(title="Keep the newsroom open", currency="JPY", goal=Decimal(100000)),
        current=True,
    )  # fmt: skip
    gifts = [
        DonationDraft(campaign.id, 3000, "JPY", "stripe", "cs_mara_1", payment_ref="pi_mara_1",
                      donor_name="Mara", donor_email=EMAIL, message="For the river reporting"),
        DonationDraft(campaign.id, 1000, "JPY", "stripe", "cs_mara_2", payment_ref="pi_mara_2",
                      donor_name="Mara", donor_email=EMAIL.lower()),
        DonationDraft(campaign.id, 500, "JPY", "stripe", "cs_other", payment_ref="pi_other",
                      donor_name="Olu", donor_email="olu@reader.example", message="Same here"),
    ]  # fmt: skip
    for gift in gifts:
        assert await record_donation(api.context, site, gift)
    await record_refund(api.context, "stripe", "pi_mara_2", 400)
    return campaign.id


async def test_export_holds_the_readers_donations(api: Importing) -> None:
    await mara_gives(api)
    site = await load_site(api.context.database, SITE)

    data = await export_reader_data(api.context, site, "MARA@reader.example")

    assert data["comments"] == []
    assert [
        {key: gift[key] for key in ("campaign", "amount", "refunded", "currency", "donor_name",
                                    "donor_email", "message", "provider", "provider_ref",
                                    "payment_ref")}
        for gift in data["donations"]
    ] == [
        {"campaign": "Keep the newsroom open", "amount": 3000, "refunded": 0, "currency": "JPY",
         "donor_name": "Mara", "donor_email": EMAIL.lower(), "message": "For the river reporting",
         "provider": "stripe", "provider_ref": "cs_mara_1", "payment_ref": "pi_mara_1"},
        {"campaign": "Keep the newsroom open", "amount": 1000, "refunded": 400, "currency": "JPY",
         "donor_name": "Mara", "donor_email": EMAIL.lower(), "message": None,
         "provider": "stripe", "provider_ref": "cs_mara_2", "payment_ref": "pi_mara_2"},
    ]  # fmt: skip
    assert all(gift["created_at"].endswith("Z") for gift in data["donations"])


async def test_delete_anonymises_donations_and_keeps_the_totals(api: Importing) -> None:
    campaign_id = await mara_gives(api)
    site = await load_site(api.context.database, SITE)
    before = await find_campaign(api.context, site, campaign_id)

    done = await delete_reader_data(api.context, site, EMAIL, keep_comments=True)

    assert done.donations_anonymised == 2
    after = await find_campaign(api.context, site, campaign_id)
    assert (after.raised_minor, after.donor_count) == (before.raised_minor, before.donor_count)
    assert (after.raised_minor, after.donor_count) == (3000 + 600 + 500, 3)
    async with api.context.database.read() as conn:
        rows = {
            row.provider_ref: row
            for row in await conn.execute(select(donations).order_by(donations.c.id))
        }
    for ref in ("cs_mara_1", "cs_mara_2"):
        gone = rows[ref]
        assert (gone.donor_name, gone.donor_email, gone.message, gone.message_status,
                gone.message_moderation) == (None,) * 5  # fmt: skip
    assert (rows["cs_mara_1"].amount_minor, rows["cs_mara_1"].payment_ref) == (3000, "pi_mara_1")
    assert (rows["cs_mara_2"].amount_minor, rows["cs_mara_2"].refunded_minor) == (1000, 400)
    assert (rows["cs_other"].donor_name, rows["cs_other"].message) == ("Olu", "Same here")
    assert (await export_reader_data(api.context, site, EMAIL))["donations"] == []
