"""Reading threads: one page of top-level comments with their reply trees, and counts.

A page costs the thread's version (from memory while fresh, else one indexed lookup), then
either a cache hit or two indexed queries whose size is the page's, never the thread's:
top-level comments by keyset on the sort index, then every visible reply of those roots
by `root_id`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback import __version__
from talkback.core.paging import Cursor, InvalidCursor, Sort, decode_cursor
from talkback.core.threads import nest_replies
from talkback.errors import Invalid
from talkback.live.live import thread_channel
from talkback.services.context import Context
from talkback.services.page_cache import RenderedPage
from talkback.services.sites import Site
from talkback.services.thread_states import ThreadState
from talkback.services.views import public_comment, select_public
from talkback.store.queries import visible_comment
from talkback.store.tables import comments, threads
from talkback.store.types import UTCDateTime


@dataclass(frozen=True, slots=True)
class PageRequest:
    uri: str
    sort: Sort = Sort.NEWEST
    limit: int = 20
    cursor: str | None = None


async def read_page(
    ctx: Context, site: Site, request: PageRequest, if_none_match: str | None = None
) -> RenderedPage:
    """The page's JSON bytes and ETag; identical for every reader, hence cacheable.

    The ETag is derived from the thread's version and the request, so a client holding it
    (`if_none_match`) is answered after the one-row thread lookup: the returned page then
    has an empty body, meaning "not modified".
    """
    cursor = _parse_cursor(request)
    thread = await _thread_state(ctx, site, request.uri)
    key = (
        __version__, site.id, request.uri, thread.id if thread else 0,
        thread.version if thread else -1, request.sort.value, request.limit, request.cursor,
    )  # fmt: skip
    etag = '"' + hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest() + '"'
    if if_none_match is not None and etag_matches(if_none_match, etag):
        return RenderedPage(etag=etag, body=b"")
    cached = ctx.pages.get(key)
    if cached is not None:
        return cached
    roots: list[dict[str, Any]] = []
    next_cursor = None
    if thread is not None:
        async with ctx.database.read() as conn:
            roots, next_cursor = await _page_of_roots(conn, thread.id, request, cursor)
            await _attach_replies(conn, roots)
    body = {
        "thread": {
            "uri": request.uri,
            "title": thread.title if thread else None,
            "count": thread.count if thread else 0,
        },
        "comments": roots,
        "next_cursor": next_cursor,
    }
    page = RenderedPage(
        etag=etag, body=json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    )
    ctx.pages.put(key, page)
    return page


async def _thread_state(ctx: Context, site: Site, uri: str) -> ThreadState | None:
    """The thread's id and version: from memory while fresh, else one indexed lookup."""
    channel = thread_channel(site.id, uri)
    known, state = ctx.threads.recall(channel)
    if known:
        return state
    generation = ctx.threads.generation(channel)
    async with ctx.database.read() as conn:
        row = (
            await conn.execute(
                select(threads.c.id, threads.c.title, threads.c.comment_count, threads.c.version)
                .where(threads.c.site_id == site.id, threads.c.uri == uri)
            )
        ).first()  # fmt: skip
    state = ThreadState(row.id, row.version, row.title, row.comment_count) if row else None
    ctx.threads.remember(channel, state, generation)
    return state


async def count_comments(ctx: Context, site: Site, uris: list[str]) -> dict[str, int]:
    """Approved comment counts of many pages at once, 0 for pages with no thread."""
    async with ctx.database.read() as conn:
        rows = (
            await conn.execute(
                select(threads.c.uri, threads.c.comment_count).where(
                    threads.c.site_id == site.id, threads.c.uri.in_(set(uris))
                )
            )
        ).all()
    found = {row.uri: row.comment_count for row in rows}
    return {uri: found.get(uri, 0) for uri in uris}


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


def _roots_query(sort: Sort, after_cursor: bool) -> Select[Any]:
    """The page-of-roots statement for one sort order, with the values left as parameters.

    Built once per (sort, cursor or not) at import: SQLAlchemy then reuses its compiled
    form, and a cache miss spends nothing on assembling SQL.
    """
    c = comments.c
    created = bindparam("created_at", type_=UTCDateTime())
    score = bindparam("score", type_=Integer())
    comment_id = bindparam("comment_id", type_=Integer())
    order: list[Any]
    after: ColumnElement[bool]
    if sort is Sort.OLDEST:
        order = [c.created_at.asc(), c.id.asc()]
        after = or_(c.created_at > created, and_(c.created_at == created, c.id > comment_id))
    elif sort is Sort.NEWEST:
        order = [c.created_at.desc(), c.id.desc()]
        after = or_(c.created_at < created, and_(c.created_at == created, c.id < comment_id))
    else:
        order = [c.score.desc(), c.id.desc()]
        after = or_(c.score < score, and_(c.score == score, c.id < comment_id))
    query = (
        select_public()
        .where(c.thread_id == bindparam("thread_id"), c.parent_id.is_(None), visible_comment())
        .order_by(*order)
        .limit(bindparam("limit"))
    )
    return query.where(after) if after_cursor else query


ROOTS = {(sort, after): _roots_query(sort, after) for sort in Sort for after in (False, True)}
REPLIES = (
    select_public()
    .where(comments.c.root_id.in_(bindparam("roots", expanding=True)), visible_comment())
    .order_by(comments.c.created_at.asc(), comments.c.id.asc())
)


async def _page_of_roots(
    conn: AsyncConnection, thread_id: int, request: PageRequest, cursor: Cursor | None
) -> tuple[list[dict[str, Any]], str | None]:
    parameters: dict[str, Any] = {"thread_id": thread_id, "limit": request.limit + 1}
    if cursor is not None:
        parameters |= {
            "created_at": cursor.created_at, "score": cursor.score, "comment_id": cursor.comment_id,
        }  # fmt: skip
    query = ROOTS[request.sort, cursor is not None]
    rows = (await conn.execute(query, parameters)).all()
    next_cursor = None
    if len(rows) > request.limit:
        rows = rows[: request.limit]
        last = rows[-1]
        next_cursor = Cursor(request.sort, last.created_at, last.score, last.id).encode()
    return [public_comment(row) for row in rows], next_cursor


async def _attach_replies(conn: AsyncConnection, roots: list[dict[str, Any]]) -> None:
    if not roots:
        return
    rows = (await conn.execute(REPLIES, {"roots": [root["id"] for root in roots]})).all()
    nest_replies(roots, [public_comment(row) for row in rows])
