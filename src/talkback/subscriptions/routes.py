"""The reader API of "Notify of": subscribe, and remove one of your own."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from talkback.subscriptions import service
from talkback.subscriptions.service import SubscribeAnswer
from talkback.subscriptions.views import Kind
from talkback.web.deps import MAX_ID, READER_ERRORS, Ctx, ReaderDep, SiteDep, Uri
from talkback.web.errors import API_ERRORS
from talkback.web.validators import Optional

router = APIRouter(
    prefix="/api/v1/{site}", tags=["subscriptions"], responses={**API_ERRORS, **READER_ERRORS}
)


class SubscribeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[str | None, Field(max_length=254), Optional] = None
    """Left out by a signed-in reader, who subscribes their account's address."""
    kind: Kind
    comment_id: Annotated[int | None, Field(ge=1, le=MAX_ID)] = None
    """The comment whose replies a `comment` subscription follows."""


class Unsubscribed(TypedDict):
    status: Literal["unsubscribed"]


@router.post("/subscriptions", status_code=202)
async def subscribe(
    ctx: Ctx, site: SiteDep, uri: Uri, reader: ReaderDep, body: SubscribeIn
) -> SubscribeAnswer:
    """Ask for notifications; a confirmation mail goes out unless the address is proven."""
    return await service.subscribe(
        ctx, site, uri, reader, kind=body.kind, email=body.email, comment_id=body.comment_id
    )


@router.delete("/subscriptions/{subscription_id}")
async def remove(
    ctx: Ctx,
    site: SiteDep,
    reader: ReaderDep,
    subscription_id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> Unsubscribed:
    """Remove one of the reader's own subscriptions (made under their reader token, or to
    their account's address)."""
    await service.remove_for_reader(ctx, site, reader, subscription_id)
    return {"status": "unsubscribed"}
