"""Isso (SQLite database and generic JSON) and Commento imports."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from talkback.importers.commento import COMMENTO
from talkback.importers.isso import ISSO
from talkback.importers.records import ImportFailed
from tests.importers.conftest import Importing, fixture

ISSO_SCHEMA = """
CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
CREATE TABLE comments (
    tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
    created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR,
    text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR,
    likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL,
    notification INTEGER DEFAULT 0);
"""
MARCH = 1_772_000_000.0


def isso_database(path: Path) -> Path:
    """A small database in Isso's own schema, written the way Isso writes it."""
    with sqlite3.connect(path) as db:
        db.executescript(ISSO_SCHEMA)
        db.executemany(
            "INSERT INTO threads (id, uri, title) VALUES (?, ?, ?)",
            [(1, "/2026/tides/", "Tides"), (2, "/2026/ferries/?utm_source=x", None)],
        )
        rows = [
            # tid, id, parent, created, modified, mode, addr, text, author, email, site, +, -
            (1, 1, None, MARCH, None, 1, "192.0.2.0", "First *take*.", "Ana", "ana@x.example",
             "https://ana.example", 3, 1),
            (1, 2, 1, MARCH + 60, MARCH + 90, 1, "192.0.2.0", "A reply.", None, None, None, 0, 0),
            (1, 3, None, MARCH + 120, None, 4, "192.0.2.0", "", None, None, None, 0, 0),
            (1, 4, 3, MARCH + 180, None, 1, "192.0.2.0", "Reply to a deleted one.", "Bo", None,
             None, 1, 0),
            (1, 5, None, MARCH + 240, None, 2, "192.0.2.0", "Held for review.", "Cy", None,
             "javascript:alert(1)", 0, 0),
            (2, 6, None, MARCH + 300, None, 1, "192.0.2.0", "<script>x</script> ferries",
             "Di", None, None, 0, 2),
        ]  # fmt: skip
        db.executemany(
            "INSERT INTO comments (tid, id, parent, created, modified, mode, remote_addr, text,"
            " author, email, website, likes, dislikes, voters) VALUES"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, x'00')",
            rows,
        )
    return path


async def test_isso_database(api: Importing, tmp_path: Path) -> None:
    summary = await api.run(ISSO, isso_database(tmp_path / "isso.db"))

    assert summary.threads_created == 2
    assert summary.imported == Counter({"approved": 4, "deleted": 1, "pending": 1})
    page = await api.page("/2026/tides", sort="oldest")
    assert page["thread"] == {"uri": "/2026/tides", "title": "Tides", "count": 3}
    first, placeholder = page["comments"]
    assert first["html"] == "<p>First <em>take</em>.</p>"
    assert (first["upvotes"], first["downvotes"], first["score"]) == (3, 1, 2)
    assert first["author"] == {"name": "Ana", "avatar": first["author"]["avatar"],
                               "website": "https://ana.example"}  # fmt: skip
    assert first["replies"][0]["edited_at"] == "2026-02-25T06:14:50.000Z"
    assert placeholder["status"] == "deleted"
    assert placeholder["replies"][0]["html"] == "<p>Reply to a deleted one.</p>"
    ferries = await api.page("/2026/ferries")
    assert ferries["comments"][0]["html"] == "<p>&lt;script&gt;x&lt;/script&gt; ferries</p>"
    held = next(row for row in await api.rows() if row.import_id == "5")
    assert held.status == "pending"
    assert held.author_website is None
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
    summary = await api.run(ISSO, fixture("isso-generic.json"))

    assert summary.imported == Counter({"approved": 2})
    threads = {thread.uri: thread.title for thread in await api.threads()}
    assert threads == {"/posts/0001": "Test post", "/posts/0007": "Nat & Miguel"}
    rows = await api.rows()
    assert rows[0].created_at.isoformat() == "2005-02-24T04:03:37+00:00"
    assert rows[1].author_email == "105421439@87750645.com"
    assert rows[0].author_email is None
    assert (await api.run(ISSO, fixture("isso-generic.json"))).comments_imported == 0


async def test_commento_export(api: Importing) -> None:
    summary = await api.run(COMMENTO, fixture("remark42-migrator-commento.json"))

    assert summary.threads_created == 2
    assert summary.imported == Counter({"approved": 3})
    page = await api.page("/blog/post/1")
    [comment] = page["comments"]
    assert comment["author"]["name"] == "User5276"
    assert comment["created_at"] == "2021-03-17T12:09:47.722Z"
    assert comment["replies"][0]["author"]["name"] == "Saturnin Uf"
    guest = (await api.page("/blog/post/2"))["comments"][0]
    assert guest["author"]["name"] is None
    assert guest["upvotes"] == 1
    rows = await api.rows()
    assert max(row.depth for row in rows) + 1 == 2
    assert (await api.run(COMMENTO, fixture("remark42-migrator-commento.json"))).skipped == (
        Counter({"already imported": 3})
    )


async def test_commento_export_whose_comments_are_all_empty(api: Importing) -> None:
    summary = await api.run(COMMENTO, fixture("remark42-api-commento.json"))

    assert summary.imported == Counter({"deleted": 7})
    assert summary.notes == Counter({"empty body, kept as deleted": 7})
    rows = await api.rows()
    assert len(rows) == 7
    assert sum(row.parent_id is not None for row in rows) == 2
    assert all(row.author_email is None for row in rows)  # "undefined" is not an address
    page = await api.page("/example")
    assert page["thread"]["count"] == 0
    assert page["comments"] == []
    await api.assert_counters_consistent()


async def test_malformed_json_fails_with_nothing_written(api: Importing, tmp_path: Path) -> None:
    broken = tmp_path / "commento.json"
    text = fixture("remark42-migrator-commento.json").read_text(encoding="utf-8")
    broken.write_text(text.replace('"score": 0,', '"score": 0', 1), encoding="utf-8")

    with pytest.raises(ImportFailed, match="not valid JSON"):
        await api.run(COMMENTO, broken)
    assert await api.rows() == []
