"""Isso: its SQLite database, or the generic JSON that Isso itself imports.

SQLite (`threads(id, uri, title)`, `comments(tid, id, parent, created, modified, mode,
remote_addr, text, author, email, website, likes, dislikes, …)`): mode 1 → approved,
2 → pending, 4 → deleted (Isso keeps deleted comments only while replies hang under
them); `text` is Markdown; `likes`/`dislikes` become vote counts; times are Unix seconds.
The database is opened read-only and read with a cursor, never loaded whole.

Generic JSON (a list of `{id, title, comments: [{id, author, email, website,
remote_addr, created, text}]}`): flat comments, approved, `created` as
`YYYY-MM-DD HH:MM:SS` read as UTC, titles URL-form-decoded. Its comment ids are not
unique (often all 0), so each comment's id is derived from its content.
"""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from talkback.importers.bodies import from_markdown
from talkback.importers.dates import from_unix, parse_local
from talkback.importers.fields import clean, derived_id, website
from talkback.importers.formats.json_stream import JsonStream
from talkback.importers.options import UTC_ZONE, ImportOptions
from talkback.importers.progress import CountingReader, Progress
from talkback.importers.records import CommentRecord, ImportFailed, ThreadRecord
from talkback.importers.run import Source
from talkback.importers.staging import Staging
from talkback.importers.summary import ImportSummary

SOURCE = "isso"
_MODES = {1: "approved", 2: "pending", 4: "deleted"}
_SQLITE_MAGIC = b"SQLite format 3\x00"
_COLUMNS = ("tid", "id", "parent", "created", "modified", "mode", "remote_addr", "text",
            "author", "email", "website", "likes", "dislikes")  # fmt: skip


def read_isso(
    path: Path, options: ImportOptions, sink: Staging, summary: ImportSummary, progress: Progress
) -> None:
    with path.open("rb") as probe:
        is_sqlite = probe.read(len(_SQLITE_MAGIC)) == _SQLITE_MAGIC
    if is_sqlite:
        _read_database(path, options, sink, summary, progress)
    else:
        _read_generic_json(path, options, sink, summary, progress)


def _read_database(
    path: Path, options: ImportOptions, sink: Staging, summary: ImportSummary, progress: Progress
) -> None:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        _check_schema(connection)
        size = path.stat().st_size
        total = connection.execute("SELECT COUNT(*) FROM comments").fetchone()[0] or 1
        for tid, uri, title in connection.execute("SELECT id, uri, title FROM threads"):
            sink.add_thread(
                ThreadRecord(key=str(tid), uri=options.thread_uri(uri), title=clean(title))
            )
        rows = connection.execute(f"SELECT {', '.join(_COLUMNS)} FROM comments ORDER BY id")
        for done, row in enumerate(rows, start=1):
            record = _database_comment(dict(zip(_COLUMNS, row, strict=True)), options, summary)
            if record is not None:
                sink.add_comment(record)
            if done % 1000 == 0:
                progress.advance(size * 1000 // total)
    except sqlite3.DatabaseError as exc:
        raise ImportFailed(f"not a readable Isso database: {exc}. Nothing was imported") from exc
    finally:
        connection.close()


def _check_schema(connection: sqlite3.Connection) -> None:
    for table, needed in (("threads", ("id", "uri", "title")), ("comments", _COLUMNS)):
        present = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
        missing = [column for column in needed if column not in present]
        if missing:
            raise ImportFailed(
                f"not an Isso database: table {table!r} lacks {', '.join(missing)}. "
                "Nothing was imported"
            )


def _database_comment(
    row: dict[str, Any], options: ImportOptions, summary: ImportSummary
) -> CommentRecord | None:
    status = _MODES.get(row["mode"])
    if status is None:
        summary.skip(f"Isso mode {row['mode']!r}")
        return None
    created = from_unix(row["created"])
    if created is None:
        summary.skip("comment with an unreadable date")
        return None
    text, html = from_markdown(row["text"] or "")
    return CommentRecord(
        thread_key=str(row["tid"]),
        key=str(row["id"]),
        import_source=SOURCE,
        import_id=str(row["id"]),
        parent_key=None if row["parent"] is None else str(row["parent"]),
        status=status,
        text=text,
        html=html,
        created_at=created,
        edited_at=from_unix(row["modified"]),
        author_name=clean(row["author"]),
        author_email=clean(row["email"]),
        author_website=website(row["website"]),
        ip_hash=options.hash_ip(row["remote_addr"]),
        upvotes=max(int(row["likes"] or 0), 0),
        downvotes=max(int(row["dislikes"] or 0), 0),
    )


def _read_generic_json(
    path: Path, options: ImportOptions, sink: Staging, summary: ImportSummary, progress: Progress
) -> None:
    with path.open("rb") as raw:
        text = io.TextIOWrapper(
            io.BufferedReader(CountingReader(raw, progress)), encoding="utf-8-sig"
        )
        for index, thread in enumerate(JsonStream(text).array_items()):
            if not isinstance(thread, dict):
                summary.skip("thread entry that is not an object")
                continue
            key = f"thread:{index}"
            title = clean(thread.get("title"))
            sink.add_thread(
                ThreadRecord(
                    key=key,
                    uri=options.thread_uri(str(thread.get("id") or "")),
                    title=unquote_plus(title) if title else None,
                )
            )
            for comment in thread.get("comments") or []:
                record = _generic_comment(key, str(thread.get("id")), comment, options, summary)
                if record is not None:
                    sink.add_comment(record)


def _generic_comment(
    thread_key: str, page: str, comment: Any, options: ImportOptions, summary: ImportSummary
) -> CommentRecord | None:
    if not isinstance(comment, dict):
        summary.skip("comment entry that is not an object")
        return None
    created = parse_local(str(comment.get("created") or ""), UTC_ZONE)
    if created is None:
        summary.skip("comment with an unreadable date")
        return None
    text, html = from_markdown(str(comment.get("text") or ""))
    author, email = clean(comment.get("author")), clean(comment.get("email"))
    comment_id = derived_id(page, str(comment.get("id")), comment.get("created"), author,
                            email, text)  # fmt: skip
    return CommentRecord(
        thread_key=thread_key,
        key=comment_id,
        import_source=SOURCE,
        import_id=comment_id,
        parent_key=None,
        status="approved",
        text=text,
        html=html,
        created_at=created,
        author_name=author,
        author_email=email,
        author_website=website(comment.get("website")),
        ip_hash=options.hash_ip(comment.get("remote_addr")),
    )


ISSO = Source(SOURCE, read_isso)
