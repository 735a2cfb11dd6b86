"""One moderation action by name, on one comment or many (the queue's bulk actions).

A bulk action is a series of single actions, each its own transaction and audit entry:
one comment that cannot take the action (already deleted, on another site) does not
undo or block the others, and the caller learns which failed and why.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from typing_extensions import TypedDict

from talkback.comments.views import PublicComment
from talkback.context import Context
from talkback.errors import NotFound, TalkbackError
from talkback.moderation.actions import approve_comment, mark_spam, reject_comment, remove_comment
from talkback.moderation.editorial import feature_comment, pin_comment
from talkback.moderation.queue import ThreadTitle
from talkback.sites.sites import Site
from talkback.staff.accounts import StaffMember
from talkback.store.tables import comments, threads

ACTIONS = ("approve", "reject", "spam", "delete", "pin", "unpin", "feature", "unfeature")


class FailureReason(TypedDict):
    """The error a single action would have answered, in the API's error shape."""

    code: str
    message: str


class BulkFailure(TypedDict):
    id: int
    error: FailureReason


@dataclass
class BulkOutcome:
    """Which comments took the action and which did not; the admin API answers it as it is."""

    done: list[int]
    failed: list[BulkFailure]


class AuthorName(TypedDict):
    name: str | None


class CommentToEdit(TypedDict):
    id: int
    text: str
    status: str
    author: AuthorName
    thread: ThreadTitle


async def act_on_comment(
    ctx: Context, site: Site, comment_id: int, action: str, staff: StaffMember
) -> PublicComment | None:
    """Apply `action`; the comment as it now is, or None once deleted."""
    if action == "approve":
        return await approve_comment(ctx, site, comment_id, staff)
    if action == "reject":
        return await reject_comment(ctx, site, comment_id, staff)
    if action == "spam":
        return await mark_spam(ctx, site, comment_id, staff)
    if action == "delete":
        await remove_comment(ctx, site, comment_id, staff)
        return None
    if action in ("pin", "unpin"):
        return await pin_comment(ctx, site, comment_id, staff, pinned=action == "pin")
    if action in ("feature", "unfeature"):
        return await feature_comment(ctx, site, comment_id, staff, featured=action == "feature")
    raise ValueError(f"unknown moderation action {action!r}")


async def act_on_comments(
    ctx: Context, site: Site, comment_ids: list[int], action: str, staff: StaffMember
) -> BulkOutcome:
    outcome = BulkOutcome([], [])
    for comment_id in dict.fromkeys(comment_ids):
        try:
            await act_on_comment(ctx, site, comment_id, action, staff)
        except TalkbackError as exc:
            outcome.failed.append(
                {"id": comment_id, "error": {"code": exc.code, "message": exc.message}}
            )
        else:
            outcome.done.append(comment_id)
    return outcome


async def comment_for_edit(ctx: Context, site: Site, comment_id: int) -> CommentToEdit:
    """What the staff edit form shows: the comment's source text, author and thread."""
    query = (
        select(comments.c.id, comments.c.text, comments.c.status, comments.c.author_name,
               threads.c.uri, threads.c.title)
        .join(threads, comments.c.thread_id == threads.c.id)
        .where(comments.c.id == comment_id, threads.c.site_id == site.id)
    )  # fmt: skip
    async with ctx.database.read() as conn:
        row = (await conn.execute(query)).first()
    if row is None or row.status == "deleted":
        raise NotFound("no such comment", code="comment_not_found")
    return {
        "id": row.id,
        "text": row.text,
        "status": row.status,
        "author": {"name": row.author_name},
        "thread": {"uri": row.uri, "title": row.title},
    }
