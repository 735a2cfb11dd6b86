"""Screening a comment before it is stored: rate limits, bans, then the moderation pipeline
with the facts from the author's history that its checks need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from sqlalchemy import ScalarSelect, Select, bindparam, exists, func, or_, select

from talkback import clock
from talkback.context import Context
from talkback.errors import Forbidden
from talkback.moderation.checks import Submission
from talkback.moderation.findings import Verdict
from talkback.moderation.pipeline import judge
from talkback.moderation.rate_limits import POSTS_PER_READER, POSTS_PER_SITE
from talkback.moderation.settings import ModerationSettings
from talkback.readers.tokens import Reader
from talkback.sites.sites import Site
from talkback.store.tables import bans, comments, threads
from talkback.store.types import UTCDateTime

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
    history = await _author_history(
        ctx, site, text=text, email=email, reader=reader, first_mode=rules.mode == "first"
    )
    if history.banned and not history.shadow_banned:
        raise Forbidden("you cannot comment on this site", code="banned")
    verdict = await judge(
        Submission(
            text=text,
            author_name=author_name,
            honeypot=signals.honeypot,
            form_seconds=signals.form_seconds,
            duplicate_of_recent=history.duplicate,
            recent_by_same_author=history.recent,
            has_approved_comment=history.known,
        ),
        rules,
        ctx.scorer,
    )
    return Screening("shadowed" if history.banned else verdict.status, verdict)


async def screen_edit(ctx: Context, site: Site, *, text: str, author_name: str | None) -> Verdict:
    """An edited text is judged again on its own; history checks do not apply to it."""
    rules = ModerationSettings.from_site(site.moderation)
    return await judge(
        Submission(text=text, author_name=author_name, has_approved_comment=True), rules,
        ctx.scorer,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class _History:
    """What screening needs to know about the author, read in one statement."""

    banned: bool
    shadow_banned: bool
    recent: int
    duplicate: bool
    known: bool


async def _author_history(
    ctx: Context, site: Site, *, text: str, email: str | None, reader: Reader, first_mode: bool
) -> _History:
    """Ban, flood count, duplicate and "already published here" in one query.

    Each is a scalar subquery of one SELECT, so screening costs one round trip to the
    database instead of up to four. Flood detection is a rate limit, off with the others;
    the "first comment held" lookup is only needed in that mode.
    """
    now = clock.now()
    first_by = "email" if email else "reader" if reader.reader_id else None
    statement = _history_statement(
        flood=ctx.rate_limits.enabled, first_by=first_by if first_mode else None,
        ban_email=bool(email), ban_reader=bool(reader.reader_id),
    )  # fmt: skip
    parameters = {
        "site_id": site.id, "ip_hash": reader.ip_hash, "text": text, "now": now,
        "duplicate_since": now - DUPLICATE_WINDOW, "flood_since": now - FLOOD_WINDOW,
        "email": email, "email_lower": email.lower() if email else None,
        "reader_id": reader.reader_id,
    }  # fmt: skip
    row = (await ctx.database.read_rows(statement, parameters))[0]._mapping
    return _History(
        banned=row["ban_shadow"] is not None,
        shadow_banned=bool(row["ban_shadow"]),
        recent=int(row.get("recent") or 0),
        duplicate=bool(row["duplicate"]),
        known=bool(row.get("known")),
    )


@cache
def _history_statement(
    *, flood: bool, first_by: str | None, ban_email: bool, ban_reader: bool
) -> Select[Any]:
    """The history query of one shape, built once: its values are parameters (building
    it cost more than the database took to answer it)."""
    by_author = (
        select(comments.c.id, comments.c.text)
        .join(threads, threads.c.id == comments.c.thread_id)
        .where(threads.c.site_id == bindparam("site_id"),
               comments.c.ip_hash == bindparam("ip_hash"))
    )  # fmt: skip
    # The author's latest few comments only: the cost stays bounded however many
    # comments share one address (a load test, a newsroom behind one NAT).
    latest = (
        by_author.where(comments.c.created_at > bindparam("duplicate_since", type_=UTCDateTime))
        .order_by(comments.c.created_at.desc())
        .limit(DUPLICATE_LOOKBACK)
        .subquery()
    )
    facts: list[Any] = [
        _ban_shadow(email=ban_email, reader=ban_reader).label("ban_shadow"),
        exists(select(latest.c.id).where(latest.c.text == bindparam("text"))).label("duplicate"),
    ]
    if flood:
        recent = by_author.where(
            comments.c.created_at > bindparam("flood_since", type_=UTCDateTime)
        ).subquery()
        facts.append(select(func.count()).select_from(recent).scalar_subquery().label("recent"))
    if first_by is not None:
        author = (
            comments.c.author_email == bindparam("email")
            if first_by == "email"
            else comments.c.reader_id == bindparam("reader_id")
        )
        published = by_author.where(comments.c.status == "approved", author)
        facts.append(exists(published).label("known"))
    return select(*facts)


def _ban_shadow(*, email: bool, reader: bool) -> ScalarSelect[Any]:
    """The `shadow` flag of the ban that applies to this author now, NULL when none does
    (a plain ban wins over a shadow one)."""
    matches = [(bans.c.kind == "ip") & (bans.c.value == bindparam("ip_hash"))]
    if email:
        matches.append((bans.c.kind == "email") & (bans.c.value == bindparam("email_lower")))
    if reader:
        matches.append((bans.c.kind == "reader") & (bans.c.value == bindparam("reader_id")))
    now = bindparam("now", type_=UTCDateTime)
    return (
        select(bans.c.shadow)
        .where(
            bans.c.site_id == bindparam("site_id"),
            or_(*matches),
            or_(bans.c.expires_at.is_(None), bans.c.expires_at > now),
        )
        .order_by(bans.c.shadow.asc())
        .limit(1)
        .scalar_subquery()
    )
