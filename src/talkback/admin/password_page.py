"""`/admin/password`: a staff member changes their own password, with the current one.

It is also the page an account lands on after an admin set its password: until it
chooses its own, every other admin page redirects here (`auth.PasswordChangeRequired`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request, Response

from talkback.admin.auth import SessionDep, change_password
from talkback.admin.render import guarded_router, redirect, render
from talkback.errors import Invalid
from talkback.sites.sites import list_sites
from talkback.staff.accounts import MAX_PASSWORD_LENGTH
from talkback.web.deps import Ctx

Password = Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)]

router = guarded_router()


async def _page(request: Request, session: SessionDep, error: Invalid | None = None) -> Response:
    return await render(
        request, "password_change.html", status=error.status if error else 200,
        forced=session.staff.must_change_password, error=error.message if error else None,
        title="Change your password",
    )  # fmt: skip


@router.get("/password")
async def password_page(request: Request, session: SessionDep) -> Response:
    return await _page(request, session)


@router.post("/password")
async def save_password(
    request: Request,
    ctx: Ctx,
    session: SessionDep,
    current_password: Password,
    password: Password,
    password_confirm: Password,
) -> Response:
    """Wrong current password, a repeat of it, or two different new ones: the form again.
    Done, the member goes on to work (the first site's queue), told what happened."""
    sites = await list_sites(ctx.database)
    onward = f"/admin/{sites[0].id}/queue" if sites else "/admin/password"
    response = redirect(onward, notice="own_password_changed")
    try:
        if password != password_confirm:
            raise Invalid("the two new passwords differ", code="passwords_differ")
        await change_password(request, response, session.staff, current_password, password)
    except Invalid as exc:
        return await _page(request, session, exc)
    return response
