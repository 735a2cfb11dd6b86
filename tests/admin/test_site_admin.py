"""Bans, site settings, stats and staff accounts through the admin API."""

from __future__ import annotations

from datetime import timedelta

from talkback.staff.accounts import authenticate
from tests.admin.conftest import (
    ARTICLE,
    MODERATOR,
    PASSWORD,
    SITE,
    FrozenNewsroom,
    Newsroom,
)


async def test_moderators_ban_and_lift_and_the_audit_says_who(newsroom: Newsroom) -> None:
    moderator = await newsroom.signed_in(MODERATOR)
    bans = f"/api/v1/admin/{SITE}/bans"
    added = await moderator.post(
        bans,
        json={"kind": "email", "value": "Troll@Readers.example", "shadow": True,
              "reason": "Repeated abuse", "duration_days": 7},
    )  # fmt: skip
    assert added.status_code == 201, added.text
    ban = added.json()["ban"]
    assert ban["value"] == "troll@readers.example"
    assert ban["shadow"] is True
    assert ban["active"] is True
    assert ban["expires_at"] is not None
    by_ip = await moderator.post(bans, json={"kind": "ip", "value": "198.51.100.4"})
    assert len(by_ip.json()["ban"]["value"]) == 32  # stored as the keyed hash only
    assert (await moderator.delete(f"{bans}/{ban['id']}")).status_code == 204
    listed = {b["id"]: b for b in (await moderator.get(bans)).json()["bans"]}
    assert listed[ban["id"]]["active"] is False
    again = await moderator.delete(f"{bans}/{ban['id']}")
    assert again.status_code == 409
    actions = [e["action"] for e in (await moderator.get(f"/api/v1/admin/{SITE}/audit")).json()[
        "entries"]]  # fmt: skip
    assert actions[:3] == ["ban.lift", "ban.add", "ban.add"]


async def test_a_ban_needs_a_value_that_fits_its_kind(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    bans = f"/api/v1/admin/{SITE}/bans"
    for body in ({"kind": "email", "value": "no-at-sign"}, {"kind": "ip", "value": "nope"},
                 {"kind": "name", "value": "x"}, {"kind": "email", "value": "a@b.example",
                                                  "duration_days": 0}):  # fmt: skip
        response = await editor.post(bans, json=body)
        assert response.status_code == 422, body
        assert set(response.json()["error"]) >= {"code", "message"}
    assert (await editor.delete(f"{bans}/999")).status_code == 404


async def test_a_banned_reader_can_no_longer_comment(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    await editor.post(
        f"/api/v1/admin/{SITE}/bans", json={"kind": "email", "value": "troll@readers.example"}
    )
    reader = await newsroom.browser()
    response = await reader.client.post(
        f"/api/v1/{SITE}/comments",
        params={"uri": ARTICLE},
        json={"text": "Hello again", "email": "troll@readers.example"},
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "banned"


async def test_admins_change_settings_and_each_change_is_audited(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    path = f"/api/v1/admin/{SITE}/settings"
    before = (await editor.get(path)).json()["settings"]
    assert before["moderation"]["mode"] == "pre"
    assert before["moderation"]["report_threshold"] == 3
    response = await editor.patch(
        path,
        json={"name": "The Example Daily", "origins": ["https://daily.example"],
              "edit_window_seconds": 600, "locale": "de_DE",
              "moderation": {"mode": "first", "hold_threshold": 0.6,
                             "banned_words": ["Scoundrel"], "report_threshold": 3}},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    after = response.json()["settings"]
    assert after["name"] == "The Example Daily"
    assert after["origins"] == ["https://daily.example"]
    assert after["edit_window_seconds"] == 600
    assert after["locale"] == "de_DE"
    assert after["moderation"]["mode"] == "first"
    assert after["moderation"]["hold_threshold"] == 0.6
    assert after["moderation"]["banned_words"] == ["scoundrel"]
    assert (await editor.get(path)).json()["settings"] == after
    entries = (await editor.get(f"/api/v1/admin/{SITE}/audit")).json()["entries"]
    assert sorted(e["target"] for e in entries if e["action"] == "settings.update") == [
        "edit_window_seconds", "locale", "name", "origins",
    ]  # fmt: skip
    moderation = next(e for e in entries if e["action"] == "settings.moderation")
    assert "report_threshold" not in moderation["details"]["changes"]  # unchanged, not logged
    name_change = next(e for e in entries if e["target"] == "name")
    assert name_change["details"] == {"before": "The Example News", "after": "The Example Daily"}
    public = await (await newsroom.browser()).get(f"/api/v1/{SITE}/config")
    assert public.json()["site"]["name"] == "The Example Daily"


async def test_whole_number_rules_are_answered_as_whole_numbers(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    path = f"/api/v1/admin/{SITE}/settings"
    body = {"moderation": {"reject_threshold": 1, "min_form_seconds": 5}}
    response = await editor.patch(path, json=body)
    assert response.status_code == 200, response.text
    assert '"reject_threshold":1,' in response.text
    assert '"min_form_seconds":5}' in response.text


async def test_refused_settings_answer_422_in_the_error_shape(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    path = f"/api/v1/admin/{SITE}/settings"
    for body in ({"moderation": {"hold_threshold": 2}}, {"moderation": {"colour": "red"}},
                 {"origins": ["not a url"]}, {"locale": "xx_NOPE"},
                 {"guest_identity": "anyone"}, {"moderation": {"banned_patterns": ["(unclosed"]}},
                 {"edit_window_seconds": -1}, {"surprise": True}):  # fmt: skip
        response = await editor.patch(path, json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["message"]


async def test_stats_count_per_day_and_the_busiest_threads(frozen_newsroom: FrozenNewsroom) -> None:
    newsroom, clock = frozen_newsroom.newsroom, frozen_newsroom.clock
    await newsroom.published("Yesterday's", uri="/older")
    clock.advance(days=1)
    for n in range(3):
        await newsroom.published(f"Busy {n}", uri="/busy")
    held = await newsroom.held("Waiting", uri="/busy")
    rejected = await newsroom.held("Refused", uri="/quiet")
    editor = await newsroom.signed_in()
    await editor.post(f"/api/v1/admin/{SITE}/comments/{rejected}/reject")
    stats = (await editor.get(f"/api/v1/admin/{SITE}/stats")).json()
    days = stats["days"]
    assert len(days) == 30
    assert days[-1] == {"day": clock.current.date().isoformat(), "posted": 5, "held": 1,
                        "rejected": 1}  # fmt: skip
    assert days[-2]["posted"] == 1
    assert days[-2]["day"] == (clock.current - timedelta(days=1)).date().isoformat()
    assert sum(d["posted"] for d in days[:-2]) == 0
    assert [(t["uri"], t["comments"]) for t in stats["top_threads"]] == [
        ("/busy", 4), ("/older", 1), ("/quiet", 1),
    ]  # fmt: skip
    assert stats["pending"] == 1
    assert held


async def test_admins_add_staff_who_can_then_sign_in(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    added = await editor.post(
        "/api/v1/admin/staff",
        json={"email": "New.Mod@News.example", "password": PASSWORD, "role": "moderator"},
    )
    assert added.status_code == 201, added.text
    assert added.json()["staff"]["email"] == "new.mod@news.example"
    listed = (await editor.get("/api/v1/admin/staff")).json()["staff"]
    assert "new.mod@news.example" in [s["email"] for s in listed]
    assert (await newsroom.signed_in("new.mod@news.example")).csrf
    duplicate = await editor.post(
        "/api/v1/admin/staff",
        json={"email": "new.mod@news.example", "password": PASSWORD, "role": "admin"},
    )
    assert duplicate.status_code == 409
    weak = await editor.post(
        "/api/v1/admin/staff",
        json={"email": "b@news.example", "password": "short", "role": "admin"},
    )
    assert weak.status_code == 422
    session = await authenticate(newsroom.context.database, "NEW.MOD@news.example", PASSWORD)
    assert session.member.role == "moderator"
