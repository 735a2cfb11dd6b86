"""Probes for load balancers and orchestrators: liveness (`/healthz`) and readiness
(`/readyz`, `observability/readiness.py`)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from typing_extensions import TypedDict

from talkback import __version__
from talkback.observability.readiness import not_ready
from talkback.web.deps import Ctx
from talkback.web.errors import ErrorBody, error_response

router = APIRouter(tags=["operations"])


class Health(TypedDict):
    status: Literal["ok"]
    version: str
    """The Talkback version this node runs."""


class Ready(TypedDict):
    status: Literal["ready"]
    version: str


@router.get("/healthz")
async def healthz(ctx: Ctx) -> Health:
    """Liveness: the process answers and its database does."""
    async with ctx.database.read() as conn:
        await conn.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__}


@router.get(
    "/readyz",
    response_model=Ready,
    responses={
        503: {
            "model": ErrorBody,
            "description": "Not ready; `error.checks` lists each check that failed, as "
            "`{check, message}` (`database`, `migrations`, `broker`, `classifier`)",
        }
    },
)
async def readyz(ctx: Ctx) -> Ready | JSONResponse:
    """Readiness: 200 when this node can serve (database answering with its schema up to
    date, broker reachable when configured, toxicity model loaded); 503 naming what is not."""
    problems = await not_ready(ctx)
    if not problems:
        return {"status": "ready", "version": __version__}
    return error_response(
        503,
        "not_ready",
        "not ready: " + "; ".join(problem.message for problem in problems),
        checks=[{"check": problem.check, "message": problem.message} for problem in problems],
    )
