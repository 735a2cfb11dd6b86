"""Routes about pages in bulk and about the reader: counts and `/me`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from typing_extensions import TypedDict

from talkback.comments.pages import count_comments
from talkback.core import drafts
from talkback.core.uris import InvalidUri, normalise_uri
from talkback.errors import Invalid
from talkback.readers.me import ReaderState, reader_state
from talkback.readers.tokens import issue_reader_token
from talkback.sites.sites import PublicSettings
from talkback.web.deps import READER_ERRORS, READER_HEADER, Ctx, ReaderDep, SiteDep, Uri
from talkback.web.errors import API_ERRORS

router = APIRouter(
    prefix="/api/v1/{site}", tags=["readers"], responses={**API_ERRORS, **READER_ERRORS}
)


class SiteConfig(TypedDict):
    site: PublicSettings


class CommentCounts(TypedDict):
    counts: dict[str, int]
    """Comments shown on each page, keyed by its uri exactly as it was asked for."""


@router.get("/config")
async def config(site: SiteDep) -> SiteConfig:
    """The site's public settings, which shape the widget (guest fields, edit window)."""
    return {"site": site.public_settings()}


@router.get("/counts")
async def counts(
    ctx: Ctx,
    site: SiteDep,
    uri: Annotated[list[str], Query(min_length=1, max_length=drafts.MAX_COUNT_URIS)],
) -> CommentCounts:
    """Comment counts keyed by each uri exactly as it was asked for."""
    try:
        normalised = {raw: normalise_uri(raw) for raw in uri}
    except InvalidUri as exc:
        raise Invalid(f"uri: {exc}", code="invalid_uri") from exc
    found = await count_comments(ctx, site, list(set(normalised.values())))
    return {"counts": {raw: found[norm] for raw, norm in normalised.items()}}


@router.get("/me")
async def me(request: Request, ctx: Ctx, site: SiteDep, uri: Uri, reader: ReaderDep) -> ReaderState:
    """The reader's votes and editable comments; hands out a reader token to a newcomer."""
    state = await reader_state(ctx, site, uri, reader)
    if READER_HEADER.lower() not in request.headers:
        state["reader_token"] = issue_reader_token(ctx.secret_key)
    return state
