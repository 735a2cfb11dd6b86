"""Liveness for load balancers: answers only when the database answers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import text

from talkback import __version__
from talkback.web.deps import Ctx

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz(ctx: Ctx) -> dict[str, Any]:
    async with ctx.database.read() as conn:
        await conn.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__}
