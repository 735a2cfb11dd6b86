"""What staff do to comments: approve, reject, mark spam, delete, edit; the queue, search,
bans, moderation rules and the audit log.

Each action runs in one transaction with its audit entry, so the log never misses an
action nor records one that did not happen; open widgets hear of it after the commit.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback import clock
from talkback.comments.announce import announce, announce_status_change
from talkback.comments.posting import load_public_comment
from talkback.comments.reports import resolve_open_reports
from talkback.comments.views import iso
from talkback.comments.visibility import bump_thread, change_status
from talkback.context import Context
from talkback.core.identity import hash_ip
from talkback.core.markup import render_markdown
from talkback.errors import Conflict, Invalid, NotFound
from talkback.moderation.settings import ModerationSettings, validated_changes
from talkback.sites.sites import Site
from talkback.staff.accounts import StaffMember
from talkback.store.queries import comment_in_locked_thread
from talkback.store.tables import audit_log, bans, comments, reports, sites, threads
from talkback.store.tables import staff as staff_accounts

BAN_KINDS = ("email", "ip", "reader")
IP_HASH = re.compile(r"^[0-9a-f]{32}$")


async def approve_comment(
    ctx: Context, site: Site, comment_id: int, staff: StaffMember
) -> dict[str, Any]:
    """Publish a held, rejected or reported comment; open widgets receive it live.

    On a published comment with open reports this is "Keep": the reports are answered and
    the comment leaves the Reported queue, audited as `comment.keep`.
    """
    return await _set_status(ctx, site, comment_id, "approved", staff, "comment.approve")


async def reject_comment(
    ctx: Context, site: Site, comment_id: int, staff: StaffMember
) -> dict[str, Any]:
    return await _set_status(ctx, site, comment_id, "rejected", staff, "comment.reject")


async def mark_spam(
    ctx: Context, site: Site, comment_id: int, staff: StaffMember
) -> dict[str, Any]:
    return await _set_status(ctx, site, comment_id, "spam", staff, "comment.spam")


async def remove_comment(ctx: Context, site: Site, comment_id: int, staff: StaffMember) -> None:
    """Delete as the author would: with replies under it, it stays as a placeholder."""
    await _set_status(ctx, site, comment_id, "deleted", staff, "comment.delete")


async def edit_comment_as_staff(
    ctx: Context, site: Site, comment_id: int, text: str, staff: StaffMember
) -> dict[str, Any]:
    html = render_markdown(text)

    async def job(conn: AsyncConnection) -> tuple[int, str]:
        row = await _staff_comment(conn, site, comment_id)
        await conn.execute(
            update(comments)
            .where(comments.c.id == comment_id)
            .values(text=text, html=html, edited_at=clock.now())
        )
        await bump_thread(conn, row.thread_id)
        await record_audit(
            conn, site_id=site.id, staff_id=staff.id, action="comment.edit",
            target=f"comment:{comment_id}", details={"before": row.text, "after": text},
        )  # fmt: skip
        return int(row.thread_id), str(row.status)

    thread_id, status = await ctx.database.write(job)
    comment = await load_public_comment(ctx, comment_id)
    if status == "approved":
        await announce(ctx, thread_id, "comment.updated", {"comment": comment})
    return comment


async def _set_status(
    ctx: Context, site: Site, comment_id: int, status: str, staff: StaffMember, action: str
) -> dict[str, Any]:
    """Give the comment `status`; any staff decision also answers its open reports.

    Idempotent: a comment already in `status` with no open report is left as it is and
    nothing is audited. One in `status` with open reports only has them answered (readers
    see no change, so nothing is announced).
    """

    async def job(conn: AsyncConnection) -> tuple[int, str]:
        row = await _staff_comment(conn, site, comment_id)
        # An imported comment brings its report count without the reports behind it.
        answered = max(await resolve_open_reports(conn, comment_id), int(row.report_count))
        if row.status == status:
            if not answered:
                return int(row.thread_id), str(row.status)
            await conn.execute(
                update(comments).where(comments.c.id == comment_id).values(report_count=0)
            )
            audited = "comment.keep" if status == "approved" else action
            details: dict[str, Any] = {"reports_resolved": answered}
        else:
            values: dict[str, Any] = {"report_count": 0}
            if status == "deleted":
                values |= {"text": "", "html": "", "anchor": None}
            await change_status(conn, row, status, **values)
            audited = action
            details = {"from": row.status, "to": status}
            if answered:
                details["reports_resolved"] = answered
        await record_audit(
            conn, site_id=site.id, staff_id=staff.id, action=audited,
            target=f"comment:{comment_id}", details=details,
        )  # fmt: skip
        return int(row.thread_id), str(row.status)

    thread_id, before = await ctx.database.write(job)
    comment = await load_public_comment(ctx, comment_id)
    await announce_status_change(ctx, thread_id, comment, before)
    return comment


async def _staff_comment(conn: AsyncConnection, site: Site, comment_id: int) -> Any:
    row = await comment_in_locked_thread(conn, site.id, comment_id)
    if row is None:
        raise NotFound("no such comment", code="comment_not_found")
    return row


SYSTEM_ACTOR = "system"


async def record_audit(
    conn: AsyncConnection,
    *,
    site_id: str | None,
    staff_id: int | None,
    action: str,
    target: str | None,
    details: dict[str, Any],
    actor: str = SYSTEM_ACTOR,
) -> None:
    """Add an audit entry inside the caller's transaction.

    An entry without a staff account (the command line, the demo, a payment webhook) keeps
    `actor` in its details, so the log can tell it from the entry of an account removed
    since (whose `staff_id` the database sets to NULL, leaving no actor).
    """
    if staff_id is None:
        details = {**details, "actor": actor}
    await conn.execute(
        insert(audit_log).values(
            site_id=site_id, staff_id=staff_id, action=action, target=target,
            details=details, created_at=clock.now(),
        )
    )  # fmt: skip


async def audit_entries(
    ctx: Context, site: Site, *, limit: int, offset: int
) -> list[dict[str, Any]]:
    """Newest first. `actor` is who acted: the staff member's email, what acted without an
    account (`"system"`…), or None for an account removed since."""
    query = (
        select(audit_log, staff_accounts.c.email.label("staff_email"))
        .outerjoin(staff_accounts, staff_accounts.c.id == audit_log.c.staff_id)
        .where(audit_log.c.site_id == site.id)
        .order_by(audit_log.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    async with ctx.database.read() as conn:
        rows = (await conn.execute(query)).all()
    return [
        {"id": row.id, "action": row.action, "target": row.target, "details": row.details,
         "staff": row.staff_email, "actor": row.staff_email or (row.details or {}).get("actor"),
         "created_at": iso(row.created_at)}
        for row in rows
    ]  # fmt: skip


def _admin_view(row: Any) -> dict[str, Any]:
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
    }  # fmt: skip


def _admin_select() -> Any:
    return (
        select(comments, threads.c.uri, threads.c.title)
        .join(threads, threads.c.id == comments.c.thread_id)
    )  # fmt: skip


async def _with_reports(conn: AsyncConnection, views: list[dict[str, Any]]) -> list[dict[str, Any]]:
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
) -> list[dict[str, Any]]:
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
) -> list[dict[str, Any]]:
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


def ban_value(kind: str, value: str, secret_key: str) -> str:
    """What a ban matches on: a lower-cased email, an IP's keyed hash, or a reader id.

    An IP address typed by a moderator is hashed here, so bans never store addresses.
    """
    value = value.strip()
    if kind == "email":
        if "@" not in value or len(value) > 254:
            raise Invalid("an email ban needs an email address")
        return value.lower()
    if kind == "ip":
        if IP_HASH.match(value):
            return value
        try:
            return hash_ip(str(ipaddress.ip_address(value)), secret_key)
        except ValueError as exc:
            raise Invalid("an IP ban needs an IP address or an IP hash") from exc
    if kind == "reader":
        if not value or len(value) > 64:
            raise Invalid("a reader ban needs the reader id")
        return value
    raise Invalid(f"ban kind is one of {', '.join(BAN_KINDS)}")


async def add_ban(
    ctx: Context,
    site: Site,
    *,
    kind: str,
    value: str,
    shadow: bool,
    reason: str | None,
    expires_at: datetime | None,
    staff: StaffMember,
) -> dict[str, Any]:
    matched = ban_value(kind, value, ctx.secret_key)
    if expires_at is not None and expires_at <= clock.now():
        raise Invalid("a ban must end in the future (or never)")

    async def job(conn: AsyncConnection) -> int:
        ban_id: int = (
            await conn.execute(
                insert(bans)
                .values(
                    site_id=site.id, kind=kind, value=matched, shadow=shadow, reason=reason,
                    expires_at=expires_at, created_by=staff.id, created_at=clock.now(),
                )
                .returning(bans.c.id)
            )
        ).scalar_one()  # fmt: skip
        await record_audit(
            conn, site_id=site.id, staff_id=staff.id, action="ban.add", target=f"ban:{ban_id}",
            details={"kind": kind, "shadow": shadow, "reason": reason,
                     "expires_at": iso(expires_at)},
        )  # fmt: skip
        return ban_id

    ban_id = await ctx.database.write(job)
    return next(ban for ban in await list_bans(ctx, site) if ban["id"] == ban_id)


async def lift_ban(ctx: Context, site: Site, ban_id: int, staff: StaffMember) -> None:
    """End a ban now; the record stays for the history."""

    async def job(conn: AsyncConnection) -> None:
        row = (
            await conn.execute(select(bans).where(bans.c.id == ban_id, bans.c.site_id == site.id))
        ).first()
        if row is None:
            raise NotFound("no such ban", code="ban_not_found")
        if row.expires_at is not None and row.expires_at <= clock.now():
            raise Conflict("this ban has already ended", code="ban_ended")
        await conn.execute(update(bans).where(bans.c.id == ban_id).values(expires_at=clock.now()))
        await record_audit(
            conn, site_id=site.id, staff_id=staff.id, action="ban.lift",
            target=f"ban:{ban_id}", details={"kind": row.kind},
        )  # fmt: skip

    await ctx.database.write(job)


async def list_bans(ctx: Context, site: Site) -> list[dict[str, Any]]:
    async with ctx.database.read() as conn:
        rows = (
            await conn.execute(
                select(bans).where(bans.c.site_id == site.id).order_by(bans.c.id.desc())
            )
        ).all()
    now = clock.now()
    return [
        {"id": row.id, "kind": row.kind, "value": row.value, "shadow": row.shadow,
         "reason": row.reason, "expires_at": iso(row.expires_at),
         "created_at": iso(row.created_at),
         "active": row.expires_at is None or row.expires_at > now}
        for row in rows
    ]  # fmt: skip


async def update_moderation_settings(
    ctx: Context, site: Site, changes: dict[str, Any], staff: StaffMember
) -> Site:
    current = ModerationSettings.from_site(site.moderation)
    updated = validated_changes(current, changes)

    async def job(conn: AsyncConnection) -> None:
        await conn.execute(
            update(sites).where(sites.c.id == site.id).values(moderation=updated.stored())
        )
        await record_audit(
            conn, site_id=site.id, staff_id=staff.id, action="settings.moderation",
            target=f"site:{site.id}", details={"changes": changes},
        )  # fmt: skip

    await ctx.database.write(job)
    ctx.sites.forget(site.id)
    return await ctx.sites.get(site.id)
