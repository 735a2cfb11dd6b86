"""Reader sign-in by email link, the account's display name, and the reader's own data.

Signed-in only, for the data: a reader token alone proves a device, not a person, and
the export and deletion are found by the account's email address, which only the
sign-in link proved.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field
from typing_extensions import TypedDict

from talkback.accounts import service
from talkback.accounts.service import PublicAccount
from talkback.comments.schemas import Name
from talkback.readers.data import ReaderData, ReaderDeletion, delete_reader_data, export_reader_data
from talkback.web.deps import READER_ERRORS, Ctx, ReaderDep, SiteDep
from talkback.web.errors import API_ERRORS, ErrorBody
from talkback.web.validators import Stored


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


router = APIRouter(
    prefix="/api/v1/{site}", tags=["reader accounts"], responses={**API_ERRORS, **READER_ERRORS}
)
NOT_SIGNED_IN: dict[int | str, dict[str, Any]] = {
    401: _error("`not_signed_in`: only a reader signed in by email link may do this"),
}


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


DisplayName = Annotated[Name, Field(min_length=1), AfterValidator(_not_blank)]


class SigninIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[EmailStr, Field(max_length=254)]
    uri: Annotated[str, Field(min_length=1, max_length=4096), Stored]
    """The article the reader is on (path or absolute URL on one of the site's origins):
    the link in the mail leads back there."""


class SigninCompleteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")]


class DisplayNameIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: DisplayName


class LinkSent(TypedDict):
    """Always this, whether or not the address has an account."""

    status: Literal["link_sent"]


class SignedInAnswer(TypedDict):
    reader_token: str
    """Replaces the device's reader token: it now stands for the account."""
    account: PublicAccount


class AccountAnswer(TypedDict):
    account: PublicAccount


@router.post(
    "/signin",
    status_code=202,
    responses={503: _error("`mail_unavailable`: this server sends no mail")},
)
async def request_signin(ctx: Ctx, site: SiteDep, body: SigninIn, reader: ReaderDep) -> LinkSent:
    """Mail a single-use sign-in link (valid 15 minutes) that leads back to the article,
    with `#talkback-signin=<token>`. 422 `uri_not_on_site` / `site_has_no_origin` when the
    link could not point at the site's own pages."""
    await service.request_signin(ctx, site, str(body.email), body.uri, reader)
    return {"status": "link_sent"}


@router.post(
    "/signin/complete",
    responses={
        410: _error("`signin_link_used` or `signin_link_expired`: ask for a new link"),
    },
)
async def complete_signin(
    ctx: Ctx, site: SiteDep, body: SigninCompleteIn, reader: ReaderDep
) -> SignedInAnswer:
    """Use the link's token (once) and sign this device in. 422 `invalid_signin_link` for
    a token that was never issued for this site."""
    signed_in = await service.complete_signin(ctx, site, body.token, reader)
    return {"reader_token": signed_in.reader_token, "account": signed_in.account.public()}


@router.patch("/me", responses=NOT_SIGNED_IN)
async def set_display_name(
    ctx: Ctx, site: SiteDep, body: DisplayNameIn, reader: ReaderDep
) -> AccountAnswer:
    """The name shown on the signed-in reader's comments from now on, on every device."""
    account = await service.set_display_name(ctx, site, reader, body.display_name)
    return {"account": account.public()}


@router.get("/me/data", responses=NOT_SIGNED_IN)
async def export_own_data(ctx: Ctx, site: SiteDep, reader: ReaderDep) -> ReaderData:
    """Everything the site holds about the signed-in reader: the same document staff
    export for a reader's request."""
    account = await service.require_account(ctx, site, reader)
    return await export_reader_data(ctx, site, account.email)


@router.delete("/me/data", responses=NOT_SIGNED_IN)
async def delete_own_data(
    ctx: Ctx,
    site: SiteDep,
    reader: ReaderDep,
    comments: Annotated[Literal["anonymise", "remove"], Query()] = "anonymise",
) -> ReaderDeletion:
    """Delete the signed-in reader's data as staff would: comments kept anonymised (or
    removed with `comments=remove`), votes and reports withdrawn, donations anonymised,
    the account and its sign-in links deleted. The device is a guest afterwards."""
    account = await service.require_account(ctx, site, reader)
    return await delete_reader_data(ctx, site, account.email, comments == "anonymise")
