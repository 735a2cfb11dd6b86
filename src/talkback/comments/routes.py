"""Comment routes: read a page of a thread, post, edit, delete."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from talkback.comments import posting as comment_service
from talkback.comments.pages import PageRequest, ThreadPage, read_page
from talkback.comments.schemas import (
    CommentEdit,
    EditAnswer,
    NewComment,
    PostAnswer,
    moderation_outcome,
)
from talkback.core import drafts
from talkback.core.paging import Sort
from talkback.moderation.screening import FormSignals
from talkback.web.deps import READER_ERRORS, CommentId, Ctx, EditToken, ReaderDep, SiteDep, Uri
from talkback.web.errors import API_ERRORS

router = APIRouter(
    prefix="/api/v1/{site}", tags=["comments"], responses={**API_ERRORS, **READER_ERRORS}
)

PAGE_CACHE_CONTROL = "public, max-age=2, stale-while-revalidate=30"


@router.get(
    "/comments",
    # Declared, not validated: the page is sent as the bytes cached for every reader.
    responses={
        200: {"model": ThreadPage},
        304: {"description": "Not modified: the `If-None-Match` ETag is the page's"},
    },
)
async def list_comments(
    request: Request,
    ctx: Ctx,
    site: SiteDep,
    uri: Uri,
    sort: Sort = Sort.NEWEST,
    limit: Annotated[int, Query(ge=1, le=drafts.MAX_PAGE_SIZE)] = drafts.DEFAULT_PAGE_SIZE,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    filter: Annotated[
        Literal["inline", "featured"] | None,
        Query(
            description="`inline`: only inline feedback, with its replies; `featured`: only "
            "comments a moderator featured, with their replies"
        ),
    ] = None,
) -> Response:
    """One page of top-level comments with their reply trees; the same bytes for everyone.
    Pinned comments come first on the first page, whatever the sort."""
    wanted = PageRequest(
        uri, sort, limit, cursor, inline=filter == "inline", featured=filter == "featured"
    )
    page = await read_page(ctx, site, wanted, request.headers.get("if-none-match"))
    headers = {"ETag": page.etag, "Cache-Control": PAGE_CACHE_CONTROL}
    if not page.body:
        return Response(status_code=304, headers=headers)
    return Response(page.body, media_type="application/json", headers=headers)


@router.post(
    "/comments",
    status_code=201,
    response_description="Published",
    responses={202: {"model": PostAnswer, "description": "Held for moderation or refused"}},
)
async def post_comment(
    ctx: Ctx, site: SiteDep, uri: Uri, body: NewComment, reader: ReaderDep, response: Response
) -> PostAnswer:
    """201 with the comment and its edit token; 202 when it is not shown: held for
    moderation (`pending`) or refused (`rejected`). `moderation` says which, and why."""
    draft = comment_service.CommentDraft(
        text=body.text,
        parent_id=body.parent_id,
        author_name=body.author_name,
        email=str(body.email) if body.email else None,
        website=str(body.website) if body.website else None,
        anchor=body.anchor.stored() if body.anchor else None,
        title=body.title,
    )
    signals = FormSignals(
        honeypot=body.honeypot,
        form_seconds=body.form_ms / 1000 if body.form_ms is not None else None,
    )
    posted = await comment_service.post_comment(ctx, site, uri, draft, reader, signals=signals)
    if posted.held:
        response.status_code = 202
    return {
        "comment": posted.comment,
        "edit_token": posted.edit_token,
        "moderation": moderation_outcome(posted.comment, posted.reasons),
    }


@router.patch("/comments/{comment_id}")
async def edit_comment(
    ctx: Ctx,
    site: SiteDep,
    comment_id: CommentId,
    body: CommentEdit,
    reader: ReaderDep,
    edit_token: EditToken = None,
) -> EditAnswer:
    """The edited comment, with `moderation` as for a new one (an edit can take it down)."""
    edited = await comment_service.edit_comment(
        ctx, site, comment_id, body.text, reader, edit_token
    )
    return {**edited.comment, "moderation": moderation_outcome(edited.comment, edited.reasons)}


@router.delete("/comments/{comment_id}", status_code=204)
async def delete_comment(
    ctx: Ctx, site: SiteDep, comment_id: CommentId, reader: ReaderDep, edit_token: EditToken = None
) -> Response:
    await comment_service.delete_comment(ctx, site, comment_id, reader, edit_token)
    return Response(status_code=204)
