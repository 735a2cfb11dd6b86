"""Isso (SQLite database and generic JSON) and Commento imports, on the project's own
exports (`fixtures/isso*`, `fixtures/commento.json`)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from talkback.importers.formats.commento import COMMENTO
from talkback.importers.formats.isso import ISSO
from talkback.importers.records import ImportFailed
from talkback.importers.tree import EMPTY
from tests.importers.conftest import STILL_OPEN, Importing, own_fixture

HEATWAVE = "/2023/08/heatwave-advice"


def isso_database(path: Path) -> Path:
    """The database of `fixtures/isso.sql`, in Isso's own schema."""
    with sqlite3.connect(path) as db:
        db.executescript(own_fixture("isso.sql").read_text(encoding="utf-8"))
    return path


async def test_isso_database(api: Importing, tmp_path: Path) -> None:
    summary = await api.run(ISSO, isso_database(tmp_path / "isso.db"))

    assert summary.threads_created == 2
    assert summary.imported == Counter({"approved": 4, "deleted": 1, "pending": 1})
    assert summary.skipped == Counter({"Isso mode 8": 1, "comment with an unreadable date": 1})
    page = await api.page("/2026/tides", sort="oldest")
    assert page["thread"] == {
        "uri": "/2026/tides", "title": "Tides", "count": 3, **STILL_OPEN
    }  # fmt: skip
    first, placeholder = page["comments"]
    assert first["html"] == "<p>First <em>take</em>.</p>"
    assert first["created_at"] == "2026-02-25T06:13:20.000Z"
    assert (first["upvotes"], first["downvotes"], first["score"]) == (3, 1, 2)
    assert first["author"] == {"name": "Ana", "avatar": first["author"]["avatar"],
                               "website": "https://ana.example"}  # fmt: skip
    assert first["replies"][0]["edited_at"] == "2026-02-25T06:14:50.000Z"
    assert placeholder["status"] == "deleted"
    assert placeholder["replies"][0]["html"] == "<p>Reply to a deleted one.</p>"
    ferries = await api.page("/2026/ferries")
    assert ferries["thread"]["title"] is None
    assert ferries["comments"][0]["html"] == "<p>&lt;script&gt;x&lt;/script&gt; ferries</p>"
    held = next(row for row in await api.rows() if row.import_id == "5")
    assert held.status == "pending"
    assert held.author_website is None  # javascript: is not a website
    await api.assert_counters_consistent()
    assert (await api.run(ISSO, tmp_path / "isso.db")).comments_imported == 0


async def test_a_database_that_is_not_issos_is_refused(api: Importing, tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE threads (id INTEGER PRIMARY KEY)")

    with pytest.raises(ImportFailed, match="not an Isso database"):
        await api.run(ISSO, path)
    assert await api.threads() == []


async def test_isso_generic_json(api: Importing) -> None:
    summary = await api.run(ISSO, own_fixture("isso-generic.json"))  # starts with a BOM

    assert summary.imported == Counter({"approved": 3})
    assert summary.skipped == Counter({
        "comment entry that is not an object": 1,
        "comment with an unreadable date": 1,
        "thread entry that is not an object": 1,
        "its thread has no usable page address": 1,
    })  # fmt: skip
    threads = {thread.uri: thread.title for thread in await api.threads()}
    assert threads == {"/2024/03/spring-fair": "Spring fair & plant swap",  # form-decoded
                       "/2024/04/hedgehog-house": None}  # fmt: skip
    gwen, zoe, anonymous = await api.rows()
    assert gwen.import_id != zoe.import_id  # both are id 0 in the file
    assert gwen.created_at.isoformat() == "2024-03-09T14:05:00+00:00"  # no zone: UTC
    assert gwen.html == (
        "<p>Bringing <em>forty</em> tomato seedlings. &lt;script&gt;alert('no')&lt;/script&gt;</p>"
    )
    assert (gwen.author_email, gwen.author_website) == (
        "gwen@allotment.example", "https://allotment.example/",
    )  # fmt: skip
    assert (zoe.author_name, zoe.author_email, zoe.author_website) == ("Zoë Ångström", None, None)
    assert zoe.html.count("<p>") == 2
    assert zoe.ip_hash is not None  # 0.0.0.0 is kept, hashed, like any address
    assert anonymous.author_name is None
    assert (await api.run(ISSO, own_fixture("isso-generic.json"))).comments_imported == 0


async def test_commento_export(api: Importing) -> None:
    summary = await api.run(COMMENTO, own_fixture("commento.json"))

    assert summary.threads_created == 2
    assert summary.imported == Counter({"approved": 5, "pending": 2, "deleted": 2})
    assert summary.skipped == Counter({"comment without an id or a readable date": 1,
                                       "comment entry that is not an object": 1})  # fmt: skip
    assert summary.notes == Counter({EMPTY: 1})
    page = await api.page(HEATWAVE, sort="oldest")
    assert page["thread"]["count"] == 4
    first, guest = page["comments"]
    assert first["author"] == {"name": "Hanna Kowalczyk", "avatar": first["author"]["avatar"],
                               "website": "https://hanna.example"}  # fmt: skip
    assert first["created_at"] == "2023-08-14T09:30:12.482Z"
    assert first["html"] == (  # the Markdown rendered; the export's html ignored
        '<p>Drink <strong>water</strong>, check on <a href="https://ledger.example/neighbours" '
        'rel="nofollow ugc noopener">your neighbours</a>.</p>'
    )
    assert (first["upvotes"], first["downvotes"]) == (3, 0)
    [cat] = first["replies"]
    assert cat["author"]["name"] == "Tomasz Wiśniewski"
    assert cat["downvotes"] == 1
    assert cat["replies"][0]["html"] == "<p>A reply listed before the reply it answers.</p>"
    assert guest["author"]["name"] is None  # "anonymous" has no commenter record
    assert (guest["upvotes"], guest["downvotes"], guest["score"]) == (0, 2, -2)
    rows = {row.import_id: row for row in await api.rows()}
    tomasz = rows["c0ffee02"]  # email and link are the literal "undefined"
    assert (tomasz.author_email, tomasz.author_website) == (None, None)
    assert rows["c0ffee05"].status == rows["c0ffee06"].status == "pending"  # unapproved, flagged
    assert (rows["c0ffee07"].status, rows["c0ffee07"].text) == ("deleted", "")
    assert rows["c0ffee08"].status == "deleted"  # an empty body
    assert rows["c0ffee05"].author_website is None  # ftp: is not a website
    pool = await api.page("/2023/08/pool-hours")
    assert pool["comments"][0]["author"]["name"] == "Ivo Brandt"
    assert pool["comments"][0]["html"] == "<p>Ünter den Linden? No: the lido, until ten. 🏊</p>"
    await api.assert_counters_consistent()
    assert (await api.run(COMMENTO, own_fixture("commento.json"))).skipped["already imported"] == 9


async def test_commento_versions_other_than_1_are_refused(api: Importing, tmp_path: Path) -> None:
    newer = tmp_path / "commento.json"
    text = own_fixture("commento.json").read_text(encoding="utf-8")
    newer.write_text(text.replace('"version": 1', '"version": 2', 1), encoding="utf-8")

    with pytest.raises(ImportFailed, match="version 2 is not supported"):
        await api.run(COMMENTO, newer)
    assert await api.rows() == []


async def test_malformed_json_fails_with_nothing_written(api: Importing, tmp_path: Path) -> None:
    broken = tmp_path / "commento.json"
    text = own_fixture("commento.json").read_text(encoding="utf-8")
    broken.write_text(text.replace('"score": 3,', '"score": 3', 1), encoding="utf-8")

    with pytest.raises(ImportFailed, match="not valid JSON"):
        await api.run(COMMENTO, broken)
    assert await api.rows() == []
