"""Reviewing reader reports: "Keep" answers a published comment's open reports.

A kept comment leaves the Reported queue and the "reported now" figure, the audit log says
who kept it, and a later report by another reader brings it back with that report alone.
The same holds for the bulk action, the JSON API and the no-JavaScript page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from talkback.comments.posting import CommentDraft, post_comment
from talkback.comments.reports import report_comment
from talkback.core.identity import hash_ip
from talkback.importers.formats.talkback_jsonl import TALKBACK
from talkback.importers.options import ImportOptions
from talkback.importers.run import run_import
from talkback.readers.tokens import Reader
from tests.admin.conftest import MODERATOR, SECRET, SITE, Newsroom, StaffClient

API = f"/api/v1/admin/{SITE}"


async def report(
    newsroom: Newsroom, comment_id: int, reader_id: str, reason: str = "abuse", note: str = ""
) -> None:
    """A report by one reader (readers are told apart by their reader id)."""
    site = await newsroom.context.sites.get(SITE)
    reader = Reader(ip_hash=hash_ip("192.0.2.99", SECRET), reader_id=reader_id)
    await report_comment(newsroom.context, site, comment_id, reason, note or None, reader)  # type: ignore[arg-type]


async def reported_queue(staff: StaffClient) -> list[dict[str, Any]]:
    response = await staff.get(f"{API}/queue", kind="reported")
    assert response.status_code == 200, response.text
    comments: list[dict[str, Any]] = response.json()["comments"]
    return comments


async def reported_now(staff: StaffClient) -> int:
    stats = await staff.get(f"{API}/stats")
    assert stats.status_code == 200, stats.text
    count: int = stats.json()["reported"]
    return count


async def audit(staff: StaffClient) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = (await staff.get(f"{API}/audit")).json()["entries"]
    return entries


async def test_keep_answers_the_reports_and_takes_the_comment_out_of_the_queue(
    newsroom: Newsroom,
) -> None:
    flagged = await newsroom.published("Flagged by a reader")
    await report(newsroom, flagged, "reader-a", note="Name-calling")
    moderator = await newsroom.signed_in(MODERATOR)
    assert [c["id"] for c in await reported_queue(moderator)] == [flagged]
    assert await reported_now(moderator) == 1

    kept = await moderator.post(f"{API}/comments/{flagged}/approve")
    assert kept.status_code == 200
    assert kept.json()["comment"]["status"] == "approved"
    assert await reported_queue(moderator) == []
    assert await reported_now(moderator) == 0
    [entry, *_] = await audit(moderator)
    assert entry["action"] == "comment.keep"
    assert entry["target"] == f"comment:{flagged}"
    assert entry["staff"] == MODERATOR
    assert entry["details"] == {"reports_resolved": 1}
    found = (await moderator.get(f"{API}/search", q="Flagged")).json()["comments"]
    assert [(c["status"], c["report_count"], c["reports"]) for c in found] == [("approved", 0, [])]


async def test_a_later_report_brings_the_comment_back_with_only_the_new_report(
    newsroom: Newsroom,
) -> None:
    flagged = await newsroom.published("Disputed figures")
    await report(newsroom, flagged, "reader-a", "abuse", "Rude")
    moderator = await newsroom.signed_in(MODERATOR)
    assert (await moderator.post(f"{API}/comments/{flagged}/approve")).status_code == 200

    await report(newsroom, flagged, "reader-a", "spam", "Again")  # once per reader, ever
    assert await reported_queue(moderator) == []

    await report(newsroom, flagged, "reader-b", "off_topic", "Not about the barrier")
    [back] = await reported_queue(moderator)
    assert back["id"] == flagged
    assert back["report_count"] == 1
    assert back["reports"] == [{"reason": "off_topic", "note": "Not about the barrier"}]
    assert await reported_now(moderator) == 1


async def test_keeping_a_comment_without_open_reports_changes_and_audits_nothing(
    newsroom: Newsroom,
) -> None:
    quiet = await newsroom.published("Nothing wrong here")
    moderator = await newsroom.signed_in(MODERATOR)
    before = await audit(moderator)
    again = await moderator.post(f"{API}/comments/{quiet}/approve")
    assert again.status_code == 200
    assert again.json()["comment"]["status"] == "approved"
    assert await audit(moderator) == before


async def test_bulk_keep_answers_each_comments_reports(newsroom: Newsroom) -> None:
    first = await newsroom.published("First flagged")
    second = await newsroom.published("Second flagged")
    quiet = await newsroom.published("Never reported")
    await report(newsroom, first, "reader-a")
    await report(newsroom, second, "reader-a")
    await report(newsroom, second, "reader-b", "spam")
    editor = await newsroom.signed_in()
    response = await editor.post(
        f"{API}/comments/bulk", json={"ids": [first, second, quiet], "action": "approve"}
    )
    assert response.status_code == 200
    assert response.json() == {"done": [first, second, quiet], "failed": []}
    assert await reported_queue(editor) == []
    assert await reported_now(editor) == 0
    entries = await audit(editor)
    kept = [(e["target"], e["details"]) for e in entries if e["action"] == "comment.keep"]
    assert kept == [
        (f"comment:{second}", {"reports_resolved": 2}),
        (f"comment:{first}", {"reports_resolved": 1}),
    ]


async def test_approving_a_comment_hidden_by_reports_answers_them(newsroom: Newsroom) -> None:
    editor = await newsroom.signed_in()
    threshold = await editor.patch(f"{API}/settings", json={"moderation": {"report_threshold": 2}})
    assert threshold.status_code == 200, threshold.text
    hidden = await newsroom.published("Hidden by two readers")
    await report(newsroom, hidden, "reader-a")
    await report(newsroom, hidden, "reader-b")
    [held] = await reported_queue(editor)
    assert (held["status"], held["report_count"]) == ("pending", 2)

    approved = await editor.post(f"{API}/comments/{hidden}/approve")
    assert approved.json()["comment"]["status"] == "approved"
    [entry, *_] = await audit(editor)
    assert (entry["action"], entry["details"]) == (
        "comment.approve",
        {"from": "pending", "to": "approved", "reports_resolved": 2},
    )
    await report(newsroom, hidden, "reader-c")
    [back] = await reported_queue(editor)
    assert (back["status"], back["report_count"], len(back["reports"])) == ("approved", 1, 1)


async def test_rejecting_a_reported_comment_answers_its_reports(newsroom: Newsroom) -> None:
    flagged = await newsroom.published("Over the line")
    await report(newsroom, flagged, "reader-a")
    editor = await newsroom.signed_in()
    assert (await editor.post(f"{API}/comments/{flagged}/reject")).status_code == 200
    [entry, *_] = await audit(editor)
    assert entry["details"] == {"from": "approved", "to": "rejected", "reports_resolved": 1}
    found = (await editor.get(f"{API}/search", status="rejected")).json()["comments"]
    assert [(c["id"], c["report_count"], c["reports"]) for c in found] == [(flagged, 0, [])]


async def test_keep_from_the_page_without_javascript(newsroom: Newsroom) -> None:
    flagged = await newsroom.published("Reported, and fine")
    await report(newsroom, flagged, "reader-a")
    moderator = await newsroom.signed_in(MODERATOR)
    queue_page = await moderator.get(f"/admin/{SITE}/queue", kind="reported")
    assert ">Keep</button>" in queue_page.text
    back = f"/admin/{SITE}/queue?kind=reported"
    kept = await moderator.post(f"/admin/{SITE}/comments/{flagged}/approve", data={"next": back})
    assert kept.status_code == 303
    after = await moderator.get(kept.headers["location"])
    assert "Nothing reported right now." in after.text
    stats = await moderator.get(f"/admin/{SITE}/stats")
    assert "<b>0</b> reported now" in stats.text


async def test_keep_clears_reports_counted_in_an_import_without_their_details(
    newsroom: Newsroom, tmp_path: Path
) -> None:
    """Talkback's export carries a comment's report count but not the reports themselves."""
    export = tmp_path / "export.jsonl"
    records = [
        {"format": "talkback-export", "version": 1, "site": SITE,
         "exported_at": "2026-10-01T12:00:00Z", "generator": "talkback"},
        {"type": "thread", "uri": "/imported", "title": "Imported",
         "created_at": "2026-09-20T08:00:00Z", "comment_count": 1},
        {"type": "comment", "id": 7, "thread": "/imported", "parent": None, "status": "approved",
         "author": {"name": "Ada"}, "text": "Reported", "html": "<p>Reported</p>",
         "created_at": "2026-09-20T10:00:00Z", "moderation": {"report_count": 2}},
    ]  # fmt: skip
    export.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    await run_import(newsroom.context, SITE, export, TALKBACK, ImportOptions(secret_key=SECRET))
    editor = await newsroom.signed_in()
    [imported] = await reported_queue(editor)
    assert (imported["report_count"], imported["reports"]) == (2, [])

    kept = await editor.post(f"{API}/comments/{imported['id']}/approve")
    assert kept.status_code == 200
    assert await reported_queue(editor) == []
    [entry, *_] = await audit(editor)
    assert (entry["action"], entry["details"]) == ("comment.keep", {"reports_resolved": 2})


async def test_deleting_a_readers_data_leaves_other_readers_open_reports_counted(
    newsroom: Newsroom,
) -> None:
    """Reader A's answered report goes with A's data; reader B's open one still counts."""
    flagged = await newsroom.published("Disputed again")
    ctx = newsroom.context
    site = await ctx.sites.get(SITE)
    reader_a = Reader(ip_hash=hash_ip("192.0.2.41", SECRET), reader_id="reader-a")
    draft = CommentDraft(text="My own comment", author_name="Ada", email="ada@example.org")
    await post_comment(ctx, site, "/2026/11/barrier", draft, reader_a)
    await report(newsroom, flagged, "reader-a")
    editor = await newsroom.signed_in()
    assert (await editor.post(f"{API}/comments/{flagged}/approve")).status_code == 200
    await report(newsroom, flagged, "reader-b", "spam")

    deleted = await editor.post(
        f"/api/v1/admin/{SITE}/readers/delete",
        json={"email": "ada@example.org", "keep_comments": True},
    )
    assert deleted.status_code == 200, deleted.text
    [still] = await reported_queue(editor)
    assert (still["id"], still["report_count"]) == (flagged, 1)
    assert still["reports"] == [{"reason": "spam", "note": None}]
    assert await reported_now(editor) == 1
