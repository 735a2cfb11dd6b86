"""A thread's closing, for moderators: the JSON API (`GET`/`PUT
/api/v1/admin/{site}/thread?uri=`) and the page (`/admin/{site}/thread?uri=`).

Moderators close a thread with an optional message readers see in place of the form,
reopen it against the site's automatic closing, or hand it back to the site's clock; the
service (`moderation/editorial.py`) audits each change and tells open widgets.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request, Response

from talkback.admin.api import guarded_api_router
from talkback.admin.auth import StaffDep
from talkback.admin.render import guarded_router, redirect, render
from talkback.admin.schemas import ThreadClosingIn, ThreadClosingOut
from talkback.core.closing import CLOSE_OVERRIDES, MAX_CLOSE_MESSAGE, CloseOverride
from talkback.errors import Invalid
from talkback.moderation.editorial import set_thread_closing, thread_closing
from talkback.web.deps import Ctx, SiteDep, Uri

api = guarded_api_router()
pages = guarded_router()
FOLLOW_SITE = "site"
"""The page's word for "no override": the site's clock decides."""


@api.get("/{site}/thread")
async def closing(ctx: Ctx, site: SiteDep, _staff: StaffDep, uri: Uri) -> ThreadClosingOut:
    """Whether the thread of `uri` is closed, and why (a page without a thread is open)."""
    return {"thread": await thread_closing(ctx, site, uri)}


@api.put("/{site}/thread")
async def set_closing(
    ctx: Ctx, site: SiteDep, staff: StaffDep, uri: Uri, body: ThreadClosingIn
) -> ThreadClosingOut:
    """Close (`override` "closed", with an optional `message`), reopen ("open") or let the
    site's automatic closing decide (null); audited, and open widgets hear of it."""
    view = await set_thread_closing(
        ctx, site, uri, staff, override=body.override, message=body.message
    )
    return {"thread": view}


@pages.get("/{site}/thread")
async def thread_page(request: Request, ctx: Ctx, site: SiteDep, uri: Uri) -> Response:
    return await render(
        request, "thread.html", site=site, thread=await thread_closing(ctx, site, uri),
        title="Thread", section="queue",
    )  # fmt: skip


@pages.post("/{site}/thread")
async def save_thread(
    request: Request,
    ctx: Ctx,
    site: SiteDep,
    staff: StaffDep,
    uri: Uri,
    override: Annotated[str, Form(max_length=16)],
    message: Annotated[str, Form(max_length=MAX_CLOSE_MESSAGE * 2)] = "",
) -> Response:
    """The form's choice; a refused value re-renders the page with the message (422)."""
    try:
        chosen = _override(override)
        await set_thread_closing(ctx, site, uri, staff, override=chosen, message=message)
    except Invalid as exc:
        view = await thread_closing(ctx, site, uri)
        return await render(
            request, "thread.html", status=422, site=site, thread={**view, "message": message},
            error=exc.message, title="Thread", section="queue",
        )  # fmt: skip
    return redirect(f"/admin/{site.id}/thread?uri={_quoted(uri)}", notice="thread_saved")


def _override(value: str) -> CloseOverride | None:
    if value == FOLLOW_SITE:
        return None
    for known in CLOSE_OVERRIDES:
        if value == known:
            return known
    raise Invalid("choose closed, open, or follow the site's setting")


def _quoted(uri: str) -> str:
    return quote(uri, safe="/")


router = APIRouter()
router.include_router(api)
router.include_router(pages)
