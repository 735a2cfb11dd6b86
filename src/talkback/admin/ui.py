"""The moderator pages at `/admin/`: sign-in, the queue, search, and the comment actions.

Server-rendered and usable without JavaScript: every action is a form post answered
with a redirect back to the page it came from. `static/admin/admin.js` adds keyboard
shortcuts and does the same actions through the JSON API without reloading.
The other pages (bans, settings, audit, stats, staff) are in `pages.py`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from talkback.admin.auth import StaffDep, current_session, sign_in, sign_out
from talkback.admin.render import (
    guarded_router,
    local_path,
    public_router,
    redirect,
    render,
)
from talkback.admin.schemas import BULK_MAX, CommentAction, QueueKind, QueueOrder
from talkback.errors import RateLimited, Unauthorized
from talkback.moderation.actions import edit_comment_as_staff
from talkback.moderation.bulk import act_on_comment, act_on_comments, comment_for_edit
from talkback.moderation.queue import moderation_queue, search_comments
from talkback.moderation.settings import ModerationSettings
from talkback.sites.sites import SITE_ID, list_sites
from talkback.web.deps import CommentId, Ctx, SiteDep

PAGE_SIZE = 50
NextPath = Annotated[str | None, Form(max_length=2000)]
SearchText = Annotated[str, Query(max_length=200)]

public = public_router()
guarded = guarded_router()


@public.get("/login", response_class=HTMLResponse)
async def login_page(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    if await current_session(request) is not None:
        return redirect(local_path(next))
    return await render(request, "login.html", next=local_path(next), title="Sign in")


@public.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
    next: NextPath = None,
) -> Response:
    """Wrong password and unknown email get the same page; too many tries get 429."""
    response = redirect(local_path(next))
    try:
        await sign_in(request, response, email, password)
    except (Unauthorized, RateLimited) as exc:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else {}
        return await render(
            request, "login.html", status=exc.status, headers=headers, error=exc.message,
            email=email, next=local_path(next), title="Sign in",
        )  # fmt: skip
    return response


@guarded.post("/logout")
async def logout(request: Request, staff: StaffDep) -> Response:
    response = redirect("/admin/login", notice="signed_out")
    await sign_out(request, response, staff)
    return response


@guarded.get("/", response_class=HTMLResponse)
async def home(request: Request, ctx: Ctx) -> Response:
    sites = await list_sites(ctx.database)
    if sites:
        return redirect(f"/admin/{sites[0].id}/queue")
    return await render(request, "no_sites.html", title="No sites yet")


@guarded.get("/switch")
async def switch(site: Annotated[str, Query(max_length=64)]) -> RedirectResponse:
    """The site switcher's form target (a GET, so it works without JavaScript)."""
    return redirect(f"/admin/{site}/queue" if SITE_ID.match(site) else "/admin/")


@guarded.get("/{site}/queue", response_class=HTMLResponse)
async def queue(
    request: Request,
    ctx: Ctx,
    site: SiteDep,
    kind: QueueKind = QueueKind.PENDING,
    order: QueueOrder = QueueOrder.NEWEST,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    found = await moderation_queue(
        ctx, site, kind=kind.value, order=order.value, limit=PAGE_SIZE, offset=offset
    )
    return await render(
        request, "queue.html", site=site, rules=ModerationSettings.from_site(site.moderation),
        comments=found, kind=kind.value, order=order.value,
        offset=offset, page_size=PAGE_SIZE, title="Queue", section="queue",
    )  # fmt: skip


@guarded.get("/{site}/search", response_class=HTMLResponse)
async def search(
    request: Request,
    ctx: Ctx,
    site: SiteDep,
    q: SearchText = "",
    author: SearchText = "",
    email: SearchText = "",
    status: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    asked = any((q, author, email, status))
    found = []
    if asked:
        found = await search_comments(
            ctx, site, text=q or None, author=author or None, email=email or None,
            status=status or None, limit=PAGE_SIZE, offset=0,
        )  # fmt: skip
    return await render(
        request, "search.html", site=site, rules=ModerationSettings.from_site(site.moderation),
        comments=found, asked=asked,
        query={"q": q, "author": author, "email": email, "status": status},
        title="Search", section="search",
    )  # fmt: skip


@guarded.post("/{site}/comments/bulk")
async def bulk(
    ctx: Ctx,
    site: SiteDep,
    staff: StaffDep,
    action: Annotated[CommentAction, Form()],
    ids: Annotated[list[int], Form(max_length=BULK_MAX)] = [],  # noqa: B006 (FastAPI copies)
    next: NextPath = None,
) -> Response:
    back = local_path(next, f"/admin/{site.id}/queue")
    if not ids:
        return redirect(back, notice="nothing_selected")
    await act_on_comments(ctx, site, ids, action.value, staff)
    return redirect(back, notice=action.value)


@guarded.get("/{site}/comments/{comment_id}/edit", response_class=HTMLResponse)
async def edit_page(
    request: Request,
    ctx: Ctx,
    site: SiteDep,
    comment_id: CommentId,
    next: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    comment = await comment_for_edit(ctx, site, comment_id)
    return await render(
        request, "edit.html", site=site, comment=comment,
        next=local_path(next, f"/admin/{site.id}/queue"), title="Edit comment", section="queue",
    )  # fmt: skip


@guarded.post("/{site}/comments/{comment_id}/edit")
async def edit(
    ctx: Ctx,
    site: SiteDep,
    staff: StaffDep,
    comment_id: CommentId,
    text: Annotated[str, Form(min_length=1, max_length=10_000)],
    next: NextPath = None,
) -> Response:
    await edit_comment_as_staff(ctx, site, comment_id, text, staff)
    return redirect(local_path(next, f"/admin/{site.id}/queue"), notice="edited")


@guarded.post("/{site}/comments/{comment_id}/{action}")
async def act(
    ctx: Ctx,
    site: SiteDep,
    staff: StaffDep,
    comment_id: CommentId,
    action: CommentAction,
    next: NextPath = None,
) -> Response:
    await act_on_comment(ctx, site, comment_id, action.value, staff)
    return redirect(local_path(next, f"/admin/{site.id}/queue"), notice=action.value)


router = APIRouter()
router.include_router(public)
router.include_router(guarded)
