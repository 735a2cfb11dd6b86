"""Staff accounts in the admin JSON API: list, add, change a role, set a password,
remove (admins only), and a staff member's own password change.

The same services as the staff page (`staff/management.py`): the last admin cannot be
removed or demoted (409 `last_admin`), an admin acts on their own account only through
the password change (409 `own_account`), and everything is audited.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request, Response

from talkback.admin.api import guarded_api_router, staff_json
from talkback.admin.auth import AdminDep, SessionDep, change_password
from talkback.admin.schemas import (
    NewStaff,
    OwnPasswordIn,
    PasswordIn,
    RoleIn,
    SessionOut,
    StaffListOut,
    StaffOut,
)
from talkback.staff import accounts as staff_service
from talkback.staff import management
from talkback.web.deps import MAX_ID, Ctx

StaffId = Annotated[int, Path(ge=1, le=MAX_ID)]

router = guarded_api_router()


@router.get("/staff")
async def staff_list(ctx: Ctx, _admin: AdminDep) -> StaffListOut:
    return {"staff": [staff_json(s) for s in await staff_service.list_staff(ctx.database)]}


@router.post("/staff", status_code=201)
async def staff_add(ctx: Ctx, admin: AdminDep, body: NewStaff) -> StaffOut:
    member = await staff_service.create_staff(
        ctx.database, body.email, body.password, body.role, body.name, created_by=admin
    )
    return {"staff": staff_json(member)}


@router.patch("/staff/{staff_id}")
async def staff_role(ctx: Ctx, admin: AdminDep, staff_id: StaffId, body: RoleIn) -> StaffOut:
    """The new role applies from the account's next request."""
    member = await management.change_role(ctx.database, staff_id, body.role, by=admin)
    return {"staff": staff_json(member)}


@router.put("/staff/{staff_id}/password")
async def staff_password(
    ctx: Ctx, admin: AdminDep, staff_id: StaffId, body: PasswordIn
) -> StaffOut:
    """The account is signed out everywhere and must choose its own at the next sign-in."""
    member = await management.set_password(ctx.database, staff_id, body.password, by=admin)
    return {"staff": staff_json(member)}


@router.delete("/staff/{staff_id}", status_code=204)
async def staff_remove(ctx: Ctx, admin: AdminDep, staff_id: StaffId) -> Response:
    """The account's sessions end with it: its next request answers 401."""
    await management.remove_staff(ctx.database, staff_id, by=admin)
    return Response(status_code=204)


@router.post("/password")
async def own_password(
    request: Request, response: Response, session: SessionDep, body: OwnPasswordIn
) -> SessionOut:
    """Change one's own password; answers the session's new CSRF token (this browser's
    cookie is renewed, every other browser of the account is signed out)."""
    renewed = await change_password(
        request, response, session.staff, body.current_password, body.new_password
    )
    return {"staff": staff_json(renewed.staff), "csrf_token": renewed.csrf_token}
