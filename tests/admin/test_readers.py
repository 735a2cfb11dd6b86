"""A reader's data, exported or deleted by an admin, through the admin API and pages."""

from __future__ import annotations

from tests.admin.conftest import ARTICLE, MODERATOR, SITE, Newsroom

EMAIL = "reader@example.org"


async def test_admin_exports_everything_of_an_email_address(newsroom: Newsroom) -> None:
    await newsroom.published("Mine, about the barrier", author="Rae", email=EMAIL)
    await newsroom.published("Someone else's", author="Other", email="other@example.org")
    admin = await newsroom.signed_in()
    response = await admin.post(f"/api/v1/admin/{SITE}/readers/export", json={"email": EMAIL})
    assert response.status_code == 200, response.text
    exported = response.text
    assert "Mine, about the barrier" in exported
    assert "Someone else's" not in exported
    page = await admin.post(f"/admin/{SITE}/readers/export", data={"email": EMAIL})
    assert page.status_code == 200
    assert page.headers["content-disposition"].startswith("attachment;")
    assert "Mine, about the barrier" in page.text


async def test_admin_deletes_a_reader_keeping_comments_as_anonymous(newsroom: Newsroom) -> None:
    await newsroom.published("Signed words", author="Rae", email=EMAIL)
    admin = await newsroom.signed_in()
    response = await admin.post(
        f"/api/v1/admin/{SITE}/readers/delete", json={"email": EMAIL, "keep_comments": True}
    )
    assert response.status_code == 200, response.text
    assert response.json()["comments_anonymised"] == 1
    page = await admin.client.get(f"/api/v1/{SITE}/comments", params={"uri": ARTICLE})
    [comment] = page.json()["comments"]
    assert comment["author"]["name"] is None
    audit = await admin.get(f"/api/v1/admin/{SITE}/audit")
    entry = audit.json()["entries"][0]
    assert entry["action"] == "reader.delete"
    assert EMAIL not in str(entry)


async def test_the_delete_form_needs_the_confirmation(newsroom: Newsroom) -> None:
    await newsroom.published("Still here", author="Rae", email=EMAIL)
    admin = await newsroom.signed_in()
    response = await admin.post(f"/admin/{SITE}/readers/delete", data={"email": EMAIL})
    assert response.status_code == 303
    assert "confirm_needed" in response.headers["location"]
    removed = await admin.post(
        f"/admin/{SITE}/readers/delete",
        data={"email": EMAIL, "comments": "remove", "confirm": "true"},
    )
    assert removed.status_code == 303
    page = await admin.client.get(f"/api/v1/{SITE}/comments", params={"uri": ARTICLE})
    assert page.json()["comments"] == []


async def test_moderators_cannot_touch_readers_data(newsroom: Newsroom) -> None:
    moderator = await newsroom.signed_in(MODERATOR)
    for path in ("export", "delete"):
        response = await moderator.post(
            f"/api/v1/admin/{SITE}/readers/{path}", json={"email": EMAIL}
        )
        assert response.status_code == 403
    assert (await moderator.get(f"/admin/{SITE}/readers")).status_code == 403
