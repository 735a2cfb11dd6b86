"""Feed routes: a site's comments, a thread's, and a reader's replies at a private URL."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from typing_extensions import TypedDict

from talkback.comments.page_cache import RenderedPage
from talkback.errors import Unauthorized
from talkback.feeds.atom import MEDIA_TYPE
from talkback.feeds.feeds import replies_feed, replies_feed_path, site_feed, thread_feed
from talkback.feeds.keys import reader_of_feed_key, replies_feed_key
from talkback.web.deps import READER_ERRORS, Ctx, ReaderDep, SiteDep, Uri
from talkback.web.errors import API_ERRORS

router = APIRouter(
    prefix="/api/v1/{site}/feeds", tags=["feeds"], responses={**API_ERRORS, **READER_ERRORS}
)

PUBLIC_FEED_CACHE = "public, max-age=60"
"""Feed readers poll every few minutes at most; a minute in shared caches costs nothing."""
PRIVATE_FEED_CACHE = "private, max-age=60"
ATOM_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"content": {MEDIA_TYPE: {}}, "description": "An Atom feed (RFC 4287)"},
    304: {"description": "Not modified: the `If-None-Match` ETag is the feed's"},
}


class RepliesFeed(TypedDict):
    url: str
    """The reader's private replies feed: anyone holding it can read the replies it lists
    (which are public), and nothing else."""


@router.get("/comments.atom", response_class=Response, responses=ATOM_ANSWER)
async def site_comments_feed(request: Request, ctx: Ctx, site: SiteDep) -> Response:
    """The site's newest published comments, newest first."""
    feed = await site_feed(ctx, site, request.headers.get("if-none-match"))
    return _answer(feed, PUBLIC_FEED_CACHE)


@router.get("/thread.atom", response_class=Response, responses=ATOM_ANSWER)
async def thread_comments_feed(request: Request, ctx: Ctx, site: SiteDep, uri: Uri) -> Response:
    """One article's newest published comments, newest first."""
    feed = await thread_feed(ctx, site, uri, request.headers.get("if-none-match"))
    return _answer(feed, PUBLIC_FEED_CACHE)


@router.get("/replies")
async def replies_feed_url(ctx: Ctx, site: SiteDep, reader: ReaderDep) -> RepliesFeed:
    """The URL of the asking reader's replies feed (the same every time)."""
    if reader.reader_id is None:
        raise Unauthorized(
            "send the reader token (X-Talkback-Reader) whose replies the feed lists",
            code="reader_required",
        )
    key = replies_feed_key(ctx.secret_key, site.id, reader.reader_id)
    return {"url": ctx.mail.link(replies_feed_path(site.id, key))}


@router.get("/replies/{key}.atom", response_class=Response, responses=ATOM_ANSWER)
async def replies_to_reader_feed(
    request: Request,
    ctx: Ctx,
    site: SiteDep,
    key: Annotated[str, Path(max_length=300)],
) -> Response:
    """Newest published replies to the comments of the reader the key was made for."""
    reader_id = reader_of_feed_key(ctx.secret_key, site.id, key)
    feed = await replies_feed(ctx, site, reader_id, request.headers.get("if-none-match"))
    return _answer(feed, PRIVATE_FEED_CACHE)


def _answer(feed: RenderedPage, cache_control: str) -> Response:
    headers = {"ETag": feed.etag, "Cache-Control": cache_control}
    if not feed.body:
        return Response(status_code=304, headers=headers)
    return Response(feed.body, media_type=MEDIA_TYPE, headers=headers)
