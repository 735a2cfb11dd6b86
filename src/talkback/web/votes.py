"""Vote route."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from talkback.services.votes import cast_vote
from talkback.web.deps import CommentId, Ctx, ReaderDep, SiteDep
from talkback.web.schemas import VoteIn

router = APIRouter(prefix="/api/v1/{site}", tags=["votes"])


@router.post("/comments/{comment_id}/vote")
async def vote(
    ctx: Ctx, site: SiteDep, comment_id: CommentId, body: VoteIn, reader: ReaderDep
) -> dict[str, Any]:
    """Up (1), down (-1) or retract (0); answers the new counts and the reader's vote."""
    return await cast_vote(ctx, site, comment_id, body.value, reader)
