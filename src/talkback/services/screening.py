"""Screening a comment before it is stored: rate limits, bans, then the moderation pipeline
with the facts from the author's history that its checks need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback import clock
from talkback.errors import Forbidden
from talkback.moderation.checks import Submission
from talkback.moderation.findings import Verdict
from talkback.moderation.pipeline import judge
from talkback.moderation.rate_limits import POSTS_PER_READER, POSTS_PER_SITE
from talkback.moderation.settings import ModerationSettings
from talkback.services.context import Context
from talkback.services.readers import Reader
from talkback.services.sites import Site
from talkback.store.tables import bans, comments, threads

DUPLICATE_WINDOW = timedelta(minutes=10)
FLOOD_WINDOW = timedelta(minutes=1)
DUPLICATE_LOOKBACK = 20


@dataclass(frozen=True, slots=True)
class Screening:
    status: str
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class FormSignals:
    """What the widget reports about how the form was filled (absent from API clients)."""

    honeypot: str | None = None
    form_seconds: float | None = None


async def screen_new_comment(
    ctx: Context,
    site: Site,
    *,
    text: str,
    author_name: str | None,
    email: str | None,
    reader: Reader,
    signals: FormSignals,
) -> Screening:
    """The status a new comment gets: refused outright (429, 403), or judged."""
    await ctx.rate_limits.check(POSTS_PER_READER, site.id, reader.ip_hash, what="comments")
    await ctx.rate_limits.check(POSTS_PER_SITE, site.id, what="comments on this site")
    rules = ModerationSettings.from_site(site.moderation)
    since_flood = clock.now() - FLOOD_WINDOW
    async with ctx.database.read() as conn:
        ban = await active_ban(
            conn, site.id, email=email, ip_hash=reader.ip_hash, reader_id=reader.reader_id
        )
        if ban is not None and not ban.shadow:
            raise Forbidden("you cannot comment on this site", code="banned")
        by_author = (
            select(comments.c.id)
            .join(threads, threads.c.id == comments.c.thread_id)
            .where(threads.c.site_id == site.id, comments.c.ip_hash == reader.ip_hash)
        )
        recent = 0
        if ctx.rate_limits.enabled:  # flood detection is a rate limit: off with the others
            recent = (
                await conn.scalar(
                    select(func.count()).select_from(
                        by_author.where(comments.c.created_at > since_flood).subquery()
                    )
                )
                or 0
            )
        # The author's latest few comments only: the cost stays bounded however many
        # comments share one address (a load test, a newsroom behind one NAT).
        latest = await conn.scalars(
            select(comments.c.text)
            .join(threads, threads.c.id == comments.c.thread_id)
            .where(
                threads.c.site_id == site.id,
                comments.c.ip_hash == reader.ip_hash,
                comments.c.created_at > clock.now() - DUPLICATE_WINDOW,
            )
            .order_by(comments.c.created_at.desc())
            .limit(DUPLICATE_LOOKBACK)
        )
        duplicate = text in latest.all()
        known = rules.mode == "first" and await _has_approved_comment(
            conn, site, email=email, reader=reader
        )
    verdict = await judge(
        Submission(
            text=text,
            author_name=author_name,
            honeypot=signals.honeypot,
            form_seconds=signals.form_seconds,
            duplicate_of_recent=bool(duplicate),
            recent_by_same_author=recent,
            has_approved_comment=bool(known),
        ),
        rules,
        ctx.scorer,
    )
    return Screening("shadowed" if ban is not None else verdict.status, verdict)


async def screen_edit(ctx: Context, site: Site, *, text: str, author_name: str | None) -> Verdict:
    """An edited text is judged again on its own; history checks do not apply to it."""
    rules = ModerationSettings.from_site(site.moderation)
    return await judge(
        Submission(text=text, author_name=author_name, has_approved_comment=True), rules,
        ctx.scorer,
    )  # fmt: skip


async def _has_approved_comment(
    conn: AsyncConnection, site: Site, *, email: str | None, reader: Reader
) -> bool:
    """Whether this author already has a published comment here ("first comment held")."""
    if email:
        author = comments.c.author_email == email
    elif reader.reader_id:
        author = comments.c.reader_id == reader.reader_id
    else:
        return False
    found = await conn.scalar(
        select(
            exists(
                select(comments.c.id)
                .join(threads, threads.c.id == comments.c.thread_id)
                .where(threads.c.site_id == site.id, comments.c.status == "approved", author)
            )
        )
    )
    return bool(found)


async def active_ban(
    conn: AsyncConnection, site_id: str, *, email: str | None, ip_hash: str, reader_id: str | None
) -> Any:
    """The ban that applies to this author now, if any (a plain ban over a shadow one)."""
    matches = [(bans.c.kind == "ip") & (bans.c.value == ip_hash)]
    if email:
        matches.append((bans.c.kind == "email") & (bans.c.value == email.lower()))
    if reader_id:
        matches.append((bans.c.kind == "reader") & (bans.c.value == reader_id))
    return (
        await conn.execute(
            select(bans.c.id, bans.c.shadow)
            .where(
                bans.c.site_id == site_id,
                or_(*matches),
                or_(bans.c.expires_at.is_(None), bans.c.expires_at > clock.now()),
            )
            .order_by(bans.c.shadow.asc())
            .limit(1)
        )
    ).first()
