"""Cached pages and counts answered from memory are the routes' answers, byte for byte."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import event
from starlette.types import Receive, Scope, Send

from talkback.comments.cached_reads import CachedReads
from tests.api.conftest import ARTICLE, ORIGIN, SITE, Api

PAGE = f"/api/v1/{SITE}/comments"
COUNTS = f"/api/v1/{SITE}/counts"
# FastAPI ignores a parameter it does not know, while the cached reads leave any query they
# do not fully understand to the routes: the same request with it goes through the route.
THROUGH_THE_ROUTE = {"via": "route"}


def _same(route: httpx.Response, cached: httpx.Response) -> None:
    assert cached.status_code == route.status_code
    assert cached.content == route.content
    assert dict(cached.headers) == dict(route.headers)


async def _both(
    api: Api, path: str, params: list[tuple[str, Any]], headers: dict[str, str] | None = None
) -> None:
    route = await api.client.get(
        path, params=[*params, *THROUGH_THE_ROUTE.items()], headers=headers
    )
    cached = await api.client.get(path, params=params, headers=headers)
    _same(route, cached)


@pytest.mark.parametrize("origin", [None, ORIGIN, "https://elsewhere.example"])
async def test_a_cached_page_is_the_routes_page(api: Api, origin: str | None) -> None:
    await api.posted("First")
    await api.posted("Second", parent_id=(await api.posted("Third"))["comment"]["id"])
    headers = {"Origin": origin} if origin else {}
    queries: list[list[tuple[str, Any]]] = [
        [("uri", ARTICLE)],
        [("uri", ARTICLE), ("sort", "oldest"), ("limit", "2")],
        [("uri", "https://news.example" + ARTICLE + "/?utm_source=x")],
        [("uri", "/no/thread/here")],
    ]
    for params in queries:
        await api.client.get(PAGE, params=params, headers=headers)  # fills the cache
        await _both(api, PAGE, params, headers)
    etag = (await api.client.get(PAGE, params={"uri": ARTICLE})).headers["etag"]
    await _both(api, PAGE, [("uri", ARTICLE)], {**headers, "If-None-Match": etag})


async def test_counts_of_fresh_threads_are_the_routes_counts(api: Api) -> None:
    await api.posted("One")
    await api.posted("Two", uri="/2026/11/other")
    params: list[tuple[str, Any]] = [
        ("uri", ARTICLE),
        ("uri", "https://news.example/2026/11/other/"),
        ("uri", "/none"),
    ]
    await api.client.get(COUNTS, params=params)
    await _both(api, COUNTS, params, {"Origin": ORIGIN})


async def test_a_new_comment_shows_at_once(api: Api) -> None:
    """Answering from memory never hides a change made through this process."""
    await api.posted("Before")
    assert len((await api.page())["comments"]) == 1
    await api.client.get(COUNTS, params={"uri": ARTICLE})
    await api.posted("After")
    assert len((await api.page())["comments"]) == 2
    counts = (await api.client.get(COUNTS, params={"uri": ARTICLE})).json()
    assert counts == {"counts": {ARTICLE: 2}}


async def test_cached_reads_need_neither_the_routes_nor_the_database(api: Api) -> None:
    await api.posted("Cached")
    await api.page()
    await api.client.get(COUNTS, params={"uri": ARTICLE})
    statements: list[str] = []

    async def no_route(scope: Scope, receive: Receive, send: Send) -> None:
        raise AssertionError(f"reached the app: {scope['path']}")

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(api.context.database.engine.sync_engine, "before_cursor_execute", count)
    alone = CachedReads(no_route, context=api.context)
    transport = httpx.ASGITransport(app=alone)
    async with httpx.AsyncClient(transport=transport, base_url="http://talkback.test") as client:
        page = await client.get(PAGE, params={"uri": ARTICLE})
        counts = await client.get(COUNTS, params={"uri": ARTICLE})
    event.remove(api.context.database.engine.sync_engine, "before_cursor_execute", count)
    assert "Cached" in page.json()["comments"][0]["html"]
    assert counts.json() == {"counts": {ARTICLE: 1}}
    assert statements == []


@pytest.mark.parametrize(
    "query",
    [{"uri": ARTICLE, "limit": "0"}, {"uri": ARTICLE, "sort": "best"}, {"uri": ""},
     {"uri": ARTICLE, "cursor": "not-a-cursor"}],
)  # fmt: skip
async def test_bad_reads_still_get_the_routes_errors(api: Api, query: dict[str, str]) -> None:
    await api.posted("Cached")
    await api.page()
    response = await api.client.get(PAGE, params=query)
    assert response.status_code in (400, 422)
    assert response.json()["error"]["code"]
