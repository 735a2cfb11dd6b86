"""A reader's own data, on request: export all of it, or delete it.

A reader is found by the email address given with their comments (compared without
regard to case). Their votes and reports are found through the reader ids those comments
were posted with; votes counted against an IP address are not linked to anyone, since
many readers can share an address.

Deleting either keeps the comments, anonymised (name, email, website, reader id and IP
hash removed, avatar re-seeded so it no longer matches their other comments), or removes
them: a removed comment with replies stays as a deleted placeholder so the replies keep
their place, one without is deleted outright. Their votes are withdrawn (the comments'
counts go down) and their reports removed. Thread counters are recounted in the same
transaction (`services/recount.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from talkback import clock
from talkback.core.identity import avatar_seed
from talkback.live.live import thread_channel
from talkback.services.context import Context
from talkback.services.export import timestamp
from talkback.services.recount import recount_thread
from talkback.services.sites import Site
from talkback.store.queries import lock_thread
from talkback.store.tables import comments, reports, threads, votes

FORMAT = "talkback-reader-data"
VERSION = 1


@dataclass(frozen=True, slots=True)
class ReaderDeletion:
    comments_anonymised: int = 0
    comments_removed: int = 0
    votes_withdrawn: int = 0
    reports_removed: int = 0


def _by_email(site: Site, email: str) -> Any:
    return (threads.c.site_id == site.id) & (
        func.lower(comments.c.author_email) == email.strip().lower()
    )


async def export_reader_data(ctx: Context, site: Site, email: str) -> dict[str, Any]:
    """Everything the site holds about the reader with this email, as a JSON document."""
    async with ctx.database.read() as conn:
        rows = (
            await conn.execute(
                select(comments, threads.c.uri, threads.c.title.label("page_title"))
                .join(threads, threads.c.id == comments.c.thread_id)
                .where(_by_email(site, email))
                .order_by(comments.c.id)
            )
        ).all()
        voters = _voters(rows)
        vote_rows = (
            await conn.execute(
                select(votes, threads.c.uri)
                .join(threads, threads.c.id == votes.c.thread_id)
                .where(threads.c.site_id == site.id, votes.c.voter.in_(voters))
                .order_by(votes.c.created_at)
            )
        ).all()
        report_rows = (
            await conn.execute(
                select(reports, threads.c.uri)
                .join(comments, comments.c.id == reports.c.comment_id)
                .join(threads, threads.c.id == comments.c.thread_id)
                .where(threads.c.site_id == site.id, reports.c.reporter.in_(voters))
                .order_by(reports.c.created_at)
            )
        ).all()
    return {
        "format": FORMAT,
        "version": VERSION,
        "site": site.id,
        "email": email.strip(),
        "exported_at": timestamp(clock.now()),
        "comments": [_comment(row) for row in rows],
        "votes": [
            {"comment_id": row.comment_id, "page": row.uri, "value": row.value,
             "created_at": timestamp(row.created_at)}
            for row in vote_rows
        ],
        "reports": [
            {"comment_id": row.comment_id, "page": row.uri, "reason": row.reason,
             "note": row.note, "created_at": timestamp(row.created_at)}
            for row in report_rows
        ],
    }  # fmt: skip


def _voters(rows: Any) -> list[str]:
    return sorted({f"r:{row.reader_id}" for row in rows if row.reader_id})


def _comment(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "page": row.uri,
        "page_title": row.page_title,
        "parent_id": row.parent_id,
        "status": row.status,
        "author_name": row.author_name,
        "author_email": row.author_email,
        "author_website": row.author_website,
        "reader_id": row.reader_id,
        "ip_hash": row.ip_hash,
        "text": row.text,
        "html": row.html,
        "anchor": row.anchor,
        "created_at": timestamp(row.created_at),
        "edited_at": timestamp(row.edited_at),
        "upvotes": row.upvotes,
        "downvotes": row.downvotes,
    }


async def delete_reader_data(
    ctx: Context, site: Site, email: str, keep_comments: bool
) -> ReaderDeletion:
    """Delete the reader's data; `keep_comments` keeps their comments, anonymised."""

    async def job(conn: AsyncConnection) -> tuple[ReaderDeletion, list[str]]:
        rows = (
            await conn.execute(
                select(comments.c.id, comments.c.thread_id, comments.c.reader_id, threads.c.uri)
                .join(threads, threads.c.id == comments.c.thread_id)
                .where(_by_email(site, email))
            )
        ).all()
        voters = _voters(rows)
        vote_rows = (
            await conn.execute(
                select(votes.c.comment_id, votes.c.value, votes.c.thread_id, votes.c.voter)
                .join(threads, threads.c.id == votes.c.thread_id)
                .where(threads.c.site_id == site.id, votes.c.voter.in_(voters))
            )
        ).all()
        touched = {row.thread_id: row.uri for row in rows}
        for thread_id in sorted({*touched, *(vote.thread_id for vote in vote_rows)}):
            await lock_thread(conn, thread_id)
        withdrawn = await _withdraw_votes(conn, vote_rows)
        reported = await _remove_reports(conn, site, voters)
        ids = [row.id for row in rows]
        if keep_comments:
            await _anonymise(conn, ids, ctx.secret_key)
        else:
            await _remove(conn, ids, ctx.secret_key)
        pages = dict(touched)
        for vote in vote_rows:
            if vote.thread_id not in pages:
                pages[vote.thread_id] = await conn.scalar(
                    select(threads.c.uri).where(threads.c.id == vote.thread_id)
                )
        for thread_id in sorted(pages):
            await recount_thread(conn, thread_id, changed=True)
        result = ReaderDeletion(
            comments_anonymised=len(ids) if keep_comments else 0,
            comments_removed=0 if keep_comments else len(ids),
            votes_withdrawn=withdrawn,
            reports_removed=reported,
        )
        return result, list(pages.values())

    result, uris = await ctx.database.write(job)
    for uri in uris:
        ctx.threads.forget(thread_channel(site.id, uri))
    return result


async def _withdraw_votes(conn: AsyncConnection, vote_rows: Any) -> int:
    for vote in vote_rows:
        await conn.execute(
            update(comments)
            .where(comments.c.id == vote.comment_id)
            .values(
                upvotes=comments.c.upvotes - int(vote.value == 1),
                downvotes=comments.c.downvotes - int(vote.value == -1),
                score=comments.c.score - vote.value,
            )
        )
        await conn.execute(
            delete(votes).where(votes.c.comment_id == vote.comment_id, votes.c.voter == vote.voter)
        )
    return len(vote_rows)


async def _remove_reports(conn: AsyncConnection, site: Site, voters: list[str]) -> int:
    report_rows = (
        await conn.execute(
            select(reports.c.id, reports.c.comment_id)
            .join(comments, comments.c.id == reports.c.comment_id)
            .join(threads, threads.c.id == comments.c.thread_id)
            .where(threads.c.site_id == site.id, reports.c.reporter.in_(voters))
        )
    ).all()
    for report in report_rows:
        await conn.execute(delete(reports).where(reports.c.id == report.id))
        await conn.execute(
            update(comments)
            .where(comments.c.id == report.comment_id, comments.c.report_count > 0)
            .values(report_count=comments.c.report_count - 1)
        )
    return len(report_rows)


_FORGET_AUTHOR = {
    "author_name": None,
    "author_email": None,
    "author_website": None,
    "reader_id": None,
    "ip_hash": None,
}


async def _anonymise(conn: AsyncConnection, ids: list[int], secret_key: str) -> None:
    if ids:
        await conn.execute(
            update(comments)
            .where(comments.c.id == bindparam("comment"))
            .values(avatar=bindparam("seed"), **_FORGET_AUTHOR),
            [{"comment": i, "seed": avatar_seed(f"anonymous:{i}", secret_key)} for i in ids],
        )


async def _remove(conn: AsyncConnection, ids: list[int], secret_key: str) -> None:
    """Blank the comments; delete the ones no reply hangs under, innermost first."""
    if not ids:
        return
    await conn.execute(
        update(comments)
        .where(comments.c.id == bindparam("comment"))
        .values(avatar=bindparam("seed"), status="deleted", text="", html="", anchor=None,
                moderation=None, toxicity=None, **_FORGET_AUTHOR),
        [{"comment": i, "seed": avatar_seed(f"anonymous:{i}", secret_key)} for i in ids],
    )  # fmt: skip
    reply = aliased(comments)
    while True:
        gone = await conn.execute(
            delete(comments).where(
                comments.c.id.in_(ids), ~exists().where(reply.c.parent_id == comments.c.id)
            )
        )
        if not gone.rowcount:
            return
