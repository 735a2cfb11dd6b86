"""Reports hide a comment at the site's threshold; bans refuse or quietly isolate authors."""

from __future__ import annotations

from sqlalchemy import select

from talkback.moderation.actions import approve_comment
from talkback.moderation.bans import add_ban
from talkback.moderation.rules import update_moderation_settings
from talkback.readers.tokens import verify_reader_token
from talkback.staff.accounts import StaffMember
from talkback.store.tables import comments
from tests.api.conftest import ARTICLE, SITE, Api


async def _report(api: Api, comment_id: int, token: str) -> int:
    response = await api.client.post(
        f"/api/v1/{SITE}/comments/{comment_id}/report",
        json={"reason": "abuse"},
        headers={"X-Talkback-Reader": token},
    )
    return response.status_code


async def test_reports_hide_the_comment_at_the_threshold(api: Api, moderator: StaffMember) -> None:
    site = await api.context.sites.get(SITE)
    await update_moderation_settings(api.context, site, {"report_threshold": 2}, moderator)
    comment = (await api.posted("A contested claim"))["comment"]["id"]
    first, second = await api.reader_token(), await api.reader_token()
    assert await _report(api, comment, first) == 202
    assert await _report(api, comment, first) == 202  # the same reader counts once
    assert (await api.page())["thread"]["count"] == 1
    assert await _report(api, comment, second) == 202
    assert (await api.page())["thread"]["count"] == 0
    async with api.context.database.read() as conn:
        status, reports = (
            await conn.execute(
                select(comments.c.status, comments.c.report_count).where(comments.c.id == comment)
            )
        ).one()
    assert (status, reports) == ("pending", 2)
    site = await api.context.sites.get(SITE)
    await approve_comment(api.context, site, comment, moderator)
    assert (await api.page())["thread"]["count"] == 1


async def test_banned_email_is_refused(api: Api, moderator: StaffMember) -> None:
    site = await api.context.sites.get(SITE)
    await add_ban(api.context, site, kind="email", value="Troll@Example.org", shadow=False,
                  reason="abuse", expires_at=None, staff=moderator)  # fmt: skip
    response = await api.post("let me in", email="troll@example.org")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "banned"
    assert (await api.post("someone else", email="fine@example.org")).status_code == 201


async def test_banned_ip_typed_by_a_moderator_is_matched_by_its_hash(
    api: Api, moderator: StaffMember
) -> None:
    site = await api.context.sites.get(SITE)
    ban = await add_ban(api.context, site, kind="ip", value="203.0.113.7", shadow=False,
                        reason=None, expires_at=None, staff=moderator)  # fmt: skip
    assert "203.0.113.7" not in ban["value"]
    assert (await api.post("from the banned address")).status_code == 403


async def test_shadow_banned_reader_sees_their_comment_and_nobody_else_does(
    api: Api, moderator: StaffMember
) -> None:
    token = await api.reader_token()
    headers = {"X-Talkback-Reader": token}
    site = await api.context.sites.get(SITE)
    me = await api.client.get(f"/api/v1/{SITE}/me", params={"uri": ARTICLE}, headers=headers)
    assert me.status_code == 200
    reader_id = verify_reader_token(api.context.secret_key, token)
    await add_ban(api.context, site, kind="reader", value=reader_id, shadow=True, reason="troll",
                  expires_at=None, staff=moderator)  # fmt: skip
    response = await api.post("I think I am published", headers=headers)
    assert response.status_code == 201
    assert response.json()["comment"]["status"] == "approved"
    assert (await api.page())["comments"] == []
    own = await api.client.get(f"/api/v1/{SITE}/me", params={"uri": ARTICLE}, headers=headers)
    [shadowed] = own.json()["shadowed"]
    assert shadowed["html"] == "<p>I think I am published</p>"
    stranger = {"X-Talkback-Reader": await api.reader_token()}
    other = await api.client.get(f"/api/v1/{SITE}/me", params={"uri": ARTICLE}, headers=stranger)
    assert other.json()["shadowed"] == []
