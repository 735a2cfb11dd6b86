"""A reader's data: exported on request, deleted on request, threads kept consistent."""

from __future__ import annotations

from typing import Any

from talkback.services.reader_data import delete_reader_data, export_reader_data
from talkback.services.sites import load_site
from tests.api.conftest import ARTICLE, SITE
from tests.importers.conftest import Importing

EMAIL = "Mara@Reader.example"


async def reader_activity(api: Importing) -> dict[str, Any]:
    """Mara posts three comments (one gets a reply from someone else) and votes twice."""
    token = await api.reader_token()
    as_mara = {"X-Talkback-Reader": token}
    other = await api.posted("Someone else's opening comment.")
    answered = await api.posted("Mara's comment with a reply.", author_name="Mara",
                                email=EMAIL, headers=as_mara)  # fmt: skip
    await api.posted("A reply to Mara.", parent_id=answered["comment"]["id"])
    alone = await api.posted("Mara's lone reply.", author_name="Mara", email=EMAIL.lower(),
                             parent_id=other["comment"]["id"], headers=as_mara)  # fmt: skip
    elsewhere = await api.posted("Mara on another page.", author_name="Mara", email=EMAIL,
                                 uri="/2026/11/other", headers=as_mara)  # fmt: skip
    liked = await api.posted("A comment Mara likes.")
    assert (await api.vote(liked["comment"]["id"], 1, token)).status_code == 200
    assert (await api.vote(other["comment"]["id"], -1, token)).status_code == 200
    return {"token": token, "other": other, "answered": answered, "alone": alone,
            "elsewhere": elsewhere, "liked": liked}  # fmt: skip


async def test_export_holds_the_readers_comments_votes_and_nothing_else(api: Importing) -> None:
    await reader_activity(api)
    site = await load_site(api.context.database, SITE)

    data = await export_reader_data(api.context, site, "mara@reader.EXAMPLE")

    assert data["format"] == "talkback-reader-data"
    assert [c["text"] for c in data["comments"]] == [
        "Mara's comment with a reply.", "Mara's lone reply.", "Mara on another page.",
    ]  # fmt: skip
    assert {c["page"] for c in data["comments"]} == {ARTICLE, "/2026/11/other"}
    assert sorted(v["value"] for v in data["votes"]) == [-1, 1]
    assert data["reports"] == []


async def test_delete_keeping_comments_anonymises_them(api: Importing) -> None:
    made = await reader_activity(api)
    site = await load_site(api.context.database, SITE)

    done = await delete_reader_data(api.context, site, EMAIL, keep_comments=True)

    assert (done.comments_anonymised, done.comments_removed, done.votes_withdrawn) == (3, 0, 2)
    rows = {row.id: row for row in await api.rows()}
    kept = rows[made["answered"]["comment"]["id"]]
    assert kept.text == "Mara's comment with a reply."
    assert (kept.author_name, kept.author_email, kept.reader_id, kept.ip_hash) == (None,) * 4
    assert kept.avatar != made["answered"]["comment"]["author"]["avatar"]
    assert rows[made["liked"]["comment"]["id"]].upvotes == 0
    assert rows[made["other"]["comment"]["id"]].downvotes == 0
    page = await api.page(ARTICLE)
    assert page["thread"]["count"] == 5
    assert (await export_reader_data(api.context, site, EMAIL))["comments"] == []
    await api.assert_counters_consistent()


async def test_delete_removing_comments_keeps_replies_in_place(api: Importing) -> None:
    made = await reader_activity(api)
    site = await load_site(api.context.database, SITE)

    done = await delete_reader_data(api.context, site, EMAIL, keep_comments=False)

    assert (done.comments_removed, done.votes_withdrawn) == (3, 2)
    rows = {row.id: row for row in await api.rows()}
    placeholder = rows[made["answered"]["comment"]["id"]]
    assert (placeholder.status, placeholder.text, placeholder.author_email) == ("deleted", "", None)
    assert made["alone"]["comment"]["id"] not in rows
    assert made["elsewhere"]["comment"]["id"] not in rows
    page = await api.page(ARTICLE, sort="oldest")
    assert page["thread"]["count"] == 3
    shown = [c for c in page["comments"] if c["id"] == placeholder.id]
    assert shown[0]["status"] == "deleted"
    assert shown[0]["replies"][0]["html"] == "<p>A reply to Mara.</p>"
    other = next(c for c in page["comments"] if c["id"] == made["other"]["comment"]["id"])
    assert other["reply_count"] == 0
    assert other["downvotes"] == 0
    assert (await api.page("/2026/11/other"))["thread"]["count"] == 0
    await api.assert_counters_consistent()
