"""Inline feedback routes: a page's passages, and where they are in an edited article."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from talkback.comments.inline import InlinePage, Placements, locate_passages, read_inline
from talkback.comments.routes import PAGE_CACHE_CONTROL
from talkback.core import drafts
from talkback.web.deps import READER_ERRORS, Ctx, ReaderDep, SiteDep, Uri
from talkback.web.errors import API_ERRORS

router = APIRouter(
    prefix="/api/v1/{site}", tags=["inline feedback"], responses={**API_ERRORS, **READER_ERRORS}
)

LOCATES_PER_READER = "30/minute;300/hour"
"""A reader's browser locates once per view of an edited article; more is a script."""
MAX_LOCATE_BODY_BYTES = 2 * 1024 * 1024
"""The article's text, JSON-escaped: MAX_ARTICLE_TEXT_LENGTH characters fit (app.py)."""


class ArticleText(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, Field(max_length=drafts.MAX_ARTICLE_TEXT_LENGTH)]
    """The article's text as docs/inline-feedback.md defines it; offsets count in it."""


@router.get(
    "/inline",
    # Declared, not validated: the answer is sent as the bytes cached for every reader.
    responses={
        200: {"model": InlinePage},
        304: {"description": "Not modified: the `If-None-Match` ETag is the answer's"},
    },
)
async def inline_feedback(request: Request, ctx: Ctx, site: SiteDep, uri: Uri) -> Response:
    """The page's passages with inline feedback and their counts; the same for everyone."""
    page = await read_inline(ctx, site, uri, request.headers.get("if-none-match"))
    headers = {"ETag": page.etag, "Cache-Control": PAGE_CACHE_CONTROL}
    if not page.body:
        return Response(status_code=304, headers=headers)
    return Response(page.body, media_type="application/json", headers=headers)


@router.post("/inline/locate", responses={200: {"model": Placements}})
async def locate(
    ctx: Ctx, site: SiteDep, uri: Uri, body: ArticleText, reader: ReaderDep
) -> Response:
    """Where each passage of `/inline` is in the article's text as the reader's browser
    holds it, by the rules of `core/anchoring.py`; `changed` when it is not there."""
    await ctx.rate_limits.check(
        LOCATES_PER_READER, site.id, "locate", reader.ip_hash, what="passage lookups"
    )
    return Response(await locate_passages(ctx, site, uri, body.text), media_type="application/json")
