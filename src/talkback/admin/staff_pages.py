"""The staff page (`/admin/staff`, admins only): add accounts, change roles, set
passwords, remove accounts, and the log of those changes.

Every action is a form post answered with a redirect, so the page works without
JavaScript; a refusal (the last admin, a weak password) re-renders the page with the
message and the status the API would answer.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any

from fastapi import Form, Path, Request, Response

from talkback.admin.auth import AdminDep
from talkback.admin.render import guarded_router, redirect, render
from talkback.errors import TalkbackError
from talkback.staff import accounts as staff_service
from talkback.staff import management
from talkback.staff.accounts import MAX_PASSWORD_LENGTH
from talkback.staff.audit import staff_audit_entries
from talkback.web.deps import MAX_ID, Ctx

STAFF_PAGE = "/admin/staff"
LOG_ENTRIES = 20
StaffId = Annotated[int, Path(ge=1, le=MAX_ID)]
Password = Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)]
Role = Annotated[str, Form(max_length=16)]

router = guarded_router()


@router.get("/staff")
async def staff_page(request: Request, ctx: Ctx, _admin: AdminDep) -> Response:
    return await _staff(request, ctx, form={})


async def _staff(
    request: Request,
    ctx: Ctx,
    *,
    form: dict[str, Any],
    error: TalkbackError | None = None,
    refused: TalkbackError | None = None,
) -> Response:
    """`error` is the add form's (422, the form is shown again with what was typed),
    `refused` an action's on an existing account (with the API's status)."""
    status = 422 if error else refused.status if refused else 200
    return await render(
        request, "staff.html", status=status,
        members=await staff_service.list_staff(ctx.database), form=form,
        error=error.message if error else None, refused=refused.message if refused else None,
        log=await staff_audit_entries(ctx, limit=LOG_ENTRIES), title="Staff", section="staff",
    )  # fmt: skip


@router.post("/staff")
async def add_staff(
    request: Request,
    ctx: Ctx,
    admin: AdminDep,
    email: Annotated[str, Form(max_length=254)],
    password: Password,
    role: Role,
    name: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    try:
        await staff_service.create_staff(
            ctx.database, email, password, role, name or None, created_by=admin
        )
    except TalkbackError as exc:
        form = {"email": email, "role": role, "name": name}
        return await _staff(request, ctx, form=form, error=exc)
    return redirect(STAFF_PAGE, notice="staff_added")


@router.post("/staff/{staff_id}/role")
async def change_role(
    request: Request, ctx: Ctx, admin: AdminDep, staff_id: StaffId, role: Role
) -> Response:
    return await _changed(
        request,
        ctx,
        management.change_role(ctx.database, staff_id, role, by=admin),
        notice="role_changed",
    )


@router.post("/staff/{staff_id}/password")
async def set_password(
    request: Request, ctx: Ctx, admin: AdminDep, staff_id: StaffId, password: Password
) -> Response:
    return await _changed(
        request,
        ctx,
        management.set_password(ctx.database, staff_id, password, by=admin),
        notice="password_set",
    )


@router.post("/staff/{staff_id}/remove")
async def remove(
    request: Request,
    ctx: Ctx,
    admin: AdminDep,
    staff_id: StaffId,
    confirm: Annotated[bool, Form()] = False,
) -> Response:
    if not confirm:
        return redirect(STAFF_PAGE, notice="confirm_removal")
    return await _changed(
        request,
        ctx,
        management.remove_staff(ctx.database, staff_id, by=admin),
        notice="staff_removed",
    )


async def _changed(
    request: Request, ctx: Ctx, change: Awaitable[object], *, notice: str
) -> Response:
    """Back to the Staff page with `notice` once `change` is made, or the page again with
    the reason it was refused (the last admin kept, an unknown account, a weak password)."""
    try:
        await change
    except TalkbackError as exc:
        return await _staff(request, ctx, form={}, refused=exc)
    return redirect(STAFF_PAGE, notice=notice)
