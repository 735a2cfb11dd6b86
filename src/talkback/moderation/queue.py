"""What staff review: the moderation queue and the search over a site's comments, each
comment with its open reports."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from typing_extensions import TypedDict

from talkback.comments.views import iso
from talkback.context import Context
from talkback.errors import Invalid
from talkback.sites.sites import Site
from talkback.store.tables import comments, reports, threads


class ThreadTitle(TypedDict):
    uri: str
    title: str | None


class AuthorDetails(TypedDict):
    """What the author gave, email included: staff see what readers never do."""

    name: str | None
    email: str | None
    website: str | None


class OpenReport(TypedDict):
    reason: str
    note: str | None


class CommentForReview(TypedDict):
    """A comment as moderators review it: source text, the author's details, the verdicts.

    `moderation` is the pipeline's findings (`StoredFinding`s) for comments posted here,
    but whatever the file carried for imported ones, so it stays open.
    """

    id: int
    parent_id: int | None
    thread: ThreadTitle
    status: str
    text: str
    html: str
    author: AuthorDetails
    ip_hash: str | None
    reader_id: str | None
    created_at: str
    edited_at: str | None
    toxicity: float | None
    moderation: Any
    report_count: int
    reports: list[OpenReport]
    upvotes: int
    downvotes: int
    pinned: bool
    featured: bool
    author_badge: str | None
    """"staff" or "moderator" when written by a reader signed in with a staff address."""


def _admin_view(row: Any) -> CommentForReview:
    return {
        "id": row.id,
        "parent_id": row.parent_id,
        "thread": {"uri": row.uri, "title": row.title},
        "status": row.status,
        "text": row.text,
        "html": row.html,
        "author": {"name": row.author_name, "email": row.author_email,
                   "website": row.author_website},
        "ip_hash": row.ip_hash,
        "reader_id": row.reader_id,
        "created_at": iso(row.created_at),
        "edited_at": iso(row.edited_at),
        "toxicity": row.toxicity,
        "moderation": row.moderation or [],
        "report_count": row.report_count,
        "reports": [],
        "upvotes": row.upvotes,
        "downvotes": row.downvotes,
        "pinned": row.pinned_at is not None,
        "featured": row.featured_at is not None,
        "author_badge": row.author_badge,
    }  # fmt: skip


def _admin_select() -> Any:
    return (
        select(comments, threads.c.uri, threads.c.title)
        .join(threads, threads.c.id == comments.c.thread_id)
    )  # fmt: skip


async def _with_reports(
    conn: AsyncConnection, views: list[CommentForReview]
) -> list[CommentForReview]:
    """Each comment's open reports, oldest first (answered ones were dealt with)."""
    by_id = {view["id"]: view for view in views}
    if by_id:
        rows = await conn.execute(
            select(reports.c.comment_id, reports.c.reason, reports.c.note)
            .where(reports.c.comment_id.in_(list(by_id)), reports.c.resolved_at.is_(None))
            .order_by(reports.c.id)
        )
        for row in rows:
            by_id[row.comment_id]["reports"].append({"reason": row.reason, "note": row.note})
    return views


async def moderation_queue(
    ctx: Context, site: Site, *, kind: str, order: str, limit: int, offset: int
) -> list[CommentForReview]:
    """Pending comments, or reported ones still up for review; newest or most toxic first."""
    query = _admin_select().where(threads.c.site_id == site.id)
    if kind == "pending":
        query = query.where(comments.c.status == "pending")
    elif kind == "reported":
        query = query.where(
            comments.c.report_count > 0, comments.c.status.in_(("approved", "pending"))
        )
    else:
        raise Invalid("kind is pending or reported")
    if order == "toxic":
        query = query.order_by(
            comments.c.toxicity.is_(None), comments.c.toxicity.desc(), comments.c.id.desc()
        )
    elif order == "newest":
        query = query.order_by(comments.c.id.desc())
    else:
        raise Invalid("order is newest or toxic")
    async with ctx.database.read() as conn:
        rows = (await conn.execute(query.limit(limit).offset(offset))).all()
        return await _with_reports(conn, [_admin_view(row) for row in rows])


async def search_comments(
    ctx: Context,
    site: Site,
    *,
    text: str | None,
    author: str | None,
    email: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> list[CommentForReview]:
    """Comments of the site matching every given filter (text and names by substring)."""
    query = _admin_select().where(threads.c.site_id == site.id)
    if text:
        query = query.where(func.lower(comments.c.text).contains(text.lower(), autoescape=True))
    if author:
        query = query.where(
            func.lower(comments.c.author_name).contains(author.lower(), autoescape=True)
        )
    if email:
        query = query.where(func.lower(comments.c.author_email) == email.strip().lower())
    if status:
        query = query.where(comments.c.status == status)
    query = query.order_by(comments.c.id.desc()).limit(limit).offset(offset)
    async with ctx.database.read() as conn:
        rows = (await conn.execute(query)).all()
        return await _with_reports(conn, [_admin_view(row) for row in rows])
