"""Sorting and cursor paging of top-level comments."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import SITE, Api
from tests.conftest import FrozenClock


async def _post_many(api: Api, clock: FrozenClock, count: int) -> list[int]:
    ids = []
    for n in range(count):
        clock.advance(seconds=1)
        ids.append((await api.posted(f"comment {n}"))["comment"]["id"])
    return ids


async def _all_pages(api: Api, **params: Any) -> list[list[int]]:
    pages, cursor = [], None
    for _ in range(50):
        page = await api.page(**params, **({"cursor": cursor} if cursor else {}))
        pages.append([c["id"] for c in page["comments"]])
        cursor = page["next_cursor"]
        if cursor is None:
            return pages
    raise AssertionError("paging did not end")


async def test_newest_and_oldest_orders(api: Api, frozen_clock: FrozenClock) -> None:
    ids = await _post_many(api, frozen_clock, 5)
    assert [c["id"] for c in (await api.page(sort="newest"))["comments"]] == ids[::-1]
    assert [c["id"] for c in (await api.page(sort="oldest"))["comments"]] == ids


async def test_paging_visits_every_comment_once(api: Api, frozen_clock: FrozenClock) -> None:
    ids = await _post_many(api, frozen_clock, 12)
    for sort, expected in (("newest", ids[::-1]), ("oldest", ids)):
        pages = await _all_pages(api, sort=sort, limit=5)
        assert [len(p) for p in pages] == [5, 5, 2]
        assert [i for page in pages for i in page] == expected


async def test_same_second_comments_page_deterministically(
    api: Api, frozen_clock: FrozenClock
) -> None:
    ids = [(await api.posted(f"tie {n}"))["comment"]["id"] for n in range(7)]
    pages = await _all_pages(api, sort="oldest", limit=3)
    assert [i for page in pages for i in page] == ids


async def test_most_voted_ranks_by_score_then_newest(api: Api, frozen_clock: FrozenClock) -> None:
    quiet, loved, disliked, also_quiet = await _post_many(api, frozen_clock, 4)
    tokens = [await api.reader_token() for _ in range(3)]
    for token in tokens:
        assert (await api.vote(loved, 1, token)).status_code == 200
    assert (await api.vote(disliked, -1, tokens[0])).status_code == 200
    order = [c["id"] for c in (await api.page(sort="most_voted"))["comments"]]
    assert order == [loved, also_quiet, quiet, disliked]
    pages = await _all_pages(api, sort="most_voted", limit=1)
    assert [i for page in pages for i in page] == order


async def test_replies_come_with_their_root_not_as_page_entries(
    api: Api, frozen_clock: FrozenClock
) -> None:
    root = (await api.posted("root"))["comment"]["id"]
    for n in range(3):
        await api.posted(f"reply {n}", parent_id=root)
    page = await api.page(limit=1)
    assert [c["id"] for c in page["comments"]] == [root]
    assert len(page["comments"][0]["replies"]) == 3
    assert page["next_cursor"] is None


async def test_cursor_of_another_sort_is_refused(api: Api, frozen_clock: FrozenClock) -> None:
    await _post_many(api, frozen_clock, 3)
    cursor = (await api.page(sort="newest", limit=1))["next_cursor"]
    response = await api.client.get(
        f"/api/v1/{SITE}/comments", params={"uri": "/x", "sort": "oldest", "cursor": cursor}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_cursor"
