"""Dependency aliases, so route signatures read like prose."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Path, Query, Request

from talkback.context import Context
from talkback.core.uris import InvalidUri, normalise_uri
from talkback.errors import Invalid
from talkback.readers.tokens import Reader, identify_reader
from talkback.sites.sites import Site
from talkback.web.errors import ErrorBody

READER_HEADER = "X-Talkback-Reader"
EDIT_TOKEN_HEADER = "X-Edit-Token"
MAX_ID = 2**53


async def get_context(request: Request) -> Context:
    context: Context = request.app.state.context
    return context


async def get_site(
    request: Request, site: Annotated[str, Path(max_length=64, description="Site id")]
) -> Site:
    context: Context = request.app.state.context
    return await context.sites.get(site)


async def get_uri(
    uri: Annotated[str, Query(max_length=4096, description="Article path or URL")],
) -> str:
    try:
        return normalise_uri(uri)
    except InvalidUri as exc:
        raise Invalid(f"uri: {exc}", code="invalid_uri") from exc


async def get_reader(
    request: Request,
    token: Annotated[str | None, Header(alias=READER_HEADER, max_length=200)] = None,
) -> Reader:
    context: Context = request.app.state.context
    ip = request.client.host if request.client else "unknown"
    return identify_reader(context.secret_key, ip, token)


Ctx = Annotated[Context, Depends(get_context)]
SiteDep = Annotated[Site, Depends(get_site)]
Uri = Annotated[str, Depends(get_uri)]
ReaderDep = Annotated[Reader, Depends(get_reader)]
READER_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "The `X-Talkback-Reader` token is not valid"}
}
"""Declared by every router with a route that takes `ReaderDep` (a dependency cannot
declare its own answers in `/openapi.json`)."""
CommentId = Annotated[int, Path(ge=1, le=MAX_ID)]
EditToken = Annotated[str | None, Header(alias=EDIT_TOKEN_HEADER, max_length=200)]
