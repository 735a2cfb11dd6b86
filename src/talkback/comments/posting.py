"""Posting, editing and deleting comments.

Every status change keeps the thread's counters true (see `comments/visibility.py`).
Markdown is rendered before the write is queued, so the writer spends no time on it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback import clock
from talkback.accounts.service import account_of, keep_display_name
from talkback.comments.badges import badge_for
from talkback.comments.closed import refuse_if_closed
from talkback.comments.views import PUBLIC_COLUMNS, PassageAnchor, PublicComment, public_comment
from talkback.comments.visibility import bump_thread, change_status, propagate_to_parents
from talkback.comments.writes import INSERT_COMMENT, claim_thread
from talkback.context import Context
from talkback.core.identity import avatar_seed
from talkback.core.markup import render_markdown
from talkback.errors import Conflict, Invalid, NotFound
from talkback.events.changes import CommentCreated, CommentEdited, ThreadRef
from talkback.events.dispatcher import Changes
from talkback.moderation.screening import FormSignals, screen_edit, screen_new_comment
from talkback.readers.tokens import Reader, check_may_change, issue_edit_token
from talkback.sites.sites import Site
from talkback.store.queries import comment_in_locked_thread
from talkback.store.tables import comments


@dataclass(frozen=True, slots=True)
class CommentDraft:
    """A new comment as submitted, already validated for size and form."""

    text: str
    parent_id: int | None = None
    author_name: str | None = None
    email: str | None = None
    website: str | None = None
    anchor: PassageAnchor | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class PostedComment:
    """A new comment as its author sees it, with why it is not shown when it is not."""

    comment: PublicComment
    edit_token: str
    reasons: tuple[str, ...] = ()

    @property
    def held(self) -> bool:
        """Not shown to others: held for review, or refused by the pipeline."""
        return self.comment["status"] in ("pending", "rejected")


@dataclass(frozen=True, slots=True)
class EditedComment:
    """An edited comment, with the pipeline's reasons when the edit took it down."""

    comment: PublicComment
    reasons: tuple[str, ...] = ()


async def post_comment(
    ctx: Context,
    site: Site,
    uri: str,
    draft: CommentDraft,
    reader: Reader,
    *,
    signals: FormSignals | None = None,
    created_at: datetime | None = None,
) -> PostedComment:
    """Add a comment (creating the thread on its first comment) and return it.

    A reply must name a parent in the same thread that is still shown. The moderation
    pipeline decides the status, and its reasons come back for a comment that is not
    shown; a shadow-banned author is shown their comment as published, with no reasons,
    and nobody else sees it. A closed thread (`core/closing.py`) refuses it with 409
    `thread_closed`, the moderator's message as the error's message when there is one.
    A reader signed in with a staff member's address gets their badge (`badges.py`).
    """
    account = await account_of(ctx, site, reader)
    badge = None
    if account is not None:
        badge = await badge_for(ctx, account.email)
        # Signed in: the account's name (or, until it has one, the name given now) and
        # its address, whatever the form said, so one reader is one name on every device.
        name = account.display_name or draft.author_name
        draft = replace(draft, author_name=name, email=account.email)
    _check_guest_identity(site, draft)
    screening = await screen_new_comment(
        ctx, site, text=draft.text, author_name=draft.author_name, email=draft.email,
        reader=reader, signals=signals or FormSignals(),
    )  # fmt: skip
    status = screening.status
    html = render_markdown(draft.text)
    moment = created_at or clock.now()
    avatar = avatar_seed(draft.email.lower() if draft.email else reader.ip_hash, ctx.secret_key)

    async def job(conn: AsyncConnection, changes: Changes) -> PublicComment:
        approved = int(status == "approved")
        thread = await _claim_thread(conn, site.id, uri, draft.title, moment, approved)
        thread_id, count = int(thread.id), int(thread.comment_count)
        refuse_if_closed(site, thread.close_override, thread.created_at, thread.close_message)
        parent_id, root_id, depth = None, None, 0
        if draft.parent_id is not None:
            parent = (
                await conn.execute(select(comments).where(comments.c.id == draft.parent_id))
            ).first()
            if parent is None or parent.thread_id != thread_id:
                raise Invalid("parent_id: no such comment in this thread", code="invalid_parent")
            if parent.status != "approved":
                raise Conflict("this comment can no longer be replied to", code="parent_closed")
            parent_id, root_id, depth = parent.id, parent.root_id or parent.id, parent.depth + 1
        values = {
            "thread_id": thread_id, "parent_id": parent_id, "root_id": root_id, "depth": depth,
            "status": status, "author_name": draft.author_name, "author_email": draft.email,
            "author_website": draft.website, "reader_id": reader.reader_id,
            "ip_hash": reader.ip_hash, "avatar": avatar, "text": draft.text, "html": html,
            "anchor": draft.anchor, "author_badge": badge,
            "moderation": screening.verdict.stored(), "toxicity": screening.verdict.toxicity,
            "created_at": moment,
            "upvotes": 0, "downvotes": 0, "score": 0, "reply_count": 0,
        }  # fmt: skip
        row = (await conn.execute(INSERT_COMMENT, values)).one()
        if account is not None and account.display_name is None and draft.author_name:
            await keep_display_name(conn, account, draft.author_name)
        if approved:
            await propagate_to_parents(conn, parent_id, 1)
        # The insert hands back the stored row and the upsert the new count: the event
        # costs no further read.
        comment = public_comment(row)
        changes.record(CommentCreated(ThreadRef(site.id, uri, count), comment))
        return comment

    comment = await ctx.events.write(job)
    reasons = screening.verdict.reasons if status != "shadowed" else ()
    token = issue_edit_token(ctx.secret_key, comment["id"])
    return PostedComment(_as_the_author_sees_it(comment), token, reasons)


def _as_the_author_sees_it(comment: PublicComment) -> PublicComment:
    """A shadow-banned author sees their comment as published (and nobody else sees it).
    A copy: the event's view stays as stored."""
    if comment["status"] == "shadowed":
        return {**comment, "status": "approved"}
    return comment


def _check_guest_identity(site: Site, draft: CommentDraft) -> None:
    """Sites may insist that guests give a name, or a name and an email address."""
    if site.guest_identity in ("name", "name_email") and not draft.author_name:
        raise Invalid("author_name: this site asks for a name", code="name_required")
    if site.guest_identity == "name_email" and not draft.email:
        raise Invalid("email: this site asks for an email address", code="email_required")


async def edit_comment(
    ctx: Context, site: Site, comment_id: int, text: str, reader: Reader, edit_token: str | None
) -> EditedComment:
    """Replace the text of the caller's own comment within the site's edit window.

    The new text is judged again: a published comment edited into abuse is taken down
    (held or rejected) like a new one would be, and the verdict's reasons come back.
    """
    html = render_markdown(text)
    # Judged before the write is queued: the writer must not wait on the model. The
    # author's name cannot change, so reading it first is as good as reading it in the job.
    # max() makes an unknown id one row of NULL; the job then answers 404.
    author = await ctx.database.read_row(
        select(func.max(comments.c.author_name)).where(comments.c.id == comment_id)
    )
    verdict = await screen_edit(ctx, site, text=text, author_name=author[0])

    async def job(conn: AsyncConnection, changes: Changes) -> PublicComment:
        row = await _own_comment(ctx, conn, site, comment_id, reader, edit_token)
        values = {
            "text": text, "html": html, "edited_at": clock.now(),
            "moderation": verdict.stored(), "toxicity": verdict.toxicity,
        }  # fmt: skip
        if row.status == "approved" and verdict.status != "approved":
            taken_down = await change_status(conn, site.id, row, verdict.status, **values)
            changes.record(taken_down)
            return taken_down.comment
        public = await conn.execute(
            update(comments)
            .where(comments.c.id == comment_id)
            .values(values)
            .returning(*PUBLIC_COLUMNS)
        )
        comment = public_comment(public.one())
        count = await bump_thread(conn, row.thread_id)
        changes.record(CommentEdited(ThreadRef(site.id, row.thread_uri, count), comment))
        return comment

    comment = _as_the_author_sees_it(await ctx.events.write(job))
    return EditedComment(comment, verdict.reasons if comment["status"] != "approved" else ())


async def delete_comment(
    ctx: Context, site: Site, comment_id: int, reader: Reader, edit_token: str | None
) -> None:
    """Delete the caller's own comment; with replies under it, it stays as a placeholder."""

    async def job(conn: AsyncConnection, changes: Changes) -> None:
        row = await _own_comment(ctx, conn, site, comment_id, reader, edit_token)
        changes.record(
            await change_status(conn, site.id, row, "deleted", text="", html="", anchor=None)
        )

    await ctx.events.write(job)


async def _own_comment(
    ctx: Context,
    conn: AsyncConnection,
    site: Site,
    comment_id: int,
    reader: Reader,
    edit_token: str | None,
) -> Any:
    row = await comment_in_locked_thread(conn, site.id, comment_id)
    if row is None or row.status == "deleted":
        raise NotFound("no such comment", code="comment_not_found")
    check_may_change(
        secret_key=ctx.secret_key,
        comment_id=comment_id,
        author_reader_id=row.reader_id,
        created_at=row.created_at,
        edit_window_seconds=site.edit_window_seconds,
        reader=reader,
        edit_token=edit_token,
    )
    return row


async def _claim_thread(
    conn: AsyncConnection,
    site_id: str,
    uri: str,
    title: str | None,
    moment: datetime,
    approved: int,
) -> Any:
    """The thread of `uri`, locked and counting the new comment (`approved` is 1 when it
    is shown): its id, comment count, and what closing it depends on.

    One upsert creates the thread on first use, fills in a missing title when one is known,
    and bumps the counters, so a post costs the writer one statement here, not three.
    """
    statement = claim_thread(conn.dialect.name, fills_title=bool(title))
    values = {
        "site_id": site_id, "uri": uri, "title": title, "comment_count": approved,
        "version": approved, "created_at": moment, "approved": approved,
    }  # fmt: skip
    return (await conn.execute(statement, values)).one()
