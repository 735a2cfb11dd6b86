"""Who did what: the audit log tells an action of a staff account from one Talkback itself
took (the command line, the demo, a payment webhook), which has no account behind it."""

from __future__ import annotations

import re

from talkback.demo.funding import prepare_demo_campaign
from tests.admin.conftest import ADMIN, SITE, Newsroom


async def test_the_demo_campaign_is_audited_as_demo_setup_not_a_removed_account(
    newsroom: Newsroom,
) -> None:
    await prepare_demo_campaign(newsroom.context, await newsroom.context.sites.get(SITE))
    editor = await newsroom.signed_in()
    entries = (await editor.get(f"/api/v1/admin/{SITE}/audit")).json()["entries"]
    [created] = [e for e in entries if e["action"] == "campaign.create"]
    assert (created["staff"], created["actor"]) == (None, "demo setup")

    page = (await editor.get(f"/admin/{SITE}/audit")).text
    row = re.search(r"<tr>(?:(?!</tr>).)*campaign\.create.*?</tr>", page, re.S)
    assert row is not None
    assert "(removed" not in row.group(0)
    assert re.search(r"<td[^>]*>\s*<span[^>]*>demo setup</span>", row.group(0))


async def test_a_staff_action_names_the_account(newsroom: Newsroom) -> None:
    comment = await newsroom.held("Counted")
    editor = await newsroom.signed_in()
    await editor.post(f"/api/v1/admin/{SITE}/comments/{comment}/approve")
    [entry, *_] = (await editor.get(f"/api/v1/admin/{SITE}/audit")).json()["entries"]
    assert (entry["staff"], entry["actor"]) == (ADMIN, ADMIN)
    assert "actor" not in entry["details"]
