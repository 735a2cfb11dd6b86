"""Commento and Commento++ JSON exports (`{"version": 1, "comments": […], "commenters": […]}`).

Comments name their author by `commenterHex` ("anonymous" for guests) and their parent
by `parentHex` ("root" for top-level ones); the page is `url` (a path; `domain` is the
site's). `markdown` is the body (rendered as our own comments are); `html` is ignored.
`state` approved → approved, unapproved or flagged → pending; `deleted` → deleted.
Commento keeps only a net `score`; it becomes upvotes (or downvotes when negative).
Commenter fields holding the literal "undefined" count as missing.

Commenters are listed after the comments, so the file is read twice: once to collect the
commenters (one small record per person), once to stream the comments.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from talkback.importers.bodies import from_markdown
from talkback.importers.dates import parse_iso
from talkback.importers.fields import clean, website
from talkback.importers.formats.json_stream import JsonStream
from talkback.importers.options import ImportOptions
from talkback.importers.progress import NO_PROGRESS, CountingReader, Progress
from talkback.importers.records import CommentRecord, ImportFailed, ThreadRecord
from talkback.importers.run import Source
from talkback.importers.staging import Staging
from talkback.importers.summary import ImportSummary

SOURCE = "commento"
_STATES = {"approved": "approved", "unapproved": "pending", "flagged": "pending"}
_STREAMED = frozenset({"comments", "commenters"})

Commenter = tuple[str | None, str | None, str | None]


def read_commento(
    path: Path, options: ImportOptions, sink: Staging, summary: ImportSummary, progress: Progress
) -> None:
    commenters: dict[str, Commenter] = {}
    for key, value in _members(path, NO_PROGRESS):
        if key == "version" and value != 1:
            raise ImportFailed(f"Commento export version {value!r} is not supported (only 1)")
        if key == "commenters" and isinstance(value, dict):
            commenters[str(value.get("commenterHex"))] = (
                clean(value.get("name")), clean(value.get("email")), website(value.get("link")),
            )  # fmt: skip
    pages: set[str] = set()
    for key, value in _members(path, progress):
        if key != "comments":
            continue
        if not isinstance(value, dict):
            summary.skip("comment entry that is not an object")
            continue
        page = str(value.get("url") or "")
        if page not in pages:
            pages.add(page)
            sink.add_thread(ThreadRecord(key=page, uri=options.thread_uri(page)))
        record = _comment(page, value, commenters, summary)
        if record is not None:
            sink.add_comment(record)


def _members(path: Path, progress: Progress) -> Iterator[tuple[str, Any]]:
    with path.open("rb") as raw:
        text = io.TextIOWrapper(
            io.BufferedReader(CountingReader(raw, progress)), encoding="utf-8-sig"
        )
        yield from JsonStream(text).object_members(_STREAMED)


def _comment(
    page: str, value: dict[str, Any], commenters: dict[str, Commenter], summary: ImportSummary
) -> CommentRecord | None:
    comment_id = clean(value.get("commentHex"))
    created = parse_iso(value.get("creationDate"))
    if comment_id is None or created is None:
        summary.skip("comment without an id or a readable date")
        return None
    status = "deleted" if value.get("deleted") else _STATES.get(str(value.get("state")), "pending")
    name, email, link = commenters.get(str(value.get("commenterHex")), (None, None, None))
    text, html = from_markdown(str(value.get("markdown") or ""))
    raw_score = value.get("score")
    score = raw_score if isinstance(raw_score, int) else 0
    parent = clean(value.get("parentHex"))
    return CommentRecord(
        thread_key=page,
        key=comment_id,
        import_source=SOURCE,
        import_id=comment_id,
        parent_key=None if parent in (None, "root") else parent,
        status=status,
        text=text,
        html=html,
        created_at=created,
        author_name=name,
        author_email=email,
        author_website=link,
        upvotes=max(score, 0),
        downvotes=max(-score, 0),
    )


COMMENTO = Source(SOURCE, read_commento)
