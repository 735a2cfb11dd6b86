"""The server-rendered admin pages, used as a browser without JavaScript would use them."""

from __future__ import annotations

import re

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback.store.tables import comments
from tests.admin.conftest import (
    ADMIN,
    HOST,
    MODERATOR,
    OTHER_SITE,
    PASSWORD,
    SITE,
    Newsroom,
    StaffClient,
)


async def follow(staff: StaffClient, response_location: str) -> str:
    page = await staff.get(response_location)
    assert page.status_code == 200, page.text
    return page.text


async def test_signing_in_with_the_form_leads_to_the_first_sites_queue(
    newsroom: Newsroom,
) -> None:
    browser = await newsroom.browser()
    form = await browser.get("/admin/login")
    assert form.status_code == 200
    assert 'name="password"' in form.text
    signed_in = await browser.client.post(
        "/admin/login", data={"email": ADMIN, "password": PASSWORD, "next": "/admin/"},
        headers={"Origin": HOST},
    )  # fmt: skip
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/admin/"
    home = await browser.get("/admin/")
    assert home.status_code == 303
    assert home.headers["location"] == f"/admin/{OTHER_SITE}/queue"
    again = await browser.get("/admin/login", next=f"/admin/{SITE}/stats")
    assert again.headers["location"] == f"/admin/{SITE}/stats"


async def test_a_failed_sign_in_shows_one_message_and_keeps_the_email(
    newsroom: Newsroom,
) -> None:
    browser = await newsroom.browser()
    pages = [
        await browser.client.post(
            "/admin/login",
            data={"email": email, "password": "wrong password"},
            headers={"Origin": HOST},
        )
        for email in (ADMIN, "nobody@news.example")
    ]
    for page in pages:
        assert page.status_code == 401
        assert "wrong email or password" in page.text
        assert "set-cookie" not in page.headers
    assert f'value="{ADMIN}"' in pages[0].text


async def test_the_queue_page_escapes_everything_but_the_sanitised_body(
    newsroom: Newsroom,
) -> None:
    comment = await newsroom.held(
        "**Bold** claim <script>alert(1)</script>", author="<img src=x onerror=alert(2)>",
        email="ada@readers.example",
    )  # fmt: skip
    editor = await newsroom.signed_in()
    page = await editor.get(f"/admin/{SITE}/queue")
    assert page.status_code == 200
    assert f'data-comment-id="{comment}"' in page.text
    assert "<strong>Bold</strong>" in page.text
    assert "<script>alert(1)" not in page.text
    assert "<img src=x" not in page.text
    assert "&lt;img src=x onerror=alert(2)&gt;" in page.text
    assert "ada@readers.example" in page.text
    assert 'aria-keyshortcuts="a"' in page.text
    assert "Keyboard shortcuts" in page.text
    assert "River barrier" in page.text


async def test_acting_from_the_page_redirects_back_with_a_notice(newsroom: Newsroom) -> None:
    comment = await newsroom.held("Publish me from the page")
    moderator = await newsroom.signed_in(MODERATOR)
    back = f"/admin/{SITE}/queue?kind=pending&order=toxic"
    response = await moderator.post(
        f"/admin/{SITE}/comments/{comment}/approve", data={"next": back}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"{back}&notice=approve"
    page = await follow(moderator, response.headers["location"])
    assert "Approved." in page
    assert f'data-comment-id="{comment}"' not in page


async def test_bulk_actions_from_the_page(newsroom: Newsroom) -> None:
    ids = [await newsroom.held(f"Bulk {n}") for n in range(3)]
    editor = await newsroom.signed_in()
    nothing = await editor.post(f"/admin/{SITE}/comments/bulk", data={"action": "reject"})
    assert nothing.headers["location"].endswith("notice=nothing_selected")
    done = await editor.post(
        f"/admin/{SITE}/comments/bulk", data={"action": "reject", "ids": ids[:2]}
    )
    assert done.status_code == 303
    page = await follow(editor, f"/admin/{SITE}/queue")
    assert [int(i) for i in re.findall(r'data-comment-id="(\d+)"', page)] == [ids[2]]


async def test_editing_from_the_page(newsroom: Newsroom) -> None:
    comment = await newsroom.published("Speling mistake")
    editor = await newsroom.signed_in()
    form = await editor.get(f"/admin/{SITE}/comments/{comment}/edit", next=f"/admin/{SITE}/search")
    assert ">Speling mistake</textarea>" in form.text
    saved = await editor.post(
        f"/admin/{SITE}/comments/{comment}/edit",
        data={"text": "Spelling mistake", "next": f"/admin/{SITE}/search"},
    )
    assert saved.headers["location"] == f"/admin/{SITE}/search?notice=edited"
    found = await editor.get(f"/admin/{SITE}/search", q="spelling")
    assert "<p>Spelling mistake</p>" in found.text
    missing = await editor.get(f"/admin/{SITE}/comments/999/edit")
    assert missing.status_code == 404
    assert "no such comment" in missing.text


async def test_the_site_switcher_lists_every_site(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    page = await editor.get(f"/admin/{SITE}/queue")
    assert 'id="site-switch"' in page.text
    assert f'<option value="{SITE}" selected>' in page.text
    switched = await editor.get("/admin/switch", site=OTHER_SITE)
    assert switched.headers["location"] == f"/admin/{OTHER_SITE}/queue"
    sneaky = await editor.get("/admin/switch", site="../../evil")
    assert sneaky.headers["location"] == "/admin/"


async def test_moderators_see_settings_read_only(newsroom: Newsroom) -> None:
    moderator = await newsroom.signed_in(MODERATOR)
    page = await moderator.get(f"/admin/{SITE}/settings")
    assert "<fieldset disabled>" in page.text
    assert "Only an admin can change these settings." in page.text
    assert "Save settings" not in page.text
    assert "/admin/staff" not in page.text


SETTINGS_FORM = {
    "name": "The Example Daily", "origins": "https://news.example\nhttps://www.news.example",
    "locale": "en_GB", "edit_window_seconds": "300", "guest_identity": "name", "mode": "post",
    "hold_threshold": "0.7", "reject_threshold": "0.95", "banned_words": "rotter\n\nknave",
    "banned_patterns": r"buy\s+now", "max_links": "2", "report_threshold": "4",
    "min_form_seconds": "2.5",
}  # fmt: skip


async def test_admins_save_settings_with_the_form(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    saved = await editor.post(f"/admin/{SITE}/settings", data=SETTINGS_FORM)
    assert saved.status_code == 303, saved.text
    settings = (await editor.get(f"/api/v1/admin/{SITE}/settings")).json()["settings"]
    assert settings["origins"] == ["https://news.example", "https://www.news.example"]
    assert settings["guest_identity"] == "name"
    assert settings["moderation"]["banned_words"] == ["rotter", "knave"]
    assert settings["moderation"]["banned_patterns"] == [r"buy\s+now"]
    assert settings["moderation"]["min_form_seconds"] == 2.5
    page = await follow(editor, saved.headers["location"])
    assert "Settings saved." in page


async def test_a_refused_setting_shows_the_form_again_with_the_reason(
    newsroom: Newsroom,
) -> None:
    editor = await newsroom.signed_in()
    refused = await editor.post(
        f"/admin/{SITE}/settings", data={**SETTINGS_FORM, "hold_threshold": "lots"}
    )
    assert refused.status_code == 422
    assert "hold threshold: &#39;lots&#39; is not a number" in refused.text
    assert 'value="The Example Daily"' in refused.text
    unchanged = (await editor.get(f"/api/v1/admin/{SITE}/settings")).json()["settings"]
    assert unchanged["name"] == "The Example News"


async def test_the_toxicity_badge_turns_red_at_the_sites_own_hold_threshold(
    newsroom: Newsroom,
) -> None:
    editor = await newsroom.signed_in()
    held_at_70 = {**SETTINGS_FORM, "mode": "pre"}
    saved = await editor.post(f"/admin/{SITE}/settings", data=held_at_70)
    assert saved.status_code == 303, saved.text
    scored = {await newsroom.held(f"Scored {score}"): score for score in (0.72, 0.68, 0.2)}

    async def score(conn: AsyncConnection) -> None:
        for comment_id, toxicity in scored.items():
            await conn.execute(
                update(comments).where(comments.c.id == comment_id).values(toxicity=toxicity)
            )

    await newsroom.context.database.write(score)
    page = (await editor.get(f"/admin/{SITE}/queue")).text
    badges = {
        int(found["id"]): found["level"]
        for found in re.finditer(
            r'data-comment-id="(?P<id>\d+)".*?class="badge tox tox-(?P<level>\w+)"', page, re.S
        )
    }
    assert badges == dict(zip(scored, ["high", "mid", "low"], strict=True))
    assert "this site holds comments from 70%" in page


async def test_banning_and_lifting_from_the_page(newsroom: Newsroom) -> None:
    moderator = await newsroom.signed_in(MODERATOR)
    prefilled = await moderator.get(f"/admin/{SITE}/bans", kind="ip", value="ab" * 16)
    assert f'value="{"ab" * 16}"' in prefilled.text
    assert '<option value="ip" selected>' in prefilled.text
    added = await moderator.post(
        f"/admin/{SITE}/bans",
        data={"kind": "email", "value": "troll@readers.example", "duration": "30",
              "shadow": "true", "reason": "Spam <again>"},
    )  # fmt: skip
    assert added.status_code == 303
    page = await follow(moderator, added.headers["location"])
    assert "troll@readers.example" in page
    assert "Spam &lt;again&gt;" in page
    ban_id = re.search(r"/bans/(\d+)/lift", page)
    assert ban_id is not None
    lifted = await moderator.post(f"/admin/{SITE}/bans/{ban_id.group(1)}/lift", data={})
    assert "notice=lifted" in lifted.headers["location"]
    bad = await moderator.post(
        f"/admin/{SITE}/bans", data={"kind": "email", "value": "no-at", "duration": ""}
    )
    assert bad.status_code == 422
    assert "an email ban needs an email address" in bad.text


async def test_the_audit_and_stats_pages(newsroom: Newsroom) -> None:
    comment = await newsroom.held("Counted")
    editor = await newsroom.signed_in()
    await editor.post(f"/admin/{SITE}/comments/{comment}/spam", data={})
    audit = await editor.get(f"/admin/{SITE}/audit")
    assert "comment.spam" in audit.text
    assert ADMIN in audit.text
    stats = await editor.get(f"/admin/{SITE}/stats")
    assert stats.status_code == 200
    assert "<svg" in stats.text
    assert 'class="bar rejected"' in stats.text
    assert "1 posted, 0 held, 1 rejected" in stats.text


async def test_admins_manage_staff_from_the_page(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    added = await editor.post(
        "/admin/staff",
        data={"email": "night@news.example", "password": PASSWORD, "role": "moderator"},
    )
    assert added.status_code == 303
    page = await follow(editor, "/admin/staff")
    assert "night@news.example" in page
    duplicate = await editor.post(
        "/admin/staff", data={"email": ADMIN, "password": PASSWORD, "role": "admin"}
    )
    assert duplicate.status_code == 422
    assert "already exists" in duplicate.text


async def test_signing_out_with_the_form(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    out = await editor.post("/admin/logout", data={})
    assert out.headers["location"] == "/admin/login?notice=signed_out"
    assert "You are signed out." in (await editor.get(out.headers["location"])).text
    assert (await editor.get(f"/admin/{SITE}/queue")).status_code == 303


async def test_the_admin_assets_are_served(newsroom: Newsroom) -> None:
    browser = await newsroom.browser()
    for path, kind in (("/static/admin/admin.css", "text/css"),
                       ("/static/admin/admin.js", "javascript")):  # fmt: skip
        response = await browser.get(path)
        assert response.status_code == 200
        assert kind in response.headers["content-type"]
