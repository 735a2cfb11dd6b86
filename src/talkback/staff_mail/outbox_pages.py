"""The admin outbox page: what was sent, what waits, what failed and why; retry, test mail.

Admins only: the page shows every site's recipients and webhook URLs.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Path, Query, Request, Response

from talkback.admin.auth import AdminDep
from talkback.admin.render import guarded_router, redirect, render
from talkback.errors import Invalid, Unavailable
from talkback.outbox.messages import Status
from talkback.staff_mail.outbox_view import (
    STATUS_ORDER,
    list_messages,
    retry_message,
    send_test_mail,
    status_counts,
)
from talkback.web.deps import MAX_ID, Ctx

PAGE_SIZE = 100
OutboxId = Annotated[int, Path(ge=1, le=MAX_ID)]

router = guarded_router()


@router.get("/outbox")
async def outbox_page(
    request: Request, ctx: Ctx, admin: AdminDep, status: Annotated[Status | None, Query()] = None
) -> Response:
    return await _page(request, ctx, status=status, form={"recipient": admin.email})


async def _page(
    request: Request,
    ctx: Ctx,
    *,
    status: Status | None,
    form: dict[str, Any],
    error: str | None = None,
    code: int = 200,
) -> Response:
    return await render(
        request, "outbox.html", status=code,
        messages=await list_messages(ctx, status=status, limit=PAGE_SIZE, offset=0),
        counts=await status_counts(ctx), statuses=STATUS_ORDER, shown=status, form=form,
        error=error, mail_enabled=ctx.mail.enabled, title="Outbox", section="outbox", wide=True,
    )  # fmt: skip


@router.post("/outbox/{outbox_id}/retry")
async def retry(ctx: Ctx, admin: AdminDep, outbox_id: OutboxId) -> Response:
    await retry_message(ctx, outbox_id, admin)
    return redirect("/admin/outbox", notice="message_retried")


@router.post("/outbox/test")
async def test_mail(
    request: Request, ctx: Ctx, admin: AdminDep, recipient: Annotated[str, Form(max_length=254)]
) -> Response:
    try:
        await send_test_mail(ctx, recipient, admin)
    except (Invalid, Unavailable) as exc:
        return await _page(
            request, ctx, status=None, form={"recipient": recipient}, error=exc.message,
            code=exc.status,
        )  # fmt: skip
    return redirect("/admin/outbox", notice="test_mail_queued")
