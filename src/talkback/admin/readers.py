"""Readers' own data, for admins: export everything of an email address, or delete it.

Both are admin-only (they touch personal data) and both are audited. The page works as
plain forms; the export downloads as a JSON file.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from pydantic import BaseModel, ConfigDict, EmailStr

from talkback.admin.api import guarded_api_router
from talkback.admin.auth import AdminDep
from talkback.admin.render import guarded_router, redirect, render
from talkback.readers.data import ReaderData, ReaderDeletion
from talkback.readers.requests import delete_for_reader, export_for_reader
from talkback.web.deps import Ctx, SiteDep

pages = guarded_router()
api = guarded_api_router()
Email = Annotated[EmailStr, Form(max_length=254)]


class ReaderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr


class ReaderDeletionIn(ReaderIn):
    keep_comments: bool = True


@pages.get("/{site}/readers")
async def readers_page(request: Request, site: SiteDep, _admin: AdminDep) -> Response:
    return await render(request, "readers.html", site=site, title="Readers", section="readers")


@pages.post("/{site}/readers/export")
async def export_page(ctx: Ctx, site: SiteDep, admin: AdminDep, email: Email) -> Response:
    data = await export_for_reader(ctx, site, str(email), admin)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="talkback-{site.id}-reader.json"',
            "Cache-Control": "no-store",
        },
    )


@pages.post("/{site}/readers/delete")
async def delete_page(
    ctx: Ctx,
    site: SiteDep,
    admin: AdminDep,
    email: Email,
    comments: Annotated[str, Form(pattern="^(anonymise|remove)$")] = "anonymise",
    confirm: Annotated[bool, Form()] = False,
) -> Response:
    if not confirm:
        return redirect(f"/admin/{site.id}/readers", notice="confirm_needed")
    await delete_for_reader(ctx, site, str(email), comments == "anonymise", admin)
    return redirect(f"/admin/{site.id}/readers", notice="reader_deleted")


@api.post("/{site}/readers/export")
async def export_api(ctx: Ctx, site: SiteDep, admin: AdminDep, body: ReaderIn) -> ReaderData:
    """Everything stored about the email address on this site."""
    return await export_for_reader(ctx, site, str(body.email), admin)


@api.post("/{site}/readers/delete")
async def delete_api(
    ctx: Ctx, site: SiteDep, admin: AdminDep, body: ReaderDeletionIn
) -> ReaderDeletion:
    """Delete the reader's data; comments stay as anonymous unless `keep_comments` is false."""
    return await delete_for_reader(ctx, site, str(body.email), body.keep_comments, admin)


router = APIRouter()
router.include_router(pages)
router.include_router(api)
