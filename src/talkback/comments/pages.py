"""Reading threads: one page of top-level comments with their reply trees, and counts.

A page costs the thread's version (from memory while fresh, else one indexed lookup), then
either a cache hit or one statement whose size is the page's, never the thread's: the
thread row, the top-level comments by keyset on the sort index, and every visible reply
of those roots by `root_id`, read together.

Why one statement: each statement through SQLAlchemy costs about four round trips to
aiosqlite's thread (one to PostgreSQL), and a transaction around several statements two
more; those round trips, not the queries, were most of what a page cost. One statement
also reads one snapshot by itself, so it needs no transaction on either backend
(`Database.read_rows`), and the page it returns is consistent with the thread version
read in the same snapshot, which is the version the page is cached and tagged under.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Row,
    Select,
    and_,
    bindparam,
    func,
    literal_column,
    null,
    or_,
    select,
    true,
    union_all,
)
from typing_extensions import TypedDict

from talkback import __version__, clock
from talkback.comments.page_cache import RenderedPage
from talkback.comments.thread_states import ThreadState
from talkback.comments.views import PUBLIC_COLUMNS, PublicComment, comment_view
from talkback.context import Context
from talkback.core.closing import is_closed
from talkback.core.paging import Cursor, InvalidCursor, Sort, decode_cursor
from talkback.core.threads import nest_replies
from talkback.errors import Invalid
from talkback.observability.metrics import record_page_lookup
from talkback.sites.sites import Site
from talkback.store.queries import visible_comment
from talkback.store.tables import comments, threads
from talkback.store.types import UTCDateTime

ENCODE_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
"""The page's JSON encoder, made once (`json.dumps` with arguments makes one per call)."""


class ThreadSummary(TypedDict):
    uri: str
    """As the server normalised it."""
    title: str | None
    count: int
    """Published comments in the whole thread, replies included, as the heading shows."""


class ThreadStatus(ThreadSummary):
    """A thread page's thread: its summary, and whether it takes new comments."""

    closed: bool
    """No new comments, replies or votes (`core/closing.py`): the widget hides its form."""
    close_message: str | None
    """The moderator's word on why, shown in place of the form (only while closed)."""


class ThreadPage(TypedDict):
    """One page of a thread: top-level comments in the page's order, each with its whole
    reply tree (oldest first), and the cursor of the next page (null on the last). The
    first page starts with the pinned comments (earliest pinned first), in every sort."""

    thread: ThreadStatus
    comments: list[PublicComment]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class PageRequest:
    uri: str
    sort: Sort = Sort.NEWEST
    limit: int = 20
    cursor: str | None = None
    inline: bool = False
    """Only inline feedback (top-level comments on a passage), with their replies."""
    featured: bool = False
    """Only featured comments (top-level ones a moderator featured), with their replies."""


async def read_page(
    ctx: Context, site: Site, request: PageRequest, if_none_match: str | None = None
) -> RenderedPage:
    """The page's JSON bytes and ETag; identical for every reader, hence cacheable.

    The ETag is derived from the thread's version and the request, so a client holding it
    (`if_none_match`) is answered without reading any comment: the returned page then has
    an empty body, meaning "not modified". A cached page carries its ETag, so a hit or a
    304 of a cached page computes nothing but the key.
    """
    cursor = _parse_cursor(request)
    thread = await thread_state(ctx, site, request.uri)
    key = _page_key(site, request, thread)
    etag, known = recall(ctx, key, if_none_match)
    if known is not None:
        return known
    if thread is None:
        body = _page_body(request.uri, None, [], None)
    else:
        thread_key = (site.id, request.uri)
        generation = ctx.threads.generation(thread_key)
        snapshot, body = await ctx.shared_reads.read(
            ("page", key), lambda: _read_page(ctx, site, thread.id, request, cursor)
        )
        if snapshot != thread:
            # The thread changed since its state was recalled (a change not dispatched
            # here yet): the page shows the snapshot, so it is keyed by the snapshot.
            ctx.threads.remember(thread_key, snapshot, generation)
            key = _page_key(site, request, snapshot)
            etag = page_etag(key)
    page = RenderedPage(etag=etag, body=body)
    ctx.pages.put(key, page)
    return page


def cached_page(ctx: Context, site: Site, request: PageRequest) -> RenderedPage | None:
    """The page if this process holds it for the thread's current version, without
    waiting for anything; None when only `read_page` can tell."""
    known, thread = recalled_state(ctx, site.id, request.uri)
    if not known:
        return None
    return ctx.pages.get(_page_key(site, request, thread))


def recalled_state(ctx: Context, site_id: str, uri: str) -> tuple[bool, ThreadState | None]:
    """The thread's state from memory (see `ThreadStates.recall_or_refresh`), starting
    its lookup in the background when it has just expired."""
    known, state, refresh = ctx.threads.recall_or_refresh((site_id, uri))
    if refresh:
        ctx.run_in_background(_look_up_state(ctx, site_id, uri))
    return known, state


STATE_COLUMNS = (
    threads.c.id, threads.c.version, threads.c.title, threads.c.comment_count,
    threads.c.created_at, threads.c.close_override, threads.c.close_message,
)  # fmt: skip
THREAD_STATE = select(*STATE_COLUMNS).where(
    threads.c.site_id == bindparam("site_id"), threads.c.uri == bindparam("uri")
)


def _state(row: Any) -> ThreadState:
    """A thread's state from a row of STATE_COLUMNS."""
    return ThreadState(
        row.id, row.version, row.title, row.comment_count, row.created_at, row.close_override,
        row.close_message,
    )  # fmt: skip


def thread_closed(site: Site, thread: ThreadState | None) -> bool:
    """Whether the thread takes no new comments or votes now (`core/closing.py`)."""
    if thread is None or (thread.close_override is None and not site.auto_close_days):
        return False
    return is_closed(thread.close_override, thread.created_at, site.auto_close_days, clock.now())


async def thread_state(ctx: Context, site: Site, uri: str) -> ThreadState | None:
    """The thread's id and version: from memory while fresh, else one indexed lookup."""
    known, state = ctx.threads.recall((site.id, uri))
    if known:
        return state
    return await ctx.shared_reads.read(
        ("thread state", site.id, uri), lambda: _look_up_state(ctx, site.id, uri)
    )


async def _look_up_state(ctx: Context, site_id: str, uri: str) -> ThreadState | None:
    key = (site_id, uri)
    generation = ctx.threads.generation(key)
    rows = await ctx.database.read_rows(THREAD_STATE, {"site_id": site_id, "uri": uri})
    state = _state(rows[0]) if rows else None
    ctx.threads.remember(key, state, generation)
    return state


def _page_key(site: Site, request: PageRequest, thread: ThreadState | None) -> Hashable:
    """Closing is in the key: the site's clock closes a thread without changing it."""
    return (
        __version__, site.id, request.uri, thread.id if thread else 0,
        thread.version if thread else -1, request.sort.value, request.limit, request.cursor,
        request.inline, request.featured, thread_closed(site, thread),
    )  # fmt: skip


def recall(
    ctx: Context, key: Hashable, if_none_match: str | None
) -> tuple[str, RenderedPage | None]:
    """The ETag of the answer cached (or to be cached) under `key`, and the answer itself
    when no read is needed: the cached bytes, or an empty body meaning "not modified" when
    the client holds that ETag. Keys name the bytes they stand for (a thread's version,
    the request), so a match needs no read at all."""
    cached = ctx.pages.get(key)
    record_page_lookup(hit=cached is not None)
    etag = cached.etag if cached is not None else page_etag(key)
    if if_none_match is not None and etag_matches(if_none_match, etag):
        return etag, RenderedPage(etag=etag, body=b"")
    return etag, cached


def page_etag(key: Hashable) -> str:
    return '"' + hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest() + '"'


COUNTS = select(*STATE_COLUMNS, threads.c.uri).where(
    threads.c.site_id == bindparam("site_id"), threads.c.uri.in_(bindparam("uris", expanding=True))
)


async def count_comments(ctx: Context, site: Site, uris: list[str]) -> dict[str, int]:
    """Approved comment counts of many pages at once, 0 for pages with no thread.

    What it reads is remembered as each thread's state, so the next counts of these pages
    (and their cached pages) are answered from memory while fresh (`cached_reads.py`).
    """
    asked = tuple(sorted(set(uris)))
    found = await ctx.shared_reads.read(
        ("counts", site.id, asked), lambda: _read_states(ctx, site.id, asked)
    )
    return {uri: found[uri].count if uri in found else 0 for uri in uris}


async def _read_states(ctx: Context, site_id: str, uris: tuple[str, ...]) -> dict[str, ThreadState]:
    """The states of the threads of `uris` that exist, remembered (absent ones as None)."""
    generations = {uri: ctx.threads.generation((site_id, uri)) for uri in uris}
    rows = await ctx.database.read_rows(COUNTS, {"site_id": site_id, "uris": list(uris)})
    found = {row.uri: _state(row) for row in rows}
    for uri in uris:
        ctx.threads.remember((site_id, uri), found.get(uri), generations[uri])
    return found


def etag_matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 weak comparison of an If-None-Match list against our strong ETag."""
    candidates = [tag.strip() for tag in if_none_match.split(",")]
    return "*" in candidates or any(tag.removeprefix("W/") == etag for tag in candidates)


def _parse_cursor(request: PageRequest) -> Cursor | None:
    if request.cursor is None:
        return None
    try:
        return decode_cursor(request.cursor, request.sort)
    except InvalidCursor as exc:
        raise Invalid(f"cursor: {exc}", code="invalid_cursor") from exc


def _sort_order(sort: Sort, columns: Any) -> list[ColumnElement[Any]]:
    """The page's order over `columns` (the comments table's, or the same names of a CTE)."""
    if sort is Sort.OLDEST:
        return [columns.created_at.asc(), columns.id.asc()]
    if sort is Sort.NEWEST:
        return [columns.created_at.desc(), columns.id.desc()]
    return [columns.score.desc(), columns.id.desc()]


def _after_cursor(sort: Sort) -> ColumnElement[bool]:
    """Comments after the cursor's sort key, which arrives as parameters."""
    c = comments.c
    created = bindparam("created_at", type_=UTCDateTime())
    score = bindparam("score", type_=Integer())
    comment_id = bindparam("comment_id", type_=Integer())
    if sort is Sort.OLDEST:
        return or_(c.created_at > created, and_(c.created_at == created, c.id > comment_id))
    if sort is Sort.NEWEST:
        return or_(c.created_at < created, and_(c.created_at == created, c.id < comment_id))
    return or_(c.score < score, and_(c.score == score, c.id < comment_id))


def _page_query(sort: Sort, after_cursor: bool, inline: bool, featured: bool) -> Select[Any]:
    """The page statement for one sort order, with the values left as parameters.

    Built once per (sort, cursor or not, inline feedback only or not, featured only or
    not) at import: SQLAlchemy then reuses its compiled form, and a cache miss spends
    nothing on assembling SQL.

    Pinned comments are kept out of the keyset: the first page (no cursor) shows all of
    them before its `limit` others, with negative positions (earliest pinned first), and
    no later page shows them again.

    Parameters: `thread_id`; `fetch` (the page size plus one, which tells whether a next
    page exists) and `limit` (the page size: only the roots shown bring their replies);
    after a cursor, its `created_at`, `score` and `comment_id`. Each row carries the
    thread's `version`, `title`, `comment_count`, `thread_created_at`, `close_override` and
    `close_message`, then `kind` (0 a root, 1 a reply;
    None on the one row of a thread with nothing to show), the root's `position` in the
    page, and PUBLIC_COLUMNS. Roots come first in the page's order, then replies oldest
    first. No row at all means the thread is gone.
    """
    c = comments.c
    top_level = select(*PUBLIC_COLUMNS).where(
        c.thread_id == bindparam("thread_id"), c.parent_id.is_(None), visible_comment()
    )
    if inline:
        top_level = top_level.where(c.anchor.is_not(None))
    if featured:
        top_level = top_level.where(c.featured_at.is_not(None))
    roots_query = (
        top_level.where(c.pinned_at.is_(None))
        .order_by(*_sort_order(sort, c))
        .limit(bindparam("fetch"))
    )
    if after_cursor:
        roots_query = roots_query.where(_after_cursor(sort))
    roots = roots_query.cte("roots")
    ranked = select(
        literal_column("0").label("kind"),
        func.row_number().over(order_by=_sort_order(sort, roots.c)).label("position"),
        *roots.c,
    ).cte("ranked")
    parts: list[Select[Any]] = [select(*ranked.c)]
    shown: Any = select(ranked.c.id).where(ranked.c.position <= bindparam("limit"))
    if not after_cursor:
        pins = top_level.where(c.pinned_at.is_not(None)).cte("pins")
        latest_first = [pins.c.pinned_at.desc(), pins.c.id.desc()]
        pinned = select(
            literal_column("0").label("kind"),
            (-func.row_number().over(order_by=latest_first)).label("position"),
            *pins.c,
        ).cte("pinned")
        parts.insert(0, select(*pinned.c))
        shown = union_all(shown, select(pinned.c.id))
    replies = select(literal_column("1"), null(), *PUBLIC_COLUMNS).where(
        c.root_id.in_(shown), visible_comment()
    )
    page = union_all(*parts, replies).subquery("page")
    thread_columns = (
        threads.c.version, threads.c.title, threads.c.comment_count,
        threads.c.created_at.label("thread_created_at"), threads.c.close_override,
        threads.c.close_message,
    )  # fmt: skip
    return (
        select(*thread_columns, *page.c)
        .select_from(threads.outerjoin(page, true()))
        .where(threads.c.id == bindparam("thread_id"))
        .order_by(page.c.kind, page.c.position, page.c.created_at, page.c.id)
    )


PAGES = {
    (sort, after, inline, featured): _page_query(sort, after, inline, featured)
    for sort in Sort
    for after in (False, True)
    for inline in (False, True)
    for featured in (False, True)
}
PUBLIC_FROM = 8
"""Where PUBLIC_COLUMNS begin in a row of a page statement."""


async def _read_page(
    ctx: Context, site: Site, thread_id: int, request: PageRequest, cursor: Cursor | None
) -> tuple[ThreadState | None, bytes]:
    """The page's bytes, and the thread's state in the snapshot the page was read from."""
    parameters: dict[str, Any] = {
        "thread_id": thread_id, "fetch": request.limit + 1, "limit": request.limit,
    }  # fmt: skip
    if cursor is not None:
        parameters |= {
            "created_at": cursor.created_at, "score": cursor.score, "comment_id": cursor.comment_id,
        }  # fmt: skip
    statement = PAGES[request.sort, cursor is not None, request.inline, request.featured]
    rows = await ctx.database.read_rows(statement, parameters)
    if not rows:
        return None, _page_body(request.uri, None, [], None)
    first = rows[0]
    snapshot = ThreadState(
        thread_id, first.version, first.title, first.comment_count, first.thread_created_at,
        first.close_override, first.close_message,
    )  # fmt: skip
    roots: list[PublicComment] = []
    replies: list[PublicComment] = []
    last: Row[Any] | None = None
    more = False
    for row in rows:
        kind = row.kind
        if kind == 1:
            replies.append(comment_view(*row[PUBLIC_FROM:]))
        elif kind == 0 and row.position <= request.limit:
            roots.append(comment_view(*row[PUBLIC_FROM:]))
            if row.position > 0:  # pinned ones (before 0) are outside the keyset
                last = row
        elif kind == 0:
            more = True
    next_cursor = None
    if more and last is not None:
        next_cursor = Cursor(request.sort, last.created_at, last.score, last.id).encode()
    nest_replies(roots, replies)
    closed = thread_closed(site, snapshot)
    return snapshot, _page_body(request.uri, snapshot, roots, next_cursor, closed)


def _page_body(
    uri: str,
    thread: ThreadState | None,
    roots: list[PublicComment],
    next_cursor: str | None,
    closed: bool = False,
) -> bytes:
    body: ThreadPage = {
        "thread": {
            "uri": uri,
            "title": thread.title if thread else None,
            "count": thread.count if thread else 0,
            "closed": closed,
            "close_message": thread.close_message if closed and thread else None,
        },
        "comments": roots,
        "next_cursor": next_cursor,
    }
    return ENCODE_JSON(body).encode()
