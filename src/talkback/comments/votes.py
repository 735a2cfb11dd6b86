"""Votes: one per reader per comment; changing or retracting it adjusts the counts."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from typing_extensions import TypedDict

from talkback import clock
from talkback.comments.closed import refuse_if_closed
from talkback.comments.visibility import bump_thread
from talkback.context import Context
from talkback.errors import Conflict, Forbidden, NotFound
from talkback.events.changes import ThreadRef, VotesChanged
from talkback.events.dispatcher import Changes
from talkback.moderation.rate_limits import VOTES_PER_READER
from talkback.readers.tokens import Reader
from talkback.sites.sites import Site
from talkback.store.queries import comment_in_locked_thread
from talkback.store.tables import comments, votes


class VoteCounts(TypedDict):
    """A comment's counts after a vote, and the reader's vote as it now stands."""

    upvotes: int
    downvotes: int
    score: int
    my_vote: int
    """1, -1, or 0 when the reader has no vote on it."""


async def cast_vote(
    ctx: Context, site: Site, comment_id: int, value: int, reader: Reader
) -> VoteCounts:
    """Set the reader's vote on a comment to +1, -1 or 0 (retract) and return the counts.

    Idempotent: casting the same vote twice changes nothing the second time. The thread
    row is locked first, so concurrent votes on one comment serialise on PostgreSQL. A
    closed thread takes no votes (409 `thread_closed`), retractions included: its counts
    stay as they were when it closed.
    """
    await ctx.rate_limits.check(VOTES_PER_READER, site.id, reader.voter, what="votes")

    async def job(conn: AsyncConnection, changes: Changes) -> VoteCounts:
        row = await comment_in_locked_thread(conn, site.id, comment_id)
        if row is None:
            raise NotFound("no such comment", code="comment_not_found")
        if row.status != "approved":
            raise Conflict("this comment is not open for votes", code="not_votable")
        refuse_if_closed(site, row.close_override, row.thread_created_at, row.close_message)
        if reader.reader_id is not None and reader.reader_id == row.reader_id:
            raise Forbidden("you cannot vote on your own comment", code="own_comment")
        key = (votes.c.comment_id == comment_id) & (votes.c.voter == reader.voter)
        previous = await conn.scalar(select(votes.c.value).where(key)) or 0
        if previous == value:
            return _counts(row.upvotes, row.downvotes, value)
        if previous and value:
            await conn.execute(update(votes).where(key).values(value=value, created_at=clock.now()))
        elif previous:
            await conn.execute(delete(votes).where(key))
        else:
            await conn.execute(
                insert(votes).values(
                    comment_id=comment_id,
                    voter=reader.voter,
                    thread_id=row.thread_id,
                    value=value,
                    created_at=clock.now(),
                )
            )
        up = row.upvotes + (value == 1) - (previous == 1)
        down = row.downvotes + (value == -1) - (previous == -1)
        await conn.execute(
            update(comments)
            .where(comments.c.id == comment_id)
            .values(upvotes=up, downvotes=down, score=up - down)
        )
        count = await bump_thread(conn, row.thread_id)
        thread = ThreadRef(site.id, row.thread_uri, count)
        changes.record(VotesChanged(thread, comment_id, up, down, up - down))
        return _counts(up, down, value)

    return await ctx.events.write(job)


def _counts(up: int, down: int, mine: int) -> VoteCounts:
    return {"upvotes": up, "downvotes": down, "score": up - down, "my_vote": mine}
