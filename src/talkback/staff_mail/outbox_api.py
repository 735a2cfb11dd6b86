"""The outbox in the admin JSON API (admins only): list by status, retry, test mail."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import Field
from typing_extensions import TypedDict

from talkback.admin.api import guarded_api_router
from talkback.admin.auth import AdminDep
from talkback.admin.schemas import Strict
from talkback.core import drafts
from talkback.outbox.messages import Status
from talkback.staff_mail.outbox_view import (
    OutboxCounts,
    OutboxMessage,
    list_messages,
    retry_message,
    send_test_mail,
    status_counts,
)
from talkback.web.deps import MAX_ID, Ctx

OutboxId = Annotated[int, Path(ge=1, le=MAX_ID)]

router = guarded_api_router()


class OutboxListOut(TypedDict):
    """Failed first, then pending, sending, dropped and sent; newest first in each.
    `counts` are of the whole outbox, whatever the filter."""

    messages: list[OutboxMessage]
    counts: OutboxCounts


class OutboxMessageOut(TypedDict):
    message: OutboxMessage


class TestMailIn(Strict):
    recipient: Annotated[str, Field(min_length=3, max_length=drafts.MAX_EMAIL_LENGTH)]


@router.get("/outbox")
async def outbox_list(
    ctx: Ctx,
    _admin: AdminDep,
    status: Status | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> OutboxListOut:
    return {
        "messages": await list_messages(ctx, status=status, limit=limit, offset=offset),
        "counts": await status_counts(ctx),
    }


@router.post("/outbox/{outbox_id}/retry")
async def outbox_retry(ctx: Ctx, admin: AdminDep, outbox_id: OutboxId) -> OutboxMessageOut:
    """A failed message goes back in line now (409 `not_failed` for any other)."""
    return {"message": await retry_message(ctx, outbox_id, admin)}


@router.post("/outbox/test", status_code=202)
async def outbox_test_mail(ctx: Ctx, admin: AdminDep, body: TestMailIn) -> OutboxMessageOut:
    """Queue a test mail to `recipient` through the outbox (503 `mail_unavailable`
    when this server sends no mail)."""
    return {"message": await send_test_mail(ctx, body.recipient, admin)}
