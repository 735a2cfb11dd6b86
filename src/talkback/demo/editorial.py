"""The demo's editorial touches: a note from the editor (signed in, so it carries the Staff
badge) pinned above the discussion, a reader's comment featured, and one of the other
stories closed with a message, so a newcomer sees each of the editors' tools at once.

Seeded through the public services (a sign-in link used as a reader would, posting,
pinning, featuring, closing), after the demo's staff accounts exist: the badge is the
role of the address the comment was written with. Once only: a demo whose thread already
has a pinned comment is left as it is.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback import clock
from talkback.accounts.links import create_link, token_for
from talkback.accounts.service import complete_signin
from talkback.comments.posting import CommentDraft, post_comment
from talkback.context import Context
from talkback.core.identity import hash_ip
from talkback.moderation.editorial import feature_comment, pin_comment, set_thread_closing
from talkback.readers.tokens import Reader
from talkback.sites.sites import Site
from talkback.staff.accounts import list_staff
from talkback.store.tables import comments, threads

EDITOR_NOTE = (
    "**From the editor:** thank you for a thoughtful discussion. We will publish the "
    "borehole survey and the council's review brief in full on Friday, and Alun's question "
    "about the original boreholes is going to the engineers. Please keep it civil; the "
    "moderators will be around until midnight."
)
FEATURED_AUTHOR = "Alun Rees"
"""Whose first comment the desk features: the engineer's explanation of the clay."""
CLOSED_STORY = "/2026/11/quayside-sandbag-store"
CLOSED_MESSAGE = (
    "Comments on this story are closed. Questions about sandbags go to the fire station on "
    "Marsh Lane, 01632 960 118."
)


async def seed_editorial(ctx: Context, site: Site, editor_email: str, uri: str) -> None:
    """The editor's pinned note, a featured comment and a closed story; once only."""
    editor = next((m for m in await list_staff(ctx.database) if m.email == editor_email), None)
    if editor is None or await _has_pins(ctx, site, uri):
        return
    reader = await _signed_in(ctx, site, editor.email)
    draft = CommentDraft(text=EDITOR_NOTE, author_name=editor.name or "The editor")
    moment = clock.now() - timedelta(hours=2)
    note = await post_comment(ctx, site, uri, draft, reader, created_at=moment)
    await pin_comment(ctx, site, note.comment["id"], editor)
    featured = await _first_by(ctx, site, uri, FEATURED_AUTHOR)
    if featured is not None:
        await feature_comment(ctx, site, featured, editor)
    await set_thread_closing(
        ctx, site, CLOSED_STORY, editor, override="closed", message=CLOSED_MESSAGE
    )


async def _signed_in(ctx: Context, site: Site, email: str) -> Reader:
    """A device signed in with `email` as a reader would be: a link made and used."""

    async def job(conn: AsyncConnection) -> str:
        link = await create_link(conn, ctx.secret_key, site_id=site.id, email=email, reader_id=None)
        return link.seed

    seed = await ctx.database.write(job)
    device = Reader(ip_hash=hash_ip("demo-editor", ctx.secret_key))
    signed = await complete_signin(ctx, site, token_for(ctx.secret_key, seed), device)
    return Reader(ip_hash=device.ip_hash, reader_id=signed.account.id)


def _in_thread(site: Site, uri: str) -> Any:
    return comments.join(threads, threads.c.id == comments.c.thread_id), and_(
        threads.c.site_id == site.id, threads.c.uri == uri
    )


async def _first_by(ctx: Context, site: Site, uri: str, author: str) -> int | None:
    joined, here = _in_thread(site, uri)
    row = await ctx.database.read_row(
        select(func.min(comments.c.id))
        .select_from(joined)
        .where(here, comments.c.author_name == author, comments.c.parent_id.is_(None))
    )
    return None if row[0] is None else int(row[0])


async def _has_pins(ctx: Context, site: Site, uri: str) -> bool:
    joined, here = _in_thread(site, uri)
    pinned = await ctx.database.read_row(
        select(func.count()).select_from(joined).where(here, comments.c.pinned_at.is_not(None))
    )
    return bool(pinned[0])
