"""Answers are what `/openapi.json` declares, key for key and in order: keys a comment has
only sometimes stay absent when it has none, and the thread page, sent as cached bytes
without validation, is exactly what its declared type would make of it."""

from __future__ import annotations

from pydantic import TypeAdapter

from talkback.comments.pages import ThreadPage
from talkback.comments.schemas import PostAnswer
from talkback.readers.me import ReaderState
from tests.api.conftest import ARTICLE, SITE, Api

COMMENT_KEYS = [
    "id", "parent_id", "author", "html", "created_at", "edited_at", "status",
    "upvotes", "downvotes", "score", "reply_count", "replies",
]  # fmt: skip


async def test_a_comment_names_a_website_and_a_passage_only_when_it_has_them(api: Api) -> None:
    plain = (await api.posted("No extras", author_name="Ana"))["comment"]
    assert list(plain) == COMMENT_KEYS
    assert list(plain["author"]) == ["name", "avatar"]
    full = await api.posted(
        "With both",
        website="https://ana.example/",
        anchor={"exact": "the barrier", "start": 29, "end": 40},
    )
    comment = full["comment"]
    assert list(comment) == [*COMMENT_KEYS, "anchor"]
    assert comment["author"]["website"] == "https://ana.example/"
    assert comment["anchor"] == {
        "exact": "the barrier", "prefix": "", "suffix": "", "start": 29, "end": 40
    }  # fmt: skip
    assert list(full) == ["comment", "edit_token", "moderation"]
    assert (await api.page())["comments"] == [comment, plain]


async def test_the_cached_thread_page_is_its_declared_type_byte_for_byte(api: Api) -> None:
    root = await api.posted("Root", website="https://ana.example/", anchor={"exact": "x"})
    reply = (await api.posted("Reply", parent_id=root["comment"]["id"]))["comment"]
    await api.posted("Nested", parent_id=reply["id"])
    await api.vote(root["comment"]["id"], 1)
    response = await api.client.get(f"/api/v1/{SITE}/comments", params={"uri": ARTICLE})
    pages = TypeAdapter(ThreadPage)
    assert pages.dump_json(pages.validate_json(response.content)) == response.content


async def test_me_hands_a_token_only_to_a_reader_without_one(api: Api) -> None:
    token = await api.reader_token()
    mine = (await api.posted("Mine", headers={"X-Talkback-Reader": token}))["comment"]
    response = await api.client.get(
        f"/api/v1/{SITE}/me", params={"uri": ARTICLE}, headers={"X-Talkback-Reader": token}
    )
    state = TypeAdapter(ReaderState).validate_json(response.content)
    assert "reader_token" not in state
    assert [entry["id"] for entry in state["editable"]] == [mine["id"]]


async def test_a_held_comment_is_answered_in_the_same_shape(api: Api) -> None:
    await api.posted("Same words")
    response = await api.post("Same words")
    assert response.status_code == 202
    answer = TypeAdapter(PostAnswer).validate_json(response.content)
    assert answer["moderation"] == {"status": "rejected", "reasons": ["duplicate"]}
