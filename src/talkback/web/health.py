"""Liveness for load balancers: answers only when the database answers."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from sqlalchemy import text
from typing_extensions import TypedDict

from talkback import __version__
from talkback.web.deps import Ctx

router = APIRouter(tags=["operations"])


class Health(TypedDict):
    status: Literal["ok"]
    version: str
    """The Talkback version this node runs."""


@router.get("/healthz")
async def healthz(ctx: Ctx) -> Health:
    async with ctx.database.read() as conn:
        await conn.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__}
