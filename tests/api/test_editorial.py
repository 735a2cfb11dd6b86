"""The editors' tools as readers meet them: pinned comments first in every sort, the
Featured filter, and closed threads (by a moderator or by the site's clock) that refuse
comments, replies and votes with the moderator's message."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from talkback.errors import Invalid
from talkback.sites.sites import set_site_option
from talkback.staff import accounts as staff_service
from tests.api.conftest import ARTICLE, SITE, Api
from tests.conftest import FrozenClock

HOST = "http://talkback.test"
DESK = "desk@news.example"
PASSWORD = "a long enough password"


class Desk:
    """A moderator's session on the admin API, beside the reader's client."""

    def __init__(self, api: Api, csrf: str) -> None:
        self.api = api
        self.headers = {"Origin": HOST, "X-CSRF-Token": csrf}

    async def act(self, comment_id: int, action: str) -> httpx.Response:
        return await self.api.client.post(
            f"/api/v1/admin/{SITE}/comments/{comment_id}/{action}", headers=self.headers
        )

    async def done(self, comment_id: int, action: str) -> dict[str, Any]:
        response = await self.act(comment_id, action)
        assert response.status_code == 200, response.text
        comment: dict[str, Any] = response.json()["comment"]
        return comment

    async def close(self, override: str | None = "closed", **body: Any) -> httpx.Response:
        return await self.api.client.put(
            f"/api/v1/admin/{SITE}/thread", params={"uri": ARTICLE},
            json={"override": override, **body}, headers=self.headers,
        )  # fmt: skip


@pytest.fixture
async def desk(api: Api, monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setattr(
        staff_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
    await staff_service.create_staff(api.context.database, DESK, PASSWORD, "moderator")
    response = await api.client.post(
        "/api/v1/admin/login", json={"email": DESK, "password": PASSWORD}, headers={"Origin": HOST}
    )
    assert response.status_code == 200, response.text
    return Desk(api, response.json()["csrf_token"])


async def ids(api: Api, **params: Any) -> list[int]:
    return [comment["id"] for comment in (await api.page(**params))["comments"]]


async def test_pinned_comments_come_first_in_every_sort_on_the_first_page_only(
    api: Api, desk: Desk
) -> None:
    c1, c2, c3, c4, c5 = [(await api.posted())["comment"]["id"] for _ in range(5)]
    await api.vote(c3, 1)
    assert (await desk.done(c4, "pin"))["pinned"] is True
    await desk.done(c2, "pin")

    assert await ids(api) == [c4, c2, c5, c3, c1]
    assert await ids(api, sort="oldest") == [c4, c2, c1, c3, c5]
    assert await ids(api, sort="most_voted") == [c4, c2, c3, c5, c1]
    first = await api.page(limit=2)
    assert [c["id"] for c in first["comments"]] == [c4, c2, c5, c3]
    rest = await api.page(limit=2, cursor=first["next_cursor"])
    assert [c["id"] for c in rest["comments"]] == [c1]
    assert rest["next_cursor"] is None
    shown = {c["id"]: c for c in (await api.page())["comments"]}
    assert shown[c4]["pinned"] is True
    assert "pinned" not in shown[c5]

    await desk.done(c4, "unpin")
    assert await ids(api) == [c2, c5, c4, c3, c1]


async def test_the_featured_filter_lists_featured_comments_with_their_replies(
    api: Api, desk: Desk
) -> None:
    plain = (await api.posted("Plain"))["comment"]["id"]
    chosen = (await api.posted("Worth reading"))["comment"]["id"]
    reply = (await api.posted("Agreed", parent_id=chosen))["comment"]["id"]
    assert await ids(api, filter="featured") == []

    assert (await desk.done(chosen, "feature"))["featured"] is True
    page = await api.page(filter="featured")
    assert [c["id"] for c in page["comments"]] == [chosen]
    assert [r["id"] for r in page["comments"][0]["replies"]] == [reply]
    # The same bytes from the cached reads as from the route that filled them.
    asked = {"uri": ARTICLE, "filter": "featured"}
    filled = await api.client.get(f"/api/v1/{SITE}/comments", params=asked)
    cached = await api.client.get(f"/api/v1/{SITE}/comments", params=asked)
    assert cached.content == filled.content
    assert cached.headers["etag"] == filled.headers["etag"]
    assert await ids(api) == [chosen, plain]

    await desk.done(chosen, "unfeature")
    assert await ids(api, filter="featured") == []
    refused = await api.client.get(
        f"/api/v1/{SITE}/comments", params={"uri": ARTICLE, "filter": "staff-picks"}
    )
    assert refused.status_code == 422


async def test_only_published_top_level_comments_are_pinned_or_featured(
    api: Api, desk: Desk
) -> None:
    root = (await api.posted("Root"))["comment"]["id"]
    reply = (await api.posted("Reply", parent_id=root))["comment"]["id"]
    refused = await desk.act(reply, "pin")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "not_top_level"
    await desk.done(root, "reject")
    refused = await desk.act(root, "feature")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "not_published"
    assert (await desk.act(99_999, "pin")).status_code == 404


async def test_a_thread_holds_at_most_five_pins(api: Api, desk: Desk) -> None:
    comments = [(await api.posted())["comment"]["id"] for _ in range(6)]
    for comment_id in comments[:5]:
        await desk.done(comment_id, "pin")
    refused = await desk.act(comments[5], "pin")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "too_many_pins"


async def test_a_closed_thread_refuses_comments_replies_and_votes_with_its_message(
    api: Api, desk: Desk
) -> None:
    root = (await api.posted("Before the verdict"))["comment"]["id"]
    page = await api.page()
    assert (page["thread"]["closed"], page["thread"]["close_message"]) == (False, None)

    message = "Comments are closed now that the verdict is in."
    closed = await desk.close(message=message)
    assert closed.status_code == 200, closed.text
    assert closed.json()["thread"]["closed"] is True
    page = await api.page()
    assert (page["thread"]["closed"], page["thread"]["close_message"]) == (True, message)
    for refused in (
        await api.post("After the verdict"),
        await api.post("A reply", parent_id=root),
        await api.vote(root, 1),
    ):
        assert refused.status_code == 409
        assert refused.json()["error"] == {"code": "thread_closed", "message": message}
    assert [c["id"] for c in page["comments"]] == [root]

    reopened = await desk.close("open")
    assert reopened.json()["thread"] == {**reopened.json()["thread"], "closed": False}
    assert (await api.page())["thread"]["close_message"] is None
    assert (await api.post("Open again")).status_code == 201
    assert (await api.vote(root, 1)).status_code == 200


async def test_a_page_closed_before_its_first_comment_takes_none(api: Api, desk: Desk) -> None:
    assert (await desk.close()).status_code == 200
    page = await api.page()
    assert page["thread"] == {
        "uri": ARTICLE, "title": None, "count": 0, "closed": True, "close_message": None,
    }  # fmt: skip
    refused = await api.post("First!")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "thread_closed"


async def test_the_site_closes_threads_days_after_their_first_comment(
    api: Api, desk: Desk, frozen_clock: FrozenClock
) -> None:
    await set_site_option(api.context.database, SITE, "auto_close_days", "3")
    api.context.sites.forget(SITE)
    first = (await api.posted("Day one"))["comment"]["id"]
    frozen_clock.advance(days=3, minutes=-1)
    assert (await api.post("Just in time")).status_code == 201
    assert (await api.page())["thread"]["closed"] is False

    frozen_clock.advance(minutes=2)
    assert (await api.page())["thread"]["closed"] is True
    late = await api.post("Too late")
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "thread_closed"
    assert (await api.vote(first, 1)).status_code == 409

    await desk.close("open")  # a moderator's word wins over the site's clock
    assert (await api.page())["thread"]["closed"] is False
    assert (await api.post("Reopened by the desk")).status_code == 201
    await desk.close(None)  # back to the site's clock: closed again
    assert (await api.post("Closed again")).status_code == 409

    await set_site_option(api.context.database, SITE, "auto_close_days", "0")
    api.context.sites.forget(SITE)
    assert (await api.page())["thread"]["closed"] is False
    assert (await api.post("Never closes now")).status_code == 201


async def test_closing_refuses_what_it_cannot_mean(api: Api, desk: Desk) -> None:
    for body in ({"override": "maybe"}, {"override": "closed", "message": "x" * 501}, {}):
        response = await api.client.put(
            f"/api/v1/admin/{SITE}/thread", params={"uri": ARTICLE}, json=body,
            headers=desk.headers,
        )  # fmt: skip
        assert response.status_code == 422, body
        assert response.json()["error"]["code"] == "invalid"
    with pytest.raises(Invalid, match="auto_close_days"):
        await set_site_option(api.context.database, SITE, "auto_close_days", "soon")
