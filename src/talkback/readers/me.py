"""A reader's own state on a page: kept out of thread pages so those stay shareable."""

from __future__ import annotations

from datetime import timedelta
from typing import NotRequired

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection
from typing_extensions import TypedDict

from talkback import clock
from talkback.accounts.service import PublicAccount, account_of
from talkback.comments.views import PublicComment, iso, public_comment, select_public
from talkback.context import Context
from talkback.readers.tokens import Reader, edit_deadline
from talkback.sites.sites import Site
from talkback.store.tables import comments, threads, votes
from talkback.subscriptions.views import Subscription, reader_subscriptions


class EditableComment(TypedDict):
    id: int
    until: str
    """When the edit window closes."""


class ReaderState(TypedDict):
    """What on a page is the reader's own: their votes, the comments they may still edit
    or delete, and their own shadowed comments, which only they are shown."""

    votes: dict[str, int]
    """The reader's vote (1 or -1) by comment id."""
    editable: list[EditableComment]
    subscriptions: list[Subscription]
    """The reader's "Notify of" subscriptions on the whole site (made under their reader
    token, or to their account's address), confirmed or still waiting."""
    shadowed: list[PublicComment]
    account: PublicAccount | None
    """The account the reader signed in to on this site by email link; null for guests."""
    reader_token: NotRequired[str]
    """Only to a reader who came without one: the widget keeps it and sends it back."""


async def reader_state(ctx: Context, site: Site, uri: str, reader: Reader) -> ReaderState:
    """The reader's votes on the page and the comments they may still edit (by token)."""
    account = await account_of(ctx, site, reader)
    state: ReaderState = {
        "votes": {}, "editable": [], "subscriptions": [], "shadowed": [],
        "account": account.public() if account else None,
    }  # fmt: skip
    async with ctx.database.read() as conn:
        state["subscriptions"] = await reader_subscriptions(conn, site.id, reader.reader_id)
        thread_id = await conn.scalar(
            select(threads.c.id).where(threads.c.site_id == site.id, threads.c.uri == uri)
        )
        if thread_id is None:
            return state
        vote_rows = await conn.execute(
            select(votes.c.comment_id, votes.c.value).where(
                votes.c.thread_id == thread_id, votes.c.voter == reader.voter
            )
        )
        state["votes"] = {str(row.comment_id): row.value for row in vote_rows}
        if reader.reader_id is not None:
            since = clock.now() - timedelta(seconds=site.edit_window_seconds)
            own = await conn.execute(
                select(comments.c.id, comments.c.created_at)
                .where(
                    comments.c.reader_id == reader.reader_id,
                    comments.c.thread_id == thread_id,
                    comments.c.status.in_(("approved", "pending", "shadowed")),
                    comments.c.created_at > since,
                )
                .order_by(comments.c.id)
            )
            window = site.edit_window_seconds
            state["editable"] = [
                {"id": row.id, "until": iso(edit_deadline(row.created_at, window))} for row in own
            ]
        state["shadowed"] = await _shadowed_comments(conn, thread_id, reader)
    return state


async def _shadowed_comments(
    conn: AsyncConnection, thread_id: int, reader: Reader
) -> list[PublicComment]:
    """A shadow-banned reader's own comments, shown to them as if published: the shared
    thread page leaves them out, so the widget adds these for this reader alone.

    Matched by reader token only: people behind one address (a newsroom, a campus) must
    not see each other's, and a reader without a token yet has written nothing under it.
    """
    if reader.reader_id is None:
        return []
    rows = await conn.execute(
        select_public()
        .where(
            comments.c.thread_id == thread_id,
            comments.c.status == "shadowed",
            comments.c.reader_id == reader.reader_id,
        )
        .order_by(comments.c.id)
    )
    shown = []
    for row in rows:
        comment = public_comment(row)
        comment["status"] = "approved"
        shown.append(comment)
    return shown
