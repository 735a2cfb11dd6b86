"""`thread.html`: the first page of a thread as server-rendered HTML (comments/fragment.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from talkback.comments.fragment import read_fragment
from talkback.comments.routes import PAGE_CACHE_CONTROL
from talkback.web.deps import Ctx, SiteDep, Uri
from talkback.web.errors import API_ERRORS

router = APIRouter(prefix="/api/v1/{site}", tags=["comments"], responses=API_ERRORS)


@router.get(
    "/thread.html",
    response_class=Response,
    responses={
        200: {"content": {"text/html": {}}, "description": "An HTML fragment: one <section>"},
        304: {"description": "Not modified: the `If-None-Match` ETag is the fragment's"},
    },
)
async def thread_fragment(request: Request, ctx: Ctx, site: SiteDep, uri: Uri) -> Response:
    """The thread's first page (newest first) as HTML to put inside the comments
    container, for readers without JavaScript and for crawlers; the widget replaces it."""
    fragment = await read_fragment(ctx, site, uri, request.headers.get("if-none-match"))
    headers = {"ETag": fragment.etag, "Cache-Control": PAGE_CACHE_CONTROL}
    if not fragment.body:
        return Response(status_code=304, headers=headers)
    return Response(fragment.body, media_type="text/html; charset=utf-8", headers=headers)
