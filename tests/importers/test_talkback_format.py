"""Talkback's own export format: a site moved to a fresh database comes out identical,
reader funding included; a version-1 file written by hand from docs/export-format.md
(`fixtures/talkback-v1.jsonl`) keeps importing as documented."""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from talkback.core.funding_rules import CampaignDraft
from talkback.errors import TalkbackError
from talkback.export.site import export_site
from talkback.funding.campaigns import create_campaign, list_campaigns
from talkback.funding.donations import (
    DonationDraft,
    record_donation,
    record_refund,
    set_message_status,
)
from talkback.importers.formats.talkback_jsonl import TALKBACK
from talkback.importers.formats.wordpress import WORDPRESS
from talkback.importers.options import ImportOptions
from talkback.importers.records import ImportFailed
from talkback.importers.run import run_import
from talkback.sites.sites import create_site, load_site
from talkback.staff.accounts import StaffMember, create_staff
from talkback.store.tables import donations, votes
from tests.api.conftest import ARTICLE, SITE
from tests.conftest import FrozenClock
from tests.importers.conftest import SECRET, Importing, own_fixture

SORTS = ("newest", "oldest", "most_voted")
EDITOR = "ed@news.example"
# (raised_minor, donor_count) once build_funding is done, by campaign title.
TOTALS = {"Keep the newsroom open": (7000, 2), "東京支局を開く": (3000, 1)}


async def exported(api: Importing) -> str:
    buffer = io.StringIO()
    await export_site(api.context, SITE, buffer.write)
    return buffer.getvalue()


async def page_bytes(api: Importing, uri: str, sort: str) -> bytes:
    response = await api.client.get(
        f"/api/v1/{SITE}/comments", params={"uri": uri, "sort": sort, "limit": 100}
    )
    assert response.status_code == 200
    return response.content


async def build_site(api: Importing, clock: FrozenClock) -> None:
    """Imported comments, then native ones: replies, an edit, a placeholder, votes."""
    await api.run(WORDPRESS, own_fixture("wordpress-wxr-1.2.xml"))
    reader = await api.reader_token()
    as_reader = {"X-Talkback-Reader": reader}
    anchor = {"exact": "barrier", "prefix": "the ", "suffix": " is"}
    first = await api.posted(
        "The river barrier **works**.", author_name="Eve", email="eve@reader.example",
        headers=as_reader, anchor=anchor,
    )  # fmt: skip
    clock.advance(seconds=5)
    reply = await api.posted("Not in March it didn't.", parent_id=first["comment"]["id"])
    clock.advance(seconds=5)
    doomed = await api.posted("I will think better of this.")
    clock.advance(seconds=5)
    await api.posted("Kept under a deleted comment.", parent_id=doomed["comment"]["id"])
    edited = await api.client.patch(
        f"/api/v1/{SITE}/comments/{reply['comment']['id']}",
        json={"text": "Not in March, it didn't."},
        headers={"X-Edit-Token": reply["edit_token"]},
    )
    assert edited.status_code == 200, edited.text
    deleted = await api.client.delete(
        f"/api/v1/{SITE}/comments/{doomed['comment']['id']}",
        headers={"X-Edit-Token": doomed["edit_token"]},
    )
    assert deleted.status_code == 204
    assert (await api.vote(reply["comment"]["id"], 1, reader)).status_code == 200
    assert (await api.vote(reply["comment"]["id"], -1)).status_code == 200
    await build_funding(api, clock)


async def editor(api: Importing) -> StaffMember:
    return await create_staff(api.context.database, EDITOR, "correct horse battery", "moderator")


async def build_funding(api: Importing, clock: FrozenClock) -> None:
    """A current USD campaign with custom ticks and a donor wall, and a JPY one: gifts
    with and without messages (one held for moderation), a full and a partial refund, a
    manual gift entered by staff."""
    ctx = api.context
    site = await ctx.sites.get(SITE)
    usd = await create_campaign(
        ctx, site,
        CampaignDraft(title="Keep the newsroom open", currency="USD", goal=Decimal(5000),
                      description="Local reporting, paid by readers.",
                      ticks=[Decimal(0), Decimal(2500), Decimal(5000)],
                      presets=[Decimal(10), Decimal("25.50")], donor_wall=True,
                      ends_at=clock() + timedelta(days=30)),
        current=True,
    )  # fmt: skip
    clock.advance(seconds=5)
    yen = await create_campaign(
        ctx, site, CampaignDraft(title="東京支局を開く", currency="JPY", goal=Decimal(500000))
    )
    gifts = [
        DonationDraft(usd.id, 2550, "USD", "stripe", "cs_test_1", payment_ref="pi_1",
                      donor_name="Ana", donor_email="ana@reader.example", message="Thank you!"),
        DonationDraft(yen.id, 3000, "JPY", "stripe", "cs_test_2", payment_ref="pi_2",
                      donor_name="健二", donor_email="kenji@reader.example", message="頑張って"),
        DonationDraft(usd.id, 10000, "USD", "stripe", "cs_test_3", payment_ref="pi_3",
                      donor_email="bo@reader.example"),
    ]  # fmt: skip
    for gift in gifts:
        clock.advance(seconds=1)
        assert await record_donation(ctx, site, gift)
    clock.advance(seconds=1)
    manual = DonationDraft(usd.id, 5000, "USD", "manual", "bank-2026-11-01",
                           note="Bank transfer, ref 1101")  # fmt: skip
    assert await record_donation(ctx, site, manual, await editor(api))
    await record_refund(ctx, "stripe", "pi_3", 10000)
    await record_refund(ctx, "stripe", "pi_1", 550)
    async with ctx.database.read() as conn:
        held = await conn.scalar(
            select(donations.c.id).where(donations.c.provider_ref == "cs_test_2")
        )
    assert held is not None
    await set_message_status(ctx, site, held, "pending", None)


async def totals(api: Importing) -> dict[str, tuple[int, int]]:
    site = await api.context.sites.get(SITE)
    return {
        c.title: (c.raised_minor, c.donor_count) for c in await list_campaigns(api.context, site)
    }


async def current_campaigns(api: Importing) -> list[str]:
    site = await api.context.sites.get(SITE)
    return [c.title for c in await list_campaigns(api.context, site) if c.is_current]


async def test_export_lines_are_documented_records(
    api: Importing, frozen_clock: FrozenClock
) -> None:
    await build_site(api, frozen_clock)

    lines = [json.loads(line) for line in (await exported(api)).splitlines()]

    header = lines[0]
    assert header["format"] == "talkback-export"
    assert header["version"] == 1
    assert header["site"] == SITE
    kinds = Counter(line["type"] for line in lines[1:])
    assert kinds == Counter(
        {"site": 1, "staff": 1, "thread": 4, "comment": 26, "vote": 2, "campaign": 2, "donation": 4}
    )
    native = next(line for line in lines if line.get("author", {}).get("name") == "Eve")
    assert native["origin"] == {"source": "talkback", "id": f"{SITE}/{native['id']}"}
    assert native["anchor"] == {"exact": "barrier", "prefix": "the ", "suffix": " is"}
    imported = next(line for line in lines[1:] if line["type"] == "comment")
    assert imported["origin"]["source"] == "wordpress"
    campaign = next(line for line in lines if line.get("type") == "campaign")
    assert campaign | {"created_at": "…", "ends_at": "…"} == {
        "type": "campaign", "id": campaign["id"], "title": "Keep the newsroom open",
        "description": "Local reporting, paid by readers.", "currency": "USD",
        "goal_minor": 500000, "ticks_minor": [0, 250000, 500000], "presets_minor": [1000, 2550],
        "starts_at": None, "ends_at": "…", "status": "open", "is_current": True,
        "donor_wall": True, "raised_minor": 7000, "donor_count": 2, "created_at": "…",
    }  # fmt: skip
    gifts = {line["provider_ref"]: line for line in lines if line.get("type") == "donation"}
    assert gifts["cs_test_1"]["campaign"] == campaign["id"]
    assert (gifts["cs_test_1"]["amount_minor"], gifts["cs_test_1"]["refunded_minor"]) == (
        2550, 550,
    )  # fmt: skip
    assert gifts["cs_test_2"] | {"created_at": "…", "message_moderation": None} == {
        "type": "donation", "campaign": campaign["id"] + 1, "amount_minor": 3000,
        "currency": "JPY", "refunded_minor": 0, "donor_name": "健二",
        "donor_email": "kenji@reader.example", "message": "頑張って",
        "message_status": "pending", "message_moderation": None, "provider": "stripe",
        "provider_ref": "cs_test_2", "payment_ref": "pi_2", "note": None,
        "recorded_by": None, "created_at": "…",
    }  # fmt: skip
    assert gifts["bank-2026-11-01"]["recorded_by"] == EDITOR
    assert gifts["bank-2026-11-01"]["note"] == "Bank transfer, ref 1101"


async def test_a_site_moved_to_a_fresh_database_is_identical(
    api: Importing, fresh_api: Importing, frozen_clock: FrozenClock, tmp_path: Path
) -> None:
    await build_site(api, frozen_clock)
    original = await exported(api)
    export = tmp_path / "news.jsonl"
    export.write_text(original, encoding="utf-8")

    summary = await fresh_api.run(TALKBACK, export)  # the staff account comes along

    assert summary.threads_created == 4
    assert summary.comments_imported == 26
    assert summary.votes_imported == 2
    assert (summary.campaigns_created, summary.donations_imported) == (2, 4)
    assert summary.notes[f"site {SITE!r} created from the export's settings"] == 1
    assert await exported(fresh_api) == original
    assert await totals(fresh_api) == TOTALS
    assert await current_campaigns(fresh_api) == ["Keep the newsroom open"]
    uris = [thread.uri for thread in await api.threads()]
    assert ARTICLE in uris
    for uri in uris:
        for sort in SORTS:
            assert await page_bytes(fresh_api, uri, sort) == await page_bytes(api, uri, sort)
    await fresh_api.assert_counters_consistent()

    again = await fresh_api.run(TALKBACK, export)
    assert again.comments_imported == 0
    assert again.votes_imported == 0
    assert (again.campaigns_created, again.donations_imported) == (0, 0)
    assert again.skipped["donation already imported"] == 4
    assert await exported(fresh_api) == original


async def test_restoring_an_export_into_its_own_site_adds_nothing(
    api: Importing, frozen_clock: FrozenClock, tmp_path: Path
) -> None:
    await build_site(api, frozen_clock)
    original = await exported(api)
    export = tmp_path / "news.jsonl"
    export.write_text(original, encoding="utf-8")

    summary = await api.run(TALKBACK, export)

    assert summary.comments_imported == 0
    assert summary.skipped["already imported"] == 26
    assert (summary.campaigns_created, summary.donations_imported) == (0, 0)
    assert summary.skipped["donation already imported"] == 4
    assert summary.notes[f"site {SITE!r} exists: its settings were kept"] == 1
    assert await exported(api) == original


async def test_imported_totals_come_from_the_donations_not_the_file(
    api: Importing, fresh_api: Importing, frozen_clock: FrozenClock, tmp_path: Path
) -> None:
    await build_funding(api, frozen_clock)
    lines = [json.loads(line) for line in (await exported(api)).splitlines()]
    for line in lines:
        if line.get("type") == "campaign":
            line.update(raised_minor=1, donor_count=99, is_current=True)
    export = tmp_path / "tampered.jsonl"
    export.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    await create_site(fresh_api.context.database, SITE, name="Elsewhere", origins=[])
    fresh_site = await fresh_api.context.sites.get(SITE)
    await create_campaign(
        fresh_api.context, fresh_site,
        CampaignDraft(title="Already running here", currency="EUR", goal=Decimal(100)),
        current=True,
    )  # fmt: skip

    summary = await fresh_api.run(TALKBACK, export)

    assert summary.donations_imported == 4
    assert summary.notes["the site has its own current campaign: kept"] == 1
    assert await totals(fresh_api) == {**TOTALS, "Already running here": (0, 0)}
    assert await current_campaigns(fresh_api) == ["Already running here"]
    again = await fresh_api.run(TALKBACK, export)
    assert (again.campaigns_created, again.donations_imported) == (0, 0)
    assert await totals(fresh_api) == {**TOTALS, "Already running here": (0, 0)}


async def test_unknown_record_types_are_skipped_and_bad_lines_refused(
    api: Importing, tmp_path: Path
) -> None:
    header = '{"format":"talkback-export","version":1,"site":"news"}\n'
    thread = '{"type":"thread","uri":"/a","title":"A","created_at":"2026-01-01T00:00:00Z"}\n'
    future = '{"type":"subscription","email":"eve@reader.example","thread":"/a"}\n'
    broken_gift = '{"type":"donation","campaign":1,"amount_minor":5.5,"currency":"EUR"}\n'
    export = tmp_path / "future.jsonl"
    export.write_text(header + thread + future + broken_gift, encoding="utf-8")

    summary = await api.run(TALKBACK, export)

    assert summary.skipped == Counter({
        "record type 'subscription' (not known to this version)": 1,
        "donation record with a missing or invalid field": 1,
    })  # fmt: skip
    assert [t.uri for t in await api.threads()] == ["/a"]

    broken = tmp_path / "broken.jsonl"
    broken.write_text(header + thread.replace("/a", "/b") + "{not json\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="line 3 is not a JSON object"):
        await api.run(TALKBACK, broken)
    assert [t.uri for t in await api.threads()] == ["/a"]
    lenient = await api.run(TALKBACK, broken, lenient=True)
    assert lenient.problems == ["line 3: not a JSON object"]
    assert [t.uri for t in await api.threads()] == ["/a", "/b"]

    newer = tmp_path / "newer.jsonl"
    newer.write_text(header.replace('"version":1', '"version":2'), encoding="utf-8")
    with pytest.raises(ImportFailed, match="version 2"):
        await api.run(TALKBACK, newer)


async def test_a_version_1_export_written_by_hand_imports_as_documented(
    fresh_api: Importing,
) -> None:
    export = own_fixture("talkback-v1.jsonl")  # records out of order, one blank line

    summary = await fresh_api.run(TALKBACK, export)

    assert summary.threads_created == 2  # the page without comments too
    assert summary.imported == Counter(
        {"approved": 3, "deleted": 1, "pending": 1, "rejected": 1, "spam": 1, "shadowed": 1}
    )
    assert summary.votes_imported == 2
    assert (summary.campaigns_created, summary.donations_imported) == (1, 3)
    assert summary.skipped == Counter({
        "record type 'subscription' (not known to this version)": 1,
        "comment record with a missing or invalid field": 1,
        "donation whose campaign is not in the file": 1,
        "donation in another currency than its campaign": 1,
    })  # fmt: skip
    assert summary.problems == ["comment record: ValueError(\"unknown status 'bogus'\")"]
    site = await load_site(fresh_api.context.database, SITE)  # made from the site record
    assert (site.name, site.origins, site.locale) == (
        "The Millbrook Ledger", ("https://ledger.example",), "en_GB",
    )  # fmt: skip
    assert (site.edit_window_seconds, site.moderation_mode, site.guest_identity) == (
        600, "first", "required",
    )  # fmt: skip
    rows = {(row.import_source, row.import_id): row for row in await fresh_api.rows()}
    hanna, tomasz = rows["wordpress", "501"], rows["talkback", "ledger/12"]
    assert (hanna.upvotes, hanna.downvotes, hanna.score) == (5, 1, 4)  # counts beyond voters
    assert hanna.anchor == {"exact": "footbridge", "prefix": "the new ", "suffix": " opened"}
    assert (hanna.reader_id, hanna.avatar) == ("7d1c9a40b2e3", "a1b2c3d4e5f6")
    assert hanna.ip_hash == "f0e1d2c3b4a5968778695a4b3c2d1e0f"
    assert (hanna.toxicity, hanna.report_count) == (0.01, 1)
    assert hanna.moderation == [
        {"check": "links", "verdict": "approved", "reason": "no links", "score": None}
    ]
    assert tomasz.parent_id == hanna.id  # the reply came first in the file
    assert tomasz.created_at.isoformat() == "2026-09-20T10:00:00.250000+00:00"
    assert tomasz.edited_at.isoformat() == "2026-09-20T10:03:00+00:00"
    async with fresh_api.context.database.read() as conn:
        voters = {(row.comment_id, row.voter, row.value)
                  for row in await conn.execute(select(votes))}  # fmt: skip
    assert voters == {(hanna.id, "r:7d1c9a40b2e3", 1),
                      (tomasz.id, "ip:f0e1d2c3b4a5968778695a4b3c2d1e0f", -1)}  # fmt: skip
    page = await fresh_api.page("/2026/09/footbridge-opens", sort="oldest")
    assert page["thread"] == {"uri": "/2026/09/footbridge-opens",
                              "title": "The footbridge opens", "count": 3,
                              "closed": False, "close_message": None}  # fmt: skip
    first, placeholder = page["comments"]  # pending, rejected, spam, shadowed: not shown
    assert first["replies"][0]["score"] == -2
    assert placeholder["status"] == "deleted"
    assert placeholder["replies"][0]["html"] == "<p>Kept under a deleted comment.</p>"
    quiet = await fresh_api.page("/2026/09/quiet-page")
    assert quiet["thread"]["title"] == "A page nobody commented on"
    assert await totals(fresh_api) == {"Keep the Ledger on the bridge beat": (6500, 2)}
    assert await current_campaigns(fresh_api) == ["Keep the Ledger on the bridge beat"]
    await fresh_api.assert_counters_consistent()

    again = await fresh_api.run(TALKBACK, export)
    assert (again.comments_imported, again.votes_imported, again.donations_imported) == (0, 0, 0)
    assert again.skipped["already imported"] == 8


async def test_a_hand_edited_anchor_or_rule_is_refused_not_stored(
    api: Importing, tmp_path: Path
) -> None:
    """Answers that show a comment, and the settings page, are validated against the API's
    shapes: an import must not store what the API itself would refuse."""
    header = '{"format":"talkback-export","version":1,"site":"news"}\n'
    thread = '{"type":"thread","uri":"/a","title":"A","created_at":"2026-01-01T00:00:00Z"}\n'
    comment = (
        '{"type":"comment","id":1,"thread":"/a","status":"approved","text":"Hi",'
        '"html":"<p>Hi</p>","created_at":"2026-01-01T00:00:00Z","anchor":%s}\n'
    )
    export = tmp_path / "anchors.jsonl"
    export.write_text(
        header
        + thread
        + comment % '{"exact":"","start":-4}'
        + comment.replace('"id":1', '"id":2') % '{"exact":"flood","prefix":"the "}'
        # An older export: an offset alone, which the API took before offsets were checked.
        + comment.replace('"id":1', '"id":3') % '{"exact":"river","end":40}',
        encoding="utf-8",
    )
    summary = await api.run(TALKBACK, export)
    assert summary.skipped == Counter({"comment record with a missing or invalid field": 1})
    kept, older = await api.rows()
    assert kept.anchor == {"exact": "flood", "prefix": "the ", "suffix": ""}
    assert older.anchor == {"exact": "river", "prefix": "", "suffix": ""}

    site = '{"type":"site","id":"elsewhere","name":"E","moderation":{"max_links":"3"}}\n'
    settings = tmp_path / "site.jsonl"
    settings.write_text(header.replace('"news"', '"elsewhere"') + site, encoding="utf-8")
    with pytest.raises(TalkbackError, match="max_links"):
        await run_import(
            api.context, "elsewhere", settings, TALKBACK, ImportOptions(secret_key=SECRET)
        )
