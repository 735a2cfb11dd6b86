"""What the author is told about their own comment: `moderation` in the answer to a post or
an edit, with the status and machine-readable reasons a widget can put into words."""

from __future__ import annotations

from typing import Any

import pytest

from talkback.moderation.bans import add_ban
from talkback.moderation.rules import update_moderation_settings
from talkback.staff.accounts import StaffMember, create_staff
from tests.api.conftest import SITE, Api

ABUSE = "You are a stupid idiot, shut up."
ROUGH = "Damn, this is bad news."  # the model scores it 0.86: held, not rejected


@pytest.fixture
async def staff(api: Api) -> StaffMember:
    return await create_staff(
        api.context.database, "rules@news.example", "a long enough password", "admin"
    )


async def _rules(api: Api, staff: StaffMember, **changes: Any) -> None:
    site = await api.context.sites.get(SITE)
    await update_moderation_settings(api.context, site, changes, staff)


async def test_a_published_comment_has_no_reasons(api: Api) -> None:
    response = await api.post("Thanks for the clear reporting.")
    assert response.status_code == 201
    assert response.json()["moderation"] == {"status": "approved", "reasons": []}


@pytest.mark.parametrize(
    ("rules", "fields", "reasons"),
    [
        ({"mode": "pre"}, {}, ["mode"]),
        ({"mode": "first"}, {"email": "new@readers.example"}, ["first_comment"]),
        ({"max_links": 1}, {"text": "See https://a.example and https://b.example"}, ["links"]),
        ({"banned_words": ["casino"]}, {"text": "Best casino bonus"}, ["banned_words"]),
        ({"banned_patterns": [r"whats\s*app"]}, {"text": "Whats App me"}, ["banned_patterns"]),
        ({}, {"text": ROUGH}, ["toxicity"]),
        ({}, {"text": "Posted at once", "form_ms": 300}, ["form_time"]),
    ],
    ids=["premoderation", "first-comment", "links", "words", "patterns", "tone", "instant"],
)
async def test_a_held_comment_says_which_checks_held_it(
    api: Api,
    staff: StaffMember,
    rules: dict[str, Any],
    fields: dict[str, Any],
    reasons: list[str],
) -> None:
    await _rules(api, staff, **rules)
    response = await api.post(**{"text": "A fair question about the tender.", **fields})
    assert response.status_code == 202
    body = response.json()
    assert body["comment"]["status"] == "pending"
    assert body["moderation"] == {"status": "pending", "reasons": reasons}
    assert body["edit_token"]


async def test_a_flood_is_held_as_such(limited_api: Api) -> None:
    for n in range(3):
        assert (await limited_api.post(f"Point number {n}")).status_code == 201
    response = await limited_api.post("And one more point")
    assert response.json()["moderation"] == {"status": "pending", "reasons": ["flood"]}


@pytest.mark.parametrize(
    ("fields", "reasons"),
    [
        ({"text": ABUSE}, ["toxicity"]),
        ({"text": "Great article!", "honeypot": "http://spam.example"}, ["automated"]),
    ],
    ids=["abuse", "honeypot"],
)
async def test_a_rejected_comment_says_why(
    api: Api, fields: dict[str, Any], reasons: list[str]
) -> None:
    response = await api.post(**fields)
    assert response.status_code == 202
    assert response.json()["moderation"] == {"status": "rejected", "reasons": reasons}
    assert (await api.page())["comments"] == []


async def test_the_honeypot_is_not_named_to_the_client(api: Api) -> None:
    response = await api.post("Great article!", honeypot="http://spam.example")
    assert "honeypot" not in response.text


async def test_the_same_text_twice_is_rejected_as_a_duplicate(api: Api) -> None:
    assert (await api.post("Identical words")).status_code == 201
    again = await api.post("Identical words")
    assert again.status_code == 202
    assert again.json()["moderation"] == {"status": "rejected", "reasons": ["duplicate"]}


async def test_a_shadow_banned_author_is_told_nothing(api: Api, staff: StaffMember) -> None:
    site = await api.context.sites.get(SITE)
    await add_ban(api.context, site, kind="ip", value="203.0.113.7", shadow=True,
                  reason="test", expires_at=None, staff=staff)  # fmt: skip
    first = await api.post("Nobody will notice this.")
    again = await api.post("Nobody will notice this.")
    for response in (first, again):
        assert response.status_code == 201
        assert response.json()["comment"]["status"] == "approved"
        assert response.json()["moderation"] == {"status": "approved", "reasons": []}


async def test_an_edit_into_abuse_says_why_it_was_taken_down(api: Api) -> None:
    posted = await api.posted("A reasonable opinion.")
    response = await api.client.patch(
        f"/api/v1/{SITE}/comments/{posted['comment']['id']}",
        json={"text": ABUSE},
        headers={"X-Edit-Token": posted["edit_token"]},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "rejected"
    assert body["moderation"] == {"status": "rejected", "reasons": ["toxicity"]}


async def test_a_clean_edit_answers_the_comment_as_before(api: Api) -> None:
    posted = await api.posted("A resonable opinion.")
    response = await api.client.patch(
        f"/api/v1/{SITE}/comments/{posted['comment']['id']}",
        json={"text": "A reasonable opinion."},
        headers={"X-Edit-Token": posted["edit_token"]},
    )
    body = response.json()
    assert body["id"] == posted["comment"]["id"]
    assert body["html"] == "<p>A reasonable opinion.</p>"
    assert body["moderation"] == {"status": "approved", "reasons": []}
