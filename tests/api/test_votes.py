"""One vote per reader per comment; counts follow every change."""

from __future__ import annotations

import asyncio

from tests.api.conftest import Api


async def test_vote_change_and_retract(api: Api) -> None:
    comment = (await api.posted("vote on me"))["comment"]["id"]
    token = await api.reader_token()
    up = await api.vote(comment, 1, token)
    assert up.json() == {"upvotes": 1, "downvotes": 0, "score": 1, "my_vote": 1}
    again = await api.vote(comment, 1, token)
    assert again.json() == {"upvotes": 1, "downvotes": 0, "score": 1, "my_vote": 1}
    down = await api.vote(comment, -1, token)
    assert down.json() == {"upvotes": 0, "downvotes": 1, "score": -1, "my_vote": -1}
    retract = await api.vote(comment, 0, token)
    assert retract.json() == {"upvotes": 0, "downvotes": 0, "score": 0, "my_vote": 0}
    [shown] = (await api.page())["comments"]
    assert (shown["upvotes"], shown["downvotes"], shown["score"]) == (0, 0, 0)


async def test_guests_without_token_vote_once_per_ip(api: Api) -> None:
    comment = (await api.posted("vote on me"))["comment"]["id"]
    await api.vote(comment, 1)
    second = await api.vote(comment, 1)
    assert second.json()["upvotes"] == 1


async def test_distinct_readers_each_count(api: Api) -> None:
    comment = (await api.posted("popular"))["comment"]["id"]
    tokens = [await api.reader_token() for _ in range(5)]
    results = await asyncio.gather(*(api.vote(comment, 1, token) for token in tokens))
    assert all(r.status_code == 200 for r in results)
    [shown] = (await api.page())["comments"]
    assert shown["upvotes"] == 5


async def test_own_comment_cannot_be_voted(api: Api) -> None:
    token = await api.reader_token()
    comment = (await api.posted("me", headers={"X-Talkback-Reader": token}))["comment"]["id"]
    response = await api.vote(comment, 1, token)
    assert response.status_code == 403


async def test_vote_on_missing_comment_is_not_found(api: Api) -> None:
    response = await api.vote(424242, 1)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "comment_not_found"


async def test_vote_value_must_be_one_of_three(api: Api) -> None:
    comment = (await api.posted("x"))["comment"]["id"]
    response = await api.vote(comment, 2)
    assert response.status_code == 422


async def test_concurrent_replies_votes_and_deletes_on_one_thread(api: Api) -> None:
    root = (await api.posted("root"))["comment"]["id"]
    doomed = [await api.posted(f"doomed {n}", parent_id=root) for n in range(5)]
    tokens = [await api.reader_token() for _ in range(10)]
    operations = [api.post(f"reply {n}", parent_id=root) for n in range(10)]
    operations += [api.vote(root, 1, token) for token in tokens]
    operations += [
        api.client.delete(
            f"/api/v1/news/comments/{d['comment']['id']}", headers={"X-Edit-Token": d["edit_token"]}
        )
        for d in doomed
    ]
    results = await asyncio.gather(*operations)
    assert [r.status_code for r in results] == [201] * 10 + [200] * 10 + [204] * 5
    page = await api.page()
    [tree] = page["comments"]
    assert tree["upvotes"] == 10
    assert tree["reply_count"] == 10
    assert page["thread"]["count"] == 11
