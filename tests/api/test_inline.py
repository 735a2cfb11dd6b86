"""Inline feedback over HTTP: anchors checked, a page's passages, the inline filter, and
passages located in an edited article."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from talkback.comments.routes import PAGE_CACHE_CONTROL
from tests.api.conftest import ARTICLE, ORIGIN, SITE, Api

INLINE = f"/api/v1/{SITE}/inline"
LOCATE = f"/api/v1/{SITE}/inline/locate"
PAGE = f"/api/v1/{SITE}/comments"
TEXT = (
    "River barrier on hold. Councillors voted seven to five for a second review of the "
    "barrier. Residents on the east bank said the delay would cost them another winter. "
    "The mayor called the vote a mistake."
)


def anchor(exact: str, text: str = TEXT, **extra: Any) -> dict[str, Any]:
    """As the widget makes it: the selection, 32 characters of context, offsets, hash."""
    start = text.index(exact)
    end = start + len(exact)
    return {
        "exact": exact, "prefix": text[max(0, start - 32) : start], "suffix": text[end : end + 32],
        "start": start, "end": end,
        "text_hash": hashlib.sha256(text.encode()).hexdigest(), **extra,
    }  # fmt: skip


async def feedback(api: Api, exact: str, text: str | None = None, **extra: Any) -> int:
    posted = await api.posted(text, anchor=anchor(exact, **extra))
    comment_id: int = posted["comment"]["id"]
    return comment_id


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ({"exact": "seven to five", "start": 40}, "give both or neither"),
        ({"exact": "seven to five", "start": 40, "end": 41}, "length of exact"),
        ({"exact": "   "}, "must not be empty"),
        ({"exact": "five", "text_hash": "not-a-hash"}, "text_hash"),
        ({"exact": "five", "question": "?" * 301}, "question"),
        ({"exact": "five", "start": -1, "end": 3}, "start"),
        ({"exact": "five", "colour": "red"}, "colour"),
    ],
)
async def test_a_bad_anchor_is_refused_with_its_reason(
    api: Api, bad: dict[str, Any], says: str
) -> None:
    response = await api.post("On a passage", anchor=bad)
    assert response.status_code == 422
    error = response.json()["error"]
    assert says in error["message"]
    assert all(field["field"].startswith("anchor") for field in error["fields"])


@pytest.mark.parametrize("absent", [None, "   "])
async def test_a_passage_without_a_question_may_say_so_with_null_or_blank(
    api: Api, absent: str | None
) -> None:
    """Found by the contract test: `"question": null` was a 500, not the same as leaving it
    out."""
    response = await api.post("On a passage", anchor=anchor("seven to five", question=absent))
    if absent is None:
        assert response.status_code == 201, response.text
        assert "question" not in response.json()["comment"]["anchor"]
    else:
        assert response.status_code == 422
        assert "must not be empty" in response.json()["error"]["message"]


async def test_a_reply_carries_no_passage(api: Api) -> None:
    parent = await feedback(api, "seven to five")
    response = await api.post("Replying", parent_id=parent, anchor=anchor("The mayor"))
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "anchor"


async def test_an_emoji_quote_is_two_units_long(api: Api) -> None:
    """Offsets count as the browser counts them: the server must not refuse them."""
    response = await api.post(
        "Wave", anchor={"exact": "wave \N{WATER WAVE}", "start": 3, "end": 10}
    )
    assert response.status_code == 201, response.text
    assert response.json()["comment"]["anchor"]["end"] == 10


async def test_a_page_lists_its_passages_with_their_counts(api: Api) -> None:
    vote = await feedback(api, "voted seven to five")
    again = await feedback(api, "voted seven to five")
    mayor = await feedback(api, "The mayor called the vote a mistake")
    question = await feedback(
        api, "the delay would cost them", question="Would the delay cost you?"
    )
    await api.posted("A reply does not count", parent_id=vote)
    await api.posted("A plain comment is no passage")
    withdrawn = await api.post("Withdrawn", anchor=anchor("another winter"))
    token = withdrawn.json()["edit_token"]
    gone = await api.client.delete(
        f"{PAGE}/{withdrawn.json()['comment']['id']}", headers={"X-Edit-Token": token}
    )
    assert gone.status_code == 204

    response = await api.client.get(INLINE, params={"uri": ARTICLE})
    assert response.status_code == 200
    body = response.json()
    assert body["thread"] == {"uri": ARTICLE, "title": None, "count": 6}
    passages = body["passages"]
    assert [p["id"] for p in passages] == [vote, question, mayor]  # by where they start
    assert [p["count"] for p in passages] == [2, 1, 1]
    assert passages[0]["comment_ids"] == [vote, again]
    assert passages[0]["anchor"] == anchor("voted seven to five")
    assert passages[1]["anchor"]["question"] == "Would the delay cost you?"


async def test_the_passages_are_cached_like_a_thread_page(api: Api) -> None:
    await feedback(api, "voted seven to five")
    first = await api.client.get(INLINE, params={"uri": ARTICLE})
    assert first.headers["cache-control"] == PAGE_CACHE_CONTROL
    etag = first.headers["etag"]
    unchanged = await api.client.get(
        INLINE, params={"uri": ARTICLE}, headers={"If-None-Match": etag}
    )
    assert unchanged.status_code == 304
    await feedback(api, "a mistake")
    changed = await api.client.get(INLINE, params={"uri": ARTICLE}, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert len(changed.json()["passages"]) == 2


async def test_a_page_without_feedback_has_no_passages(api: Api) -> None:
    response = await api.client.get(INLINE, params={"uri": "/2026/11/quiet"})
    assert response.json() == {
        "thread": {"uri": "/2026/11/quiet", "title": None, "count": 0}, "passages": []
    }  # fmt: skip


async def test_the_inline_filter_pages_only_feedback_with_its_replies(api: Api) -> None:
    vote = await feedback(api, "voted seven to five", "On the vote")
    await api.posted("Plain comment")
    await api.posted("Reply to the feedback", parent_id=vote)
    mayor = await feedback(api, "The mayor called the vote a mistake", "On the mayor")
    page = await api.page(filter="inline", limit=1)
    assert [c["id"] for c in page["comments"]] == [mayor]
    assert page["comments"][0]["anchor"]["exact"] == "The mayor called the vote a mistake"
    rest = await api.page(filter="inline", limit=1, cursor=page["next_cursor"])
    assert [c["id"] for c in rest["comments"]] == [vote]
    replies = rest["comments"][0]["replies"]
    assert [reply["html"] for reply in replies] == ["<p>Reply to the feedback</p>"]
    assert rest["next_cursor"] is None
    assert len((await api.page())["comments"]) == 3  # without the filter: everything


@pytest.mark.parametrize("origin", [None, ORIGIN])
async def test_the_cached_inline_filter_is_the_routes_answer(api: Api, origin: str | None) -> None:
    await feedback(api, "voted seven to five")
    headers = {"Origin": origin} if origin else {}
    params = {"uri": ARTICLE, "filter": "inline"}
    await api.client.get(PAGE, params=params, headers=headers)  # fills the cache
    route = await api.client.get(PAGE, params={**params, "via": "route"}, headers=headers)
    cached = await api.client.get(PAGE, params=params, headers=headers)
    assert (cached.status_code, cached.content) == (route.status_code, route.content)
    assert dict(cached.headers) == dict(route.headers)


async def test_an_unknown_filter_is_refused(api: Api) -> None:
    response = await api.client.get(PAGE, params={"uri": ARTICLE, "filter": "best"})
    assert response.status_code == 422


async def locate(api: Api, text: str) -> dict[str, Any]:
    response = await api.client.post(LOCATE, params={"uri": ARTICLE}, json={"text": text})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_passages_are_located_in_an_edited_article(api: Api) -> None:
    moved = await feedback(api, "Residents on the east bank said")
    edited_inside = await feedback(api, "voted seven to five for a second review")
    deleted = await feedback(api, "The mayor called the vote a mistake")
    edited = (
        "Update: the review is under way. River barrier on hold. Councillors voted narrowly, "
        "seven to five, for a second review of the barrier. Residents on the east bank said "
        "the delay would cost them another winter."
    )
    answer = await locate(api, edited)
    assert answer["text_hash"] == hashlib.sha256(edited.encode()).hexdigest()
    where = {p["id"]: p for p in answer["placements"]}
    assert (where[moved]["how"], edited[where[moved]["start"] : where[moved]["end"]]) == (
        "quote", "Residents on the east bank said"
    )  # fmt: skip
    fuzzy = where[edited_inside]
    assert fuzzy["how"] == "fuzzy"
    assert edited[fuzzy["start"] : fuzzy["end"]] == (
        "voted narrowly, seven to five, for a second review"
    )
    assert where[deleted] == {"id": deleted, "start": None, "end": None, "how": "changed"}
    assert await locate(api, edited) == answer  # remembered, the same


async def test_an_unchanged_article_places_passages_at_their_offsets(api: Api) -> None:
    passage = await feedback(api, "the delay would cost them")
    start = TEXT.index("the delay would cost them")
    placements = (await locate(api, TEXT))["placements"]
    assert placements == [{"id": passage, "start": start, "end": start + 25, "how": "position"}]


async def test_a_long_article_fits_and_a_longer_one_is_refused(api: Api) -> None:
    await feedback(api, "voted seven to five")
    long_read = ("Background paragraph. " * 4_000) + TEXT  # ~88 KB: over the usual 64 KiB
    placements = (await locate(api, long_read))["placements"]
    assert placements[0]["how"] == "quote"
    too_long = await api.client.post(LOCATE, params={"uri": ARTICLE}, json={"text": "x" * 400_001})
    assert too_long.status_code == 422
    too_big = await api.client.post(
        LOCATE, params={"uri": ARTICLE}, json={"text": "\\u0000" * 400_000}
    )
    assert too_big.status_code == 413
    other_route = await api.client.post(PAGE, params={"uri": ARTICLE}, json={"text": "x" * 70_000})
    assert other_route.status_code == 413


async def test_locating_is_rate_limited(limited_api: Api) -> None:
    answers = [
        (await limited_api.client.post(LOCATE, params={"uri": ARTICLE}, json={"text": TEXT}))
        for _ in range(31)
    ]
    assert [a.status_code for a in answers[:30]] == [200] * 30
    assert answers[30].status_code == 429
    assert answers[30].headers["retry-after"]
