"""Thread pages and comment counts answered from memory, before FastAPI sees the request.

Most reads of a news site ask for the same few pages: the first page of this morning's
articles, and the counts beside their links. When this process already holds the answer
(a fresh thread state and the page's bytes, `pages.py`), building it costs nothing, and
what is left is the framework: routing through every route, resolving dependencies,
validating the query, middleware. Measured under load, that was three quarters of a cached
read. This middleware answers such requests itself, with the very bytes and headers the
routes would send (tests compare both), and hands every other request, and every read it
cannot answer from memory, to the app unchanged: the routes stay the one place that
validates, reports errors and fills the caches.

It sits inside the request metrics (its requests are timed and labelled with the route
they stand for) and outside everything else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from talkback.comments.pages import PageRequest, cached_page, etag_matches, recalled_state
from talkback.comments.routes import PAGE_CACHE_CONTROL
from talkback.context import Context
from talkback.core import drafts
from talkback.core.paging import Sort
from talkback.core.uris import InvalidUri, normalise_uri
from talkback.observability.metrics import record_page_lookup
from talkback.observability.middleware import RouteLabel
from talkback.sites.sites import Site
from talkback.web.cors import EXPOSED_HEADERS

SITE_READ = re.compile(r"^/api/v1/([a-z0-9][a-z0-9-]{0,63})/(comments|counts)$")
PAGE_PARAMETERS = frozenset({"uri", "sort", "limit", "cursor", "filter"})
MAX_REMEMBERED_QUERIES = 10_000
ENCODE_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
"""As FastAPI encodes a route's answer, so a counts answer is byte for byte the same."""

CACHE_CONTROL = PAGE_CACHE_CONTROL.encode()
ROUTES = {what: RouteLabel("/api/v1/{site}/" + what) for what in ("comments", "counts")}
"""What the request metrics label these answers with: the routes they stand for."""
Answer = tuple[int, list[tuple[bytes, bytes]], bytes]
T = TypeVar("T")


class CachedReads:
    """Serves cached thread pages and counts of fresh threads; passes on everything else."""

    def __init__(self, app: ASGIApp, context: Context) -> None:
        self.app = app
        self._context = context
        self._page_requests: dict[bytes, PageRequest | None] = {}
        self._count_requests: dict[bytes, dict[str, str] | None] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            match = SITE_READ.match(scope["path"])
            site = match and self._context.sites.peek(match.group(1))
            if match and site:
                what = match.group(2)
                answer = (
                    self._page(site, scope) if what == "comments" else self._counts(site, scope)
                )
                if answer is not None:
                    scope["route"] = ROUTES[what]
                    await _send(send, *_with_cors(site, scope, answer))
                    return
        await self.app(scope, receive, send)

    def _page(self, site: Site, scope: Scope) -> Answer | None:
        request = _remembered(self._page_requests, scope["query_string"], _page_request)
        if request is None:
            return None
        page = cached_page(self._context, site, request)
        if page is None:
            return None
        record_page_lookup(hit=True)
        headers = [(b"etag", page.etag.encode()), (b"cache-control", CACHE_CONTROL)]
        if_none_match = _header(scope, b"if-none-match")
        if if_none_match is not None and etag_matches(if_none_match, page.etag):
            return 304, headers, b""
        return 200, [*headers, (b"content-type", b"application/json")], page.body

    def _counts(self, site: Site, scope: Scope) -> Answer | None:
        uris = _remembered(self._count_requests, scope["query_string"], _count_request)
        if uris is None:
            return None
        counts: dict[str, int] = {}
        for raw, uri in uris.items():
            known, state = recalled_state(self._context, site.id, uri)
            if not known:
                return None
            counts[raw] = state.count if state is not None else 0
        body = ENCODE_JSON({"counts": counts}).encode()
        return 200, [(b"content-type", b"application/json")], body


def _page_request(query_string: bytes) -> PageRequest | None:
    """The page a query asks for, or None when only the route can tell (bad or odd input)."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    given = dict(pairs)
    if len(given) != len(pairs) or not given.keys() <= PAGE_PARAMETERS or "uri" not in given:
        return None
    try:
        uri = normalise_uri(given["uri"])
        sort = Sort(given.get("sort", Sort.NEWEST.value))
        limit = int(given.get("limit", drafts.DEFAULT_PAGE_SIZE))
    except (InvalidUri, ValueError):
        return None
    cursor = given.get("cursor")
    if not 1 <= limit <= drafts.MAX_PAGE_SIZE or (cursor is not None and len(cursor) > 300):
        return None
    only = given.get("filter")
    if only not in (None, "inline", "featured"):
        return None
    return PageRequest(
        uri, sort, limit, cursor, inline=only == "inline", featured=only == "featured"
    )


def _count_request(query_string: bytes) -> dict[str, str] | None:
    """Each uri as asked → its thread's uri, or None when only the route can tell."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    if not 1 <= len(pairs) <= drafts.MAX_COUNT_URIS or any(key != "uri" for key, _ in pairs):
        return None
    try:
        return {raw: normalise_uri(raw) for _, raw in pairs}
    except InvalidUri:
        return None


def _remembered(
    known: dict[bytes, T | None], query_string: bytes, parse: Callable[[bytes], T | None]
) -> T | None:
    """`parse(query_string)`, remembered: the same few queries arrive again and again."""
    if query_string in known:
        return known[query_string]
    if len(known) >= MAX_REMEMBERED_QUERIES:
        known.clear()
    parsed = known[query_string] = parse(query_string)
    return parsed


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _with_cors(site: Site, scope: Scope, answer: Answer) -> Answer:
    """The headers `web/cors.py` adds to a read from an origin the site allows."""
    origin = _header(scope, b"origin")
    if origin is None or not site.allows_origin(origin):
        return answer
    status, headers, body = answer
    cors = [
        (b"access-control-allow-origin", origin.encode("latin-1")),
        (b"access-control-expose-headers", EXPOSED_HEADERS.encode()),
        (b"vary", b"Origin"),
    ]
    return status, [*headers, *cors], body


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    if status != 304:  # as Starlette: a 304 has no body, so no length
        headers = [(b"content-length", str(len(body)).encode()), *headers]
    start: Message = {"type": "http.response.start", "status": status, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": body})
