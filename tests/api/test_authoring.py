"""Editing and deleting one's own comments, and the tree that deletion leaves."""

from __future__ import annotations

from tests.api.conftest import SITE, Api
from tests.conftest import FrozenClock


def _url(comment_id: int) -> str:
    return f"/api/v1/{SITE}/comments/{comment_id}"


async def test_author_edits_with_edit_token(api: Api, frozen_clock: FrozenClock) -> None:
    posted = await api.posted("frist")
    frozen_clock.advance(minutes=5)
    response = await api.client.patch(
        _url(posted["comment"]["id"]),
        json={"text": "*first*"},
        headers={"X-Edit-Token": posted["edit_token"]},
    )
    assert response.status_code == 200
    assert response.json()["html"] == "<p><em>first</em></p>"
    assert response.json()["edited_at"] == "2026-11-01T12:05:00.000Z"
    [shown] = (await api.page())["comments"]
    assert shown["html"] == "<p><em>first</em></p>"


async def test_author_edits_with_reader_token(api: Api, frozen_clock: FrozenClock) -> None:
    token = await api.reader_token()
    posted = await api.posted("typo", headers={"X-Talkback-Reader": token})
    response = await api.client.patch(
        _url(posted["comment"]["id"]), json={"text": "fixed"}, headers={"X-Talkback-Reader": token}
    )
    assert response.status_code == 200


async def test_someone_else_cannot_edit(api: Api, frozen_clock: FrozenClock) -> None:
    mine = await api.posted("mine")
    other = await api.posted("other")
    for headers in ({}, {"X-Edit-Token": other["edit_token"]}, {"X-Edit-Token": "forged"}):
        response = await api.client.patch(
            _url(mine["comment"]["id"]), json={"text": "hijack"}, headers=headers
        )
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "not_author"


async def test_edit_window_closes(api: Api, frozen_clock: FrozenClock) -> None:
    posted = await api.posted("quick")
    frozen_clock.advance(seconds=901)
    response = await api.client.patch(
        _url(posted["comment"]["id"]),
        json={"text": "too late"},
        headers={"X-Edit-Token": posted["edit_token"]},
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "edit_window_closed"


async def test_delete_leaf_removes_it(api: Api, frozen_clock: FrozenClock) -> None:
    posted = await api.posted("regret")
    response = await api.client.delete(
        _url(posted["comment"]["id"]), headers={"X-Edit-Token": posted["edit_token"]}
    )
    assert response.status_code == 204
    page = await api.page()
    assert page["comments"] == []
    assert page["thread"]["count"] == 0


async def test_reply_to_deleted_comment_keeps_thread_shape(
    api: Api, frozen_clock: FrozenClock
) -> None:
    root = await api.posted("root", author_name="Ana")
    reply = (await api.posted("reply", parent_id=root["comment"]["id"]))["comment"]
    await api.client.delete(
        _url(root["comment"]["id"]), headers={"X-Edit-Token": root["edit_token"]}
    )
    page = await api.page()
    [placeholder] = page["comments"]
    assert placeholder["status"] == "deleted"
    assert placeholder["html"] == ""
    assert placeholder["author"]["name"] is None
    assert [r["id"] for r in placeholder["replies"]] == [reply["id"]]
    assert page["thread"]["count"] == 1


async def test_placeholder_vanishes_with_its_last_reply(
    api: Api, frozen_clock: FrozenClock
) -> None:
    root = await api.posted("root")
    middle = await api.posted("middle", parent_id=root["comment"]["id"])
    leaf = await api.posted("leaf", parent_id=middle["comment"]["id"])
    for posted in (root, middle, leaf):
        response = await api.client.delete(
            _url(posted["comment"]["id"]), headers={"X-Edit-Token": posted["edit_token"]}
        )
        assert response.status_code == 204
    page = await api.page()
    assert page["comments"] == []
    assert page["thread"]["count"] == 0


async def test_deleted_comment_cannot_be_replied_to(api: Api, frozen_clock: FrozenClock) -> None:
    root = await api.posted("root")
    await api.posted("keeps it shown", parent_id=root["comment"]["id"])
    await api.client.delete(
        _url(root["comment"]["id"]), headers={"X-Edit-Token": root["edit_token"]}
    )
    response = await api.post("late reply", parent_id=root["comment"]["id"])
    assert response.status_code == 409


async def test_editing_a_deleted_comment_is_not_found(api: Api, frozen_clock: FrozenClock) -> None:
    posted = await api.posted("gone")
    headers = {"X-Edit-Token": posted["edit_token"]}
    await api.client.delete(_url(posted["comment"]["id"]), headers=headers)
    response = await api.client.patch(
        _url(posted["comment"]["id"]), json={"text": "back"}, headers=headers
    )
    assert response.status_code == 404


async def test_me_lists_votes_and_editable_comments(api: Api, frozen_clock: FrozenClock) -> None:
    token = await api.reader_token()
    headers = {"X-Talkback-Reader": token}
    mine = (await api.posted("mine", headers=headers))["comment"]["id"]
    theirs = (await api.posted("theirs"))["comment"]["id"]
    await api.vote(theirs, -1, token)
    response = await api.client.get(f"/api/v1/{SITE}/me", params={"uri": "/2026/11/river-barrier"},
                                    headers=headers)  # fmt: skip
    state = response.json()
    assert state["votes"] == {str(theirs): -1}
    assert state["editable"] == [{"id": mine, "until": "2026-11-01T12:15:00.000Z"}]
    assert "reader_token" not in state
    frozen_clock.advance(minutes=16)
    response = await api.client.get(f"/api/v1/{SITE}/me", params={"uri": "/2026/11/river-barrier"},
                                    headers=headers)  # fmt: skip
    assert response.json()["editable"] == []


async def test_forged_reader_token_is_refused(api: Api) -> None:
    response = await api.client.get(
        f"/api/v1/{SITE}/me", params={"uri": "/a"}, headers={"X-Talkback-Reader": "nope.nope"}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_reader_token"
