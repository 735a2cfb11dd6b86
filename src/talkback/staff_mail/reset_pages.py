"""The password reset pages under `/admin/password-reset`, reached from the sign-in page.

They serve people without a session, so, like the sign-in form, their posts are guarded
by the same-origin check; the set-password form is further bound to the link's token,
which only the mailbox owner knows. The answer to a request is the same page whether
the address has an account or not.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query, Request, Response

from talkback.admin.auth import check_same_origin
from talkback.admin.render import public_router, redirect, render
from talkback.core.identity import hash_ip
from talkback.errors import Invalid, RateLimited
from talkback.staff.accounts import MAX_PASSWORD_LENGTH
from talkback.staff_mail.reset_links import LINK_MINUTES, complete_reset, request_reset, usable_link
from talkback.web.deps import Ctx

Token = Annotated[str, Form(min_length=1, max_length=100)]
Password = Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)]

router = public_router()


@router.get("/password-reset")
async def request_page(request: Request, ctx: Ctx) -> Response:
    return await render(
        request, "password_reset.html", title="Reset your password", email="",
        mail_enabled=ctx.mail.enabled,
    )  # fmt: skip


@router.post("/password-reset")
async def ask_for_link(
    request: Request, ctx: Ctx, email: Annotated[str, Form(max_length=254)]
) -> Response:
    """Without mail, the page explains that instead (as its GET does): a server set up so
    is not failing, and the person asking needs the explanation, not an error status."""
    check_same_origin(request)
    if not ctx.mail.enabled:
        return await request_page(request, ctx)
    ip_hash = hash_ip(request.client.host if request.client else "unknown", ctx.secret_key)
    try:
        await request_reset(ctx, email, ip_hash)
    except RateLimited as exc:
        return await render(
            request, "password_reset.html", status=exc.status,
            headers={"Retry-After": str(exc.retry_after)}, error=exc.message, email=email,
            mail_enabled=True, title="Reset your password",
        )  # fmt: skip
    return await render(
        request, "password_reset.html", sent=True, email=email, minutes=LINK_MINUTES,
        title="Check your mail",
    )  # fmt: skip


@router.get("/password-reset/new")
async def new_password_page(
    request: Request, ctx: Ctx, token: Annotated[str, Query(min_length=1, max_length=100)]
) -> Response:
    """Opening the link only shows the form: a mail scanner's visit spends nothing."""
    link = await usable_link(ctx, token)
    return await render(
        request, "password_new.html", token=token, email=link.email, title="Choose a password"
    )


@router.post("/password-reset/new")
async def set_new_password(
    request: Request, ctx: Ctx, token: Token, password: Password, password_confirm: Password
) -> Response:
    check_same_origin(request)
    try:
        if password != password_confirm:
            raise Invalid("the two passwords differ", code="passwords_differ")
        await complete_reset(ctx, token, password)
    except Invalid as exc:
        if exc.code == "invalid_reset_link":
            raise
        link = await usable_link(ctx, token)
        return await render(
            request, "password_new.html", status=exc.status, token=token, email=link.email,
            error=exc.message, title="Choose a password",
        )  # fmt: skip
    return redirect("/admin/login", notice="password_changed")
