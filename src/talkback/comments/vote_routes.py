"""What readers do to others' comments: vote on them and report them."""

from __future__ import annotations

from fastapi import APIRouter

from talkback.comments.reports import report_comment
from talkback.comments.schemas import ReportAnswer, ReportIn, VoteIn
from talkback.comments.votes import VoteCounts, cast_vote
from talkback.web.deps import READER_ERRORS, CommentId, Ctx, ReaderDep, SiteDep
from talkback.web.errors import API_ERRORS

router = APIRouter(
    prefix="/api/v1/{site}", tags=["votes and reports"], responses={**API_ERRORS, **READER_ERRORS}
)


@router.post("/comments/{comment_id}/vote")
async def vote(
    ctx: Ctx, site: SiteDep, comment_id: CommentId, body: VoteIn, reader: ReaderDep
) -> VoteCounts:
    """Up (1), down (-1) or retract (0); answers the new counts and the reader's vote."""
    return await cast_vote(ctx, site, comment_id, body.value, reader)


@router.post("/comments/{comment_id}/report", status_code=202)
async def report(
    ctx: Ctx, site: SiteDep, comment_id: CommentId, body: ReportIn, reader: ReaderDep
) -> ReportAnswer:
    """Flag a comment for the moderators; once per reader, repeats are accepted quietly."""
    await report_comment(ctx, site, comment_id, body.reason, body.note, reader)
    return {"reported": True}
