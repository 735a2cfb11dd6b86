"""The admin JSON API under `/api/v1/admin/`: what the moderator pages do, for scripts too.

Everything but login needs a staff session; every write also needs the CSRF token (the
login answer and `GET /session` hand it out) and must come from the Talkback host
(`admin/auth.py`). Site settings and staff accounts are for admins only; moderators
may do everything else, bans and lifting them included, and the audit log keeps who did
what. The staff accounts' routes are in `staff_api.py`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from talkback import clock
from talkback.admin.auth import AdminDep, SessionDep, StaffDep, guard_api, sign_in, sign_out
from talkback.admin.schemas import (
    AuditOut,
    BanIn,
    BanOut,
    BansOut,
    BulkIn,
    CommentAction,
    CommentOut,
    LoginIn,
    QueueKind,
    QueueOrder,
    ReviewOut,
    SessionOut,
    SettingsOut,
    SettingsPatch,
    SitesOut,
    StaffAccount,
    StaffEdit,
)
from talkback.moderation.actions import edit_comment_as_staff
from talkback.moderation.bans import add_ban, lift_ban, list_bans
from talkback.moderation.bulk import BulkOutcome, act_on_comment, act_on_comments
from talkback.moderation.queue import moderation_queue, search_comments
from talkback.moderation.stats import SiteStats, site_stats
from talkback.sites.settings import settings_view, update_site_settings
from talkback.sites.sites import list_sites
from talkback.staff.accounts import StaffMember
from talkback.staff.audit import audit_entries
from talkback.web.deps import MAX_ID, CommentId, Ctx, SiteDep
from talkback.web.errors import API_ERRORS, ErrorBody

PREFIX = "/api/v1/admin"
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
SearchText = Annotated[str | None, Query(max_length=200)]
BanId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _no_store(response: Response) -> None:
    """Admin answers are personal and change often: never cache them anywhere."""
    response.headers["Cache-Control"] = "no-store"


ADMIN_ERRORS: dict[int | str, dict[str, Any]] = {
    **API_ERRORS,
    401: {"model": ErrorBody, "description": "No staff session, or it ended"},
}

public = APIRouter(
    prefix=PREFIX, tags=["admin"], dependencies=[Depends(_no_store)], responses=ADMIN_ERRORS
)


def guarded_api_router() -> APIRouter:
    """Admin API routes: a staff session, and the CSRF token on writes."""
    return APIRouter(
        prefix=PREFIX,
        tags=["admin"],
        dependencies=[Depends(guard_api), Depends(_no_store)],
        responses=ADMIN_ERRORS,
    )


guarded = guarded_api_router()


def staff_json(staff: StaffMember) -> StaffAccount:
    return {
        "id": staff.id, "email": staff.email, "name": staff.name, "role": staff.role,
        "must_change_password": staff.must_change_password,
    }  # fmt: skip


@public.post("/login")
async def login(request: Request, response: Response, body: LoginIn) -> SessionOut:
    """Sign in; sets the session cookie and answers the CSRF token for later writes."""
    session = await sign_in(request, response, body.email, body.password)
    return {"staff": staff_json(session.staff), "csrf_token": session.csrf_token}


@guarded.get("/session")
async def current(session: SessionDep) -> SessionOut:
    return {"staff": staff_json(session.staff), "csrf_token": session.csrf_token}


@guarded.post("/logout", status_code=204)
async def logout(request: Request, staff: StaffDep) -> Response:
    response = Response(status_code=204)
    await sign_out(request, response, staff)
    return response


@guarded.get("/sites")
async def sites(ctx: Ctx, _staff: StaffDep) -> SitesOut:
    return {"sites": [{"id": s.id, "name": s.name} for s in await list_sites(ctx.database)]}


@guarded.get("/{site}/queue")
async def queue(
    ctx: Ctx,
    site: SiteDep,
    _staff: StaffDep,
    kind: QueueKind = QueueKind.PENDING,
    order: QueueOrder = QueueOrder.NEWEST,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ReviewOut:
    found = await moderation_queue(
        ctx, site, kind=kind.value, order=order.value, limit=limit, offset=offset
    )
    return {"comments": found}


@guarded.post("/{site}/comments/bulk")
async def bulk(ctx: Ctx, site: SiteDep, staff: StaffDep, body: BulkIn) -> BulkOutcome:
    """Each comment is handled on its own; `failed` says which could not be and why."""
    return await act_on_comments(ctx, site, body.ids, body.action.value, staff)


@guarded.post(
    "/{site}/comments/{comment_id}/{action}",
    response_model=CommentOut,
    responses={204: {"description": "Deleted: a placeholder or nothing is left to show"}},
)
async def act(
    ctx: Ctx, site: SiteDep, staff: StaffDep, comment_id: CommentId, action: CommentAction
) -> CommentOut | Response:
    comment = await act_on_comment(ctx, site, comment_id, action.value, staff)
    if comment is None:
        return Response(status_code=204)
    return {"comment": comment}


@guarded.patch("/{site}/comments/{comment_id}")
async def edit(
    ctx: Ctx, site: SiteDep, staff: StaffDep, comment_id: CommentId, body: StaffEdit
) -> CommentOut:
    comment = await edit_comment_as_staff(ctx, site, comment_id, body.text, staff)
    return {"comment": comment}


@guarded.get("/{site}/search")
async def search(
    ctx: Ctx,
    site: SiteDep,
    _staff: StaffDep,
    q: SearchText = None,
    author: SearchText = None,
    email: SearchText = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> ReviewOut:
    found = await search_comments(
        ctx, site, text=q or None, author=author or None, email=email or None,
        status=status or None, limit=limit, offset=offset,
    )  # fmt: skip
    return {"comments": found}


@guarded.get("/{site}/bans")
async def bans(ctx: Ctx, site: SiteDep, _staff: StaffDep) -> BansOut:
    return {"bans": await list_bans(ctx, site)}


@guarded.post("/{site}/bans", status_code=201)
async def ban(ctx: Ctx, site: SiteDep, staff: StaffDep, body: BanIn) -> BanOut:
    expires_at = clock.now() + timedelta(days=body.duration_days) if body.duration_days else None
    added = await add_ban(
        ctx, site, kind=body.kind, value=body.value, shadow=body.shadow,
        reason=body.reason or None, expires_at=expires_at, staff=staff,
    )  # fmt: skip
    return {"ban": added}


@guarded.delete("/{site}/bans/{ban_id}", status_code=204)
async def lift(ctx: Ctx, site: SiteDep, staff: StaffDep, ban_id: BanId) -> Response:
    await lift_ban(ctx, site, ban_id, staff)
    return Response(status_code=204)


@guarded.get("/{site}/settings")
async def settings(site: SiteDep, _staff: StaffDep) -> SettingsOut:
    """Moderators may read the settings (they moderate by them); only admins change them."""
    return {"settings": settings_view(site)}


@guarded.patch("/{site}/settings")
async def change_settings(
    ctx: Ctx, site: SiteDep, admin: AdminDep, body: SettingsPatch
) -> SettingsOut:
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    updated = await update_site_settings(ctx, site, changes, admin)
    return {"settings": settings_view(updated)}


@guarded.get("/{site}/audit")
async def audit(
    ctx: Ctx, site: SiteDep, _staff: StaffDep, limit: Limit = 50, offset: Offset = 0
) -> AuditOut:
    return {"entries": await audit_entries(ctx, site, limit=limit, offset=offset)}


@guarded.get("/{site}/stats")
async def stats(ctx: Ctx, site: SiteDep, _staff: StaffDep) -> SiteStats:
    return await site_stats(ctx, site)


router = APIRouter()
router.include_router(public)
router.include_router(guarded)
