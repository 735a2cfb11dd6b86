"""The notification settings (digest window, moderator alert interval) in the admin."""

from __future__ import annotations

from tests.admin.conftest import MODERATOR, SITE, Newsroom
from tests.staff_mail.helpers import outbox_rows

SETTINGS = f"/api/v1/admin/{SITE}/settings"


async def test_admins_change_the_notification_settings_through_the_api(
    newsroom: Newsroom,
) -> None:
    admin = await newsroom.signed_in()
    before = (await admin.get(SETTINGS)).json()["settings"]
    assert (before["digest_window_seconds"], before["moderator_alert_minutes"]) == (120, 15)
    changed = await admin.patch(
        SETTINGS, json={"digest_window_seconds": 30, "moderator_alert_minutes": 0}
    )
    assert changed.status_code == 200, changed.text
    after = changed.json()["settings"]
    assert (after["digest_window_seconds"], after["moderator_alert_minutes"]) == (30, 0)
    entries = (await admin.get(f"/api/v1/admin/{SITE}/audit")).json()["entries"]
    assert {e["target"] for e in entries if e["action"] == "settings.update"} == {
        "digest_window_seconds", "moderator_alert_minutes",
    }  # fmt: skip
    await newsroom.held("Held after alerts were turned off")
    assert await outbox_rows(newsroom.context, "moderator_alert") == []
    refused = await admin.patch(SETTINGS, json={"moderator_alert_minutes": -1})
    assert refused.status_code == 422
    moderator = await newsroom.signed_in(MODERATOR)
    assert (await moderator.patch(SETTINGS, json={"digest_window_seconds": 5})).status_code == 403


async def test_admins_change_the_notification_settings_with_the_form(newsroom: Newsroom) -> None:
    admin = await newsroom.signed_in()
    page = await admin.get(f"/admin/{SITE}/settings")
    assert 'name="moderator_alert_minutes" value="15"' in page.text
    form = {
        "name": "The Example News", "origins": "https://news.example", "locale": "en_US",
        "edit_window_seconds": "900", "guest_identity": "optional", "mode": "pre",
        "hold_threshold": "0.8", "reject_threshold": "0.97", "max_links": "3",
        "report_threshold": "3", "min_form_seconds": "3",
        "digest_window_seconds": "45", "moderator_alert_minutes": "60",
    }  # fmt: skip
    saved = await admin.post(f"/admin/{SITE}/settings", data=form)
    assert saved.status_code == 303, saved.text
    settings = (await admin.get(SETTINGS)).json()["settings"]
    assert (settings["digest_window_seconds"], settings["moderator_alert_minutes"]) == (45, 60)
    refused = await admin.post(
        f"/admin/{SITE}/settings", data={**form, "moderator_alert_minutes": "often"}
    )
    assert refused.status_code == 422
    assert 'value="often"' in refused.text
