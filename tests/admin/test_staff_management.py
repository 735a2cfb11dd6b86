"""Managing staff accounts after they exist, over HTTP: roles, removal, passwords set by
an admin (and the forced change that follows), one's own password, and the audit."""

from __future__ import annotations

import httpx

from talkback.staff.audit import staff_audit_entries
from tests.admin.conftest import (
    ADMIN,
    MODERATOR,
    OTHER_SITE,
    PASSWORD,
    SITE,
    Newsroom,
    StaffClient,
)

NEW_PASSWORD = "a brand new long password"
SET_BY_ADMIN = "set by the admin for you"


def staff_path(newsroom: Newsroom, member: str = "moderator") -> str:
    target = newsroom.moderator if member == "moderator" else newsroom.admin
    return f"/api/v1/admin/staff/{target.id}"


def code(response: httpx.Response) -> str:
    value: str = response.json()["error"]["code"]
    return value


async def test_a_role_change_applies_to_open_sessions_at_once(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    moderator = await newsroom.signed_in(MODERATOR)
    assert (await moderator.get("/api/v1/admin/staff")).status_code == 403

    promoted = await editor.patch(staff_path(newsroom), json={"role": "admin"})
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["staff"]["role"] == "admin"
    assert (await moderator.get("/api/v1/admin/staff")).status_code == 200

    assert (await editor.patch(staff_path(newsroom), json={"role": "moderator"})).status_code == 200
    assert (await moderator.get("/api/v1/admin/staff")).status_code == 403
    assert (await moderator.get(f"/api/v1/admin/{SITE}/queue")).status_code == 200


async def test_the_last_admin_can_be_neither_demoted_nor_removed(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    alone = await editor.patch(staff_path(newsroom, "admin"), json={"role": "moderator"})
    assert alone.status_code == 409
    assert code(alone) == "last_admin"
    assert (await editor.delete(staff_path(newsroom, "admin"))).status_code == 409

    await editor.patch(staff_path(newsroom), json={"role": "admin"})
    second = await newsroom.signed_in(MODERATOR)
    demoted = await second.patch(staff_path(newsroom, "admin"), json={"role": "moderator"})
    assert demoted.status_code == 200
    self_demotion = await second.patch(staff_path(newsroom), json={"role": "moderator"})
    assert self_demotion.status_code == 409
    assert code(self_demotion) == "last_admin"


async def test_removing_an_account_ends_its_sessions_at_once(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    laptop = await newsroom.signed_in(MODERATOR)
    phone = await newsroom.signed_in(MODERATOR)
    assert (await laptop.get(f"/api/v1/admin/{SITE}/queue")).status_code == 200

    assert (await editor.delete(staff_path(newsroom))).status_code == 204
    for browser in (laptop, phone):
        assert (await browser.get(f"/api/v1/admin/{SITE}/queue")).status_code == 401
    assert (await laptop.get(f"/admin/{SITE}/queue")).status_code == 303
    assert (await (await newsroom.browser()).login(MODERATOR)).status_code == 401
    listed = (await editor.get("/api/v1/admin/staff")).json()["staff"]
    assert [s["email"] for s in listed] == [ADMIN]
    again = await editor.delete(staff_path(newsroom))
    assert again.status_code == 404
    own = await editor.delete(staff_path(newsroom, "admin"))
    assert own.status_code == 409
    assert code(own) == "own_account"


async def test_moderators_cannot_manage_staff(newsroom: Newsroom) -> None:
    moderator = await newsroom.signed_in(MODERATOR)
    admin_path = staff_path(newsroom, "admin")
    for response in (
        await moderator.patch(admin_path, json={"role": "moderator"}),
        await moderator.delete(admin_path),
        await moderator.send("PUT", f"{admin_path}/password", json={"password": NEW_PASSWORD}),
    ):
        assert response.status_code == 403
        assert code(response) == "admin_only"


async def test_bad_staff_changes_get_clear_errors(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    bad_role = await editor.patch(staff_path(newsroom), json={"role": "owner"})
    assert bad_role.status_code == 422
    weak = await editor.send("PUT", f"{staff_path(newsroom)}/password", json={"password": "short"})
    assert weak.status_code == 422
    assert code(weak) == "weak_password"
    own = await editor.send(
        "PUT", f"{staff_path(newsroom, 'admin')}/password", json={"password": NEW_PASSWORD}
    )
    assert own.status_code == 409
    assert code(own) == "own_account"
    missing = await editor.patch("/api/v1/admin/staff/999999", json={"role": "admin"})
    assert missing.status_code == 404


async def set_by_admin(newsroom: Newsroom, editor: StaffClient) -> None:
    response = await editor.send(
        "PUT", f"{staff_path(newsroom)}/password", json={"password": SET_BY_ADMIN}
    )
    assert response.status_code == 200, response.text
    assert response.json()["staff"]["must_change_password"] is True


async def test_a_password_set_by_an_admin_must_be_changed_before_anything_else(
    newsroom: Newsroom,
) -> None:
    editor = await newsroom.signed_in()
    before = await newsroom.signed_in(MODERATOR)
    await set_by_admin(newsroom, editor)
    assert (await before.get(f"/api/v1/admin/{SITE}/queue")).status_code == 401
    assert (await (await newsroom.browser()).login(MODERATOR)).status_code == 401

    moderator = await newsroom.browser()
    signed_in = await moderator.login(MODERATOR, SET_BY_ADMIN)
    assert signed_in.status_code == 200
    assert signed_in.json()["staff"]["must_change_password"] is True
    refused = await moderator.get(f"/api/v1/admin/{SITE}/queue")
    assert refused.status_code == 403
    assert code(refused) == "password_change_required"
    page = await moderator.get(f"/admin/{SITE}/queue")
    assert (page.status_code, page.headers["location"]) == (303, "/admin/password")
    assert "An admin set the password" in (await moderator.get("/admin/password")).text
    assert (await moderator.get("/api/v1/admin/session")).status_code == 200

    same = await moderator.post(
        "/api/v1/admin/password",
        json={"current_password": SET_BY_ADMIN, "new_password": SET_BY_ADMIN},
    )
    assert (same.status_code, code(same)) == (422, "same_password")
    changed = await moderator.post(
        "/api/v1/admin/password",
        json={"current_password": SET_BY_ADMIN, "new_password": NEW_PASSWORD},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["staff"]["must_change_password"] is False
    moderator.csrf = changed.json()["csrf_token"]
    assert (await moderator.get(f"/api/v1/admin/{SITE}/queue")).status_code == 200
    assert (await (await newsroom.browser()).login(MODERATOR, NEW_PASSWORD)).status_code == 200


async def test_staff_change_their_own_password_with_the_current_one(newsroom: Newsroom) -> None:
    here = await newsroom.signed_in(MODERATOR)
    elsewhere = await newsroom.signed_in(MODERATOR)
    wrong = await here.post(
        "/api/v1/admin/password",
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
    )
    assert (wrong.status_code, code(wrong)) == (422, "wrong_password")
    old_csrf = here.csrf
    changed = await here.post(
        "/api/v1/admin/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert changed.status_code == 200
    assert (await elsewhere.get(f"/api/v1/admin/{SITE}/queue")).status_code == 401
    assert (await here.get(f"/api/v1/admin/{SITE}/queue")).status_code == 200
    stale = await here.post("/api/v1/admin/logout", csrf=old_csrf)
    assert (stale.status_code, code(stale)) == (403, "bad_csrf")
    here.csrf = changed.json()["csrf_token"]
    assert (await here.post("/api/v1/admin/logout")).status_code == 204


async def test_every_staff_change_is_audited(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    await editor.patch(staff_path(newsroom), json={"role": "admin"})
    await set_by_admin(newsroom, editor)
    await editor.delete(staff_path(newsroom))
    await editor.post(
        "/api/v1/admin/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    entries = await staff_audit_entries(newsroom.context, limit=10)
    assert [(e["action"], e["target"], e["actor"]) for e in entries] == [
        ("staff.password_change", ADMIN, ADMIN),
        ("staff.remove", MODERATOR, ADMIN),
        ("staff.password_set", MODERATOR, ADMIN),
        ("staff.role", MODERATOR, ADMIN),
    ]
    assert entries[3]["details"] == {"from": "moderator", "to": "admin"}
    assert entries[1]["details"] == {"role": "admin"}


async def test_admins_manage_staff_from_the_staff_page(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    mod_id = newsroom.moderator.id
    promoted = await editor.post(f"/admin/staff/{mod_id}/role", data={"role": "admin"})
    assert promoted.headers["location"] == "/admin/staff?notice=role_changed"
    set_page = await editor.post(f"/admin/staff/{mod_id}/password", data={"password": "short"})
    assert set_page.status_code == 422
    assert "a password has 10 to 1024 characters" in set_page.text
    unconfirmed = await editor.post(f"/admin/staff/{mod_id}/remove", data={})
    assert unconfirmed.headers["location"] == "/admin/staff?notice=confirm_removal"
    removed = await editor.post(f"/admin/staff/{mod_id}/remove", data={"confirm": "true"})
    assert removed.headers["location"] == "/admin/staff?notice=staff_removed"
    page = await editor.get("/admin/staff", notice="staff_removed")
    assert "Staff account removed" in page.text
    assert "staff.remove" in page.text  # the log of changes on the page
    last = await editor.post(f"/admin/staff/{newsroom.admin.id}/role", data={"role": "moderator"})
    assert last.status_code == 409
    assert "at least one admin" in last.text


async def test_the_password_page_refuses_mismatches_and_wrong_current_passwords(
    newsroom: Newsroom,
) -> None:
    editor = await newsroom.signed_in()
    form = {"current_password": PASSWORD, "password": NEW_PASSWORD}
    differ = await editor.post("/admin/password", data={**form, "password_confirm": "other one!"})
    assert differ.status_code == 422
    assert "the two new passwords differ" in differ.text
    wrong = await editor.post(
        "/admin/password",
        data={**form, "current_password": "nope", "password_confirm": NEW_PASSWORD},
    )
    assert wrong.status_code == 422
    assert "the current password is wrong" in wrong.text
    done = await editor.post("/admin/password", data={**form, "password_confirm": NEW_PASSWORD})
    assert done.headers["location"] == f"/admin/{OTHER_SITE}/queue?notice=own_password_changed"
    assert (await editor.get(f"/admin/{SITE}/queue")).status_code == 200
