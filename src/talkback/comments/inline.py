"""Inline feedback of a page: its passages with their counts, and where they are today.

The widget asks for the passages once per page view (cached like a thread page, under the
thread's version), highlights those still at their offsets itself, and only when the
article was edited sends its text to `locate`, which applies `core/anchoring.py`'s rules.
Why there and not in the browser: the rules live in one place with their table of tests,
the fuzzy match is a maintained library (rapidfuzz) rather than code shipped in the
widget, which stays within its size budget, and readers of the same edited article share
one computation.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable
from typing import Any

from anyio import to_thread
from sqlalchemy import and_, bindparam, select
from typing_extensions import TypedDict

from talkback import __version__
from talkback.comments.page_cache import RenderedPage
from talkback.comments.pages import ThreadSummary, page_etag, recall, thread_state
from talkback.comments.thread_states import ThreadState
from talkback.comments.views import PassageAnchor
from talkback.context import Context
from talkback.core.anchoring import Quote, locate_all, text_hash
from talkback.sites.sites import Site
from talkback.store.tables import comments, threads

ENCODE_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
MAX_LOCATED_PASSAGES = 500
"""Passages placed per request: each costs up to a millisecond on a long article."""


class Passage(TypedDict):
    """Feedback on one passage: comments whose anchors are the same selection."""

    id: int
    """The passage's oldest feedback; placements name passages by it."""
    anchor: PassageAnchor
    count: int
    """Published top-level feedback on it (replies are counted in the thread)."""
    comment_ids: list[int]


class InlinePage(TypedDict):
    thread: ThreadSummary
    passages: list[Passage]
    """By where they start in the article; passages without offsets last."""


class PassagePlacement(TypedDict):
    id: int
    start: int | None
    """UTF-16 offsets into the text sent; both null when `how` is `changed`."""
    end: int | None
    how: str
    """`position`, `quote`, `context`, `fuzzy` or `changed` (`core/anchoring.py`)."""


class Placements(TypedDict):
    text_hash: str
    placements: list[PassagePlacement]


FEEDBACK = (
    select(
        threads.c.version,
        threads.c.title,
        threads.c.comment_count,
        comments.c.id,
        comments.c.anchor,
    )
    .select_from(
        threads.outerjoin(
            comments,
            and_(
                comments.c.thread_id == threads.c.id,
                comments.c.parent_id.is_(None),
                comments.c.anchor.is_not(None),
                comments.c.status == "approved",
            ),
        )
    )
    .where(threads.c.id == bindparam("thread_id"))
    .order_by(comments.c.id)
)
"""The thread's state and its published feedback, in one statement (one snapshot)."""


async def read_inline(
    ctx: Context, site: Site, uri: str, if_none_match: str | None = None
) -> RenderedPage:
    """The page's passages as JSON with an ETag; an empty body means "not modified"."""
    thread = await thread_state(ctx, site, uri)
    key = _inline_key(site, uri, thread)
    etag, known = recall(ctx, key, if_none_match)
    if known is not None:
        return known
    snapshot, passages = await _read_passages(ctx, thread, uri)
    if snapshot != thread:  # changed since its state was recalled: tag what was read
        key = _inline_key(site, uri, snapshot)
        etag = page_etag(key)
    body: InlinePage = {"thread": _summary(uri, snapshot), "passages": passages}
    page = RenderedPage(etag=etag, body=ENCODE_JSON(body).encode())
    ctx.pages.put(key, page)
    return page


async def locate_passages(ctx: Context, site: Site, uri: str, text: str) -> bytes:
    """Where each passage of the page is in `text` (the article as the reader's browser
    holds it) by `core/anchoring.py`'s rules: `Placements` as JSON. Remembered in the
    page cache under the thread's version and the text's hash: every reader of an edited
    article sends the same text until it changes again."""
    thread = await thread_state(ctx, site, uri)
    digest = text_hash(text)
    key = (*_inline_key(site, uri, thread), digest)
    remembered = ctx.pages.get(key)
    if remembered is not None:
        return remembered.body
    _snapshot, passages = await _read_passages(ctx, thread, uri)
    # Fuzzy matching a long article costs milliseconds a passage: not on the event loop.
    placements = await to_thread.run_sync(_place, passages[:MAX_LOCATED_PASSAGES], text)
    answer: Placements = {"text_hash": digest, "placements": placements}
    body = ENCODE_JSON(answer).encode()
    ctx.pages.put(key, RenderedPage(etag="", body=body))
    return body


def _place(passages: list[Passage], text: str) -> list[PassagePlacement]:
    quotes = [_quote(passage["anchor"]) for passage in passages]
    return [
        {"id": passage["id"], "start": where.start, "end": where.end, "how": where.how.value}
        for passage, where in zip(passages, locate_all(quotes, text), strict=True)
    ]


def _quote(anchor: PassageAnchor) -> Quote:
    return Quote(
        anchor["exact"], anchor["prefix"], anchor["suffix"], anchor.get("start"), anchor.get("end")
    )


async def _read_passages(
    ctx: Context, thread: ThreadState | None, uri: str
) -> tuple[ThreadState | None, list[Passage]]:
    if thread is None:
        return None, []
    rows = await ctx.database.read_rows(FEEDBACK, {"thread_id": thread.id})
    if not rows:  # the thread is gone
        return None, []
    first = rows[0]
    snapshot = ThreadState(thread.id, first.version, first.title, first.comment_count)
    return snapshot, _grouped((row.id, row.anchor) for row in rows if row.id is not None)


def _grouped(feedback: Iterable[tuple[int, dict[str, Any]]]) -> list[Passage]:
    """Feedback on the same selection (the same quote, context, offsets and question) is
    one passage; `feedback` comes oldest first."""
    passages: dict[tuple[Any, ...], Passage] = {}
    for comment_id, anchor in feedback:
        same = tuple(
            anchor.get(part) for part in ("exact", "prefix", "suffix", "start", "end", "question")
        )
        passage = passages.get(same)
        if passage is None:
            passages[same] = {
                "id": comment_id, "anchor": _anchor(anchor), "count": 1,
                "comment_ids": [comment_id],
            }  # fmt: skip
        else:
            passage["count"] += 1
            passage["comment_ids"].append(comment_id)
    return sorted(
        passages.values(),
        key=lambda p: (p["anchor"].get("start") is None, p["anchor"].get("start", 0), p["id"]),
    )


def _anchor(stored: dict[str, Any]) -> PassageAnchor:
    """The stored anchor in its declared shape (rows written before a part existed, or by
    an importer, may lack the optional ones)."""
    anchor: PassageAnchor = {
        "exact": stored["exact"],
        "prefix": stored.get("prefix", ""),
        "suffix": stored.get("suffix", ""),
    }
    for part in ("start", "end", "text_hash", "question"):
        if stored.get(part) is not None:
            anchor[part] = stored[part]
    return anchor


def _summary(uri: str, thread: ThreadState | None) -> ThreadSummary:
    return {
        "uri": uri,
        "title": thread.title if thread else None,
        "count": thread.count if thread else 0,
    }


def _inline_key(site: Site, uri: str, thread: ThreadState | None) -> tuple[Hashable, ...]:
    return (
        __version__, "inline", site.id, uri, thread.id if thread else 0,
        thread.version if thread else -1,
    )  # fmt: skip
