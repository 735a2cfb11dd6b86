"""The editors' tools on the admin side: pin and feature from the queue's cards (with and
without JavaScript), a thread's closing page and API, the site's automatic closing in the
settings; every change audited once."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tests.admin.conftest import ARTICLE, MODERATOR, SITE, Newsroom, StaffClient

THREAD_API = f"/api/v1/admin/{SITE}/thread"
THREAD_PAGE = f"/admin/{SITE}/thread"
SETTINGS = f"/api/v1/admin/{SITE}/settings"
SETTINGS_FORM = {
    "name": "The Example News", "origins": "https://news.example", "locale": "en_US",
    "edit_window_seconds": "900", "guest_identity": "optional", "mode": "pre",
    "hold_threshold": "0.8", "reject_threshold": "0.97", "max_links": "3",
    "report_threshold": "3", "min_form_seconds": "3",
}  # fmt: skip


async def actions(staff: StaffClient) -> list[tuple[str, str]]:
    entries = (await staff.get(f"/api/v1/admin/{SITE}/audit")).json()["entries"]
    return [(entry["action"], entry["target"]) for entry in reversed(entries)]


async def reader_page(staff: StaffClient) -> dict[str, Any]:
    response = await staff.get(f"/api/v1/{SITE}/comments", uri=ARTICLE)
    page: dict[str, Any] = response.json()
    return page


async def test_moderators_pin_feature_and_close_and_each_change_is_audited_once(
    newsroom: Newsroom,
) -> None:
    comment = await newsroom.published("The desk's pick")
    desk = await newsroom.signed_in(MODERATOR)
    for action in ("pin", "pin", "feature", "unpin"):
        response = await desk.post(f"/api/v1/admin/{SITE}/comments/{comment}/{action}")
        assert response.status_code == 200, response.text
    assert response.json()["comment"]["featured"] is True
    assert "pinned" not in response.json()["comment"]
    closed = await desk.send(
        "PUT", f"{THREAD_API}?uri={ARTICLE}", json={"override": "closed", "message": "Done."}
    )
    assert closed.status_code == 200, closed.text
    assert await actions(desk) == [
        ("comment.approve", f"comment:{comment}"),
        ("comment.pin", f"comment:{comment}"),
        ("comment.feature", f"comment:{comment}"),
        ("comment.unpin", f"comment:{comment}"),
        ("thread.close", f"thread:{ARTICLE}"),
    ]
    view = (await desk.get(THREAD_API, uri=ARTICLE)).json()["thread"]
    assert (view["override"], view["message"], view["closed"]) == ("closed", "Done.", True)
    assert view["closed_at"] is not None

    no_csrf = await desk.post(f"/api/v1/admin/{SITE}/comments/{comment}/pin", csrf="wrong")
    assert no_csrf.status_code == 403


async def test_the_queue_cards_pin_and_feature_without_javascript(newsroom: Newsroom) -> None:
    comment = await newsroom.published("Worth reading")
    desk = await newsroom.signed_in(MODERATOR)
    card = await desk.get(f"/admin/{SITE}/search", q="worth")
    assert f'formaction="/admin/{SITE}/comments/{comment}/pin"' in card.text
    assert f"{THREAD_PAGE}?uri={quote(ARTICLE)}" in card.text

    back = f"/admin/{SITE}/search?q=worth"
    pinned = await desk.post(
        f"/admin/{SITE}/comments/{comment}/pin", data={"next": back, "ids": str(comment)}
    )
    assert pinned.status_code == 303
    assert pinned.headers["location"] == f"{back}&notice=pin"
    card = await desk.get(f"/admin/{SITE}/search", q="worth")
    assert f'formaction="/admin/{SITE}/comments/{comment}/unpin"' in card.text
    assert "Pinned: it comes first in its thread." not in card.text  # notice only after redirect
    page = await reader_page(desk)
    assert page["comments"][0]["pinned"] is True


async def test_the_thread_page_closes_and_reopens_a_thread(newsroom: Newsroom) -> None:
    await newsroom.published("Before the verdict")
    desk = await newsroom.signed_in(MODERATOR)
    page = await desk.get(THREAD_PAGE, uri=ARTICLE)
    assert page.status_code == 200
    assert "<strong>Open</strong>" in page.text
    target = f"{THREAD_PAGE}?uri={quote(ARTICLE)}"

    saved = await desk.post(target, data={"override": "closed", "message": "Closed for the night."})
    assert saved.status_code == 303, saved.text
    page = await desk.get(THREAD_PAGE, uri=ARTICLE)
    assert "<strong>Closed</strong>" in page.text
    assert "Closed for the night." in page.text
    thread = (await reader_page(desk))["thread"]
    assert thread == {**thread, "closed": True, "close_message": "Closed for the night."}

    refused = await desk.post(target, data={"override": "ajar", "message": ""})
    assert refused.status_code == 422
    assert "choose closed, open" in refused.text
    await desk.post(target, data={"override": "site", "message": "ignored when not closed"})
    thread = (await reader_page(desk))["thread"]
    assert thread == {**thread, "closed": False, "close_message": None}
    assert [a for a, _ in await actions(desk)][-2:] == ["thread.close", "thread.follow_site"]


async def test_admins_set_the_automatic_closing_in_the_settings(newsroom: Newsroom) -> None:
    admin = await newsroom.signed_in()
    assert (await admin.get(SETTINGS)).json()["settings"]["auto_close_days"] == 0
    changed = await admin.patch(SETTINGS, json={"auto_close_days": 14})
    assert changed.status_code == 200, changed.text
    assert changed.json()["settings"]["auto_close_days"] == 14
    form = await admin.get(f"/admin/{SITE}/settings")
    assert 'name="auto_close_days" value="14"' in form.text

    saved = await admin.post(
        f"/admin/{SITE}/settings", data={**SETTINGS_FORM, "auto_close_days": ""}
    )
    assert saved.status_code == 303, saved.text
    assert (await admin.get(SETTINGS)).json()["settings"]["auto_close_days"] == 0
    refused = await admin.post(
        f"/admin/{SITE}/settings", data={**SETTINGS_FORM, "auto_close_days": "a fortnight"}
    )
    assert refused.status_code == 422
    assert (await admin.patch(SETTINGS, json={"auto_close_days": -1})).status_code == 422
    desk = await newsroom.signed_in(MODERATOR)
    assert (await desk.patch(SETTINGS, json={"auto_close_days": 3})).status_code == 403
    updates = [t for a, t in await actions(admin) if a == "settings.update"]
    assert updates == ["auto_close_days", "auto_close_days"]
