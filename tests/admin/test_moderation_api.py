"""The moderation work through the admin API: the queue, actions, bulk, edits, search."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from talkback.comments.reports import report_comment
from talkback.core.identity import hash_ip
from talkback.moderation.classifier import BatchingScorer
from talkback.readers.tokens import Reader
from tests.admin.conftest import (
    ARTICLE,
    MODERATOR,
    OTHER_SITE,
    SECRET,
    SITE,
    Newsroom,
    StaffClient,
)


async def public_texts(newsroom: Newsroom, uri: str = ARTICLE) -> list[str]:
    """The comment bodies a reader sees on the article."""
    reader = await newsroom.browser()
    page = await reader.get(f"/api/v1/{SITE}/comments", uri=uri)
    return [comment["html"] for comment in page.json()["comments"]]


async def queue(staff: StaffClient, **params: Any) -> list[dict[str, Any]]:
    response = await staff.get(f"/api/v1/admin/{SITE}/queue", **params)
    assert response.status_code == 200, response.text
    comments: list[dict[str, Any]] = response.json()["comments"]
    return comments


async def report(newsroom: Newsroom, comment_id: int, reason: str = "abuse") -> None:
    site = await newsroom.context.sites.get(SITE)
    reader = Reader(ip_hash=hash_ip("192.0.2.99", SECRET), reader_id="reporter-1")
    await report_comment(newsroom.context, site, comment_id, reason, "Name-calling", reader)  # type: ignore[arg-type]


def scores(table: dict[str, float]) -> BatchingScorer:
    """A stand-in classifier that gives each text the score the test chose."""

    def load() -> Any:
        def predict(texts: Sequence[str]) -> list[float]:
            return [table.get(text, 0.0) for text in texts]

        return predict

    return BatchingScorer(load)


async def test_the_queue_shows_held_comments_newest_first_with_what_staff_need(
    newsroom: Newsroom,
) -> None:
    first = await newsroom.held("First held", email="ada@readers.example")
    second = await newsroom.held("Second held", author=None)
    moderator = await newsroom.signed_in(MODERATOR)
    held = await queue(moderator)
    assert [c["id"] for c in held] == [second, first]
    oldest = held[1]
    assert oldest["author"] == {
        "name": "Riya", "email": "ada@readers.example", "website": None,
    }  # fmt: skip
    assert oldest["thread"] == {"uri": ARTICLE, "title": "River barrier"}
    assert oldest["status"] == "pending"
    assert oldest["html"] == "<p>First held</p>"
    assert any(f["verdict"] == "pending" for f in oldest["moderation"])
    assert len(oldest["ip_hash"]) == 32


async def test_the_queue_orders_by_toxicity(newsroom: Newsroom) -> None:
    newsroom.context.scorer = scores({"Mild": 0.2, "Harsh": 0.9, "Middling": 0.5})
    ids = {text: await newsroom.held(text) for text in ("Mild", "Harsh", "Middling")}
    editor = await newsroom.signed_in()
    ordered = await queue(editor, order="toxic")
    assert [c["id"] for c in ordered] == [ids["Harsh"], ids["Middling"], ids["Mild"]]
    assert ordered[0]["toxicity"] == 0.9


async def test_reported_comments_have_a_queue_of_their_own(newsroom: Newsroom) -> None:
    quiet = await newsroom.published("Nothing to see")
    flagged = await newsroom.published("Flagged by a reader")
    await report(newsroom, flagged)
    editor = await newsroom.signed_in()
    reported = await queue(editor, kind="reported")
    assert [c["id"] for c in reported] == [flagged]
    assert reported[0]["reports"] == [{"reason": "abuse", "note": "Name-calling"}]
    assert quiet not in [c["id"] for c in reported]


async def test_approving_a_held_comment_publishes_it_and_audits_it(newsroom: Newsroom) -> None:
    comment = await newsroom.held("Worth publishing")
    assert await public_texts(newsroom) == []
    moderator = await newsroom.signed_in(MODERATOR)
    response = await moderator.post(f"/api/v1/admin/{SITE}/comments/{comment}/approve")
    assert response.status_code == 200
    assert response.json()["comment"]["status"] == "approved"
    assert await public_texts(newsroom) == ["<p>Worth publishing</p>"]
    assert await queue(moderator) == []
    audit = (await moderator.get(f"/api/v1/admin/{SITE}/audit")).json()["entries"]
    assert audit[0]["action"] == "comment.approve"
    assert audit[0]["target"] == f"comment:{comment}"
    assert audit[0]["staff"] == MODERATOR


async def test_reject_spam_and_delete_keep_comments_off_the_page(newsroom: Newsroom) -> None:
    rejected = await newsroom.held("Reject me")
    spam = await newsroom.held("Buy now")
    deleted = await newsroom.published("Delete me")
    editor = await newsroom.signed_in()
    base = f"/api/v1/admin/{SITE}/comments"
    assert (await editor.post(f"{base}/{rejected}/reject")).json()["comment"]["status"] == (
        "rejected"
    )
    assert (await editor.post(f"{base}/{spam}/spam")).json()["comment"]["status"] == "spam"
    assert (await editor.post(f"{base}/{deleted}/delete")).status_code == 204
    assert await public_texts(newsroom) == []
    found = await editor.get(f"/api/v1/admin/{SITE}/search", status="spam")
    assert [c["id"] for c in found.json()["comments"]] == [spam]


async def test_a_deleted_comment_cannot_be_approved_back_with_its_text_gone(
    newsroom: Newsroom,
) -> None:
    deleted = await newsroom.published("Gone soon")
    editor = await newsroom.signed_in()
    base = f"/api/v1/admin/{SITE}/comments"
    assert (await editor.post(f"{base}/{deleted}/delete")).status_code == 204
    for action in ("approve", "reject", "spam"):
        refused = await editor.post(f"{base}/{deleted}/{action}")
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["code"] == "comment_deleted"
    bulk = await editor.post(f"{base}/bulk", json={"ids": [deleted], "action": "approve"})
    assert bulk.json()["failed"] == [
        {"id": deleted, "error": {"code": "comment_deleted", "message": "this comment was deleted"}}
    ]
    assert await public_texts(newsroom) == []


async def test_staff_edit_rewrites_the_comment_and_keeps_both_texts_in_the_audit(
    newsroom: Newsroom,
) -> None:
    comment = await newsroom.published("Teh council voted")
    editor = await newsroom.signed_in()
    response = await editor.patch(
        f"/api/v1/admin/{SITE}/comments/{comment}", json={"text": "The council *voted*"}
    )
    assert response.status_code == 200
    assert response.json()["comment"]["html"] == "<p>The council <em>voted</em></p>"
    assert await public_texts(newsroom) == ["<p>The council <em>voted</em></p>"]
    entry = (await editor.get(f"/api/v1/admin/{SITE}/audit")).json()["entries"][0]
    assert entry["action"] == "comment.edit"
    assert entry["details"] == {"before": "Teh council voted", "after": "The council *voted*"}
    blank = await editor.patch(f"/api/v1/admin/{SITE}/comments/{comment}", json={"text": " "})
    assert blank.status_code == 422


async def test_bulk_actions_report_what_failed_and_do_the_rest(newsroom: Newsroom) -> None:
    ids = [await newsroom.held(f"Held {n}") for n in range(3)]
    elsewhere = await newsroom.held("On the other site", site=OTHER_SITE)
    editor = await newsroom.signed_in()
    response = await editor.post(
        f"/api/v1/admin/{SITE}/comments/bulk",
        json={"ids": [*ids, elsewhere, ids[0]], "action": "approve"},
    )
    assert response.status_code == 200
    outcome = response.json()
    assert outcome["done"] == ids
    assert outcome["failed"] == [
        {"id": elsewhere, "error": {"code": "comment_not_found", "message": "no such comment"}}
    ]
    assert len(await public_texts(newsroom)) == 3
    too_many = await editor.post(
        f"/api/v1/admin/{SITE}/comments/bulk", json={"ids": list(range(1, 102)), "action": "spam"}
    )
    assert too_many.status_code == 422
    unknown = await editor.post(
        f"/api/v1/admin/{SITE}/comments/bulk", json={"ids": ids, "action": "publish"}
    )
    assert unknown.status_code == 422


async def test_a_comment_of_another_site_is_not_found_here(newsroom: Newsroom) -> None:
    elsewhere = await newsroom.held("Courier comment", site=OTHER_SITE)
    editor = await newsroom.signed_in()
    response = await editor.post(f"/api/v1/admin/{SITE}/comments/{elsewhere}/approve")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "comment_not_found"
    missing_site = await editor.get("/api/v1/admin/nowhere/queue")
    assert missing_site.status_code == 404


async def test_search_by_text_author_and_email(newsroom: Newsroom) -> None:
    flood = await newsroom.held("The flood wall is late", author="Noor", email="noor@r.example")
    await newsroom.held("Budget questions", author="Sam", email="sam@r.example")
    editor = await newsroom.signed_in()

    async def search(**params: str) -> list[int]:
        response = await editor.get(f"/api/v1/admin/{SITE}/search", **params)
        assert response.status_code == 200
        return [c["id"] for c in response.json()["comments"]]

    assert await search(q="FLOOD") == [flood]
    assert await search(author="noo") == [flood]
    assert await search(email="Noor@R.example") == [flood]
    assert await search(q="flood", author="Sam") == []
    assert await search(q="100%_") == []


async def test_the_session_answer_carries_the_csrf_token(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    session = (await editor.get("/api/v1/admin/session")).json()
    assert session["csrf_token"] == editor.csrf
    assert session["staff"]["role"] == "admin"
    sites = (await editor.get("/api/v1/admin/sites")).json()["sites"]
    assert [s["id"] for s in sites] == [OTHER_SITE, SITE]
