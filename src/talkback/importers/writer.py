"""Writing staged records to the database: threads first, then comments, in batches.

Each batch is one `database.write` job of up to BATCH comments, so on SQLite an import
shares the group-commit writer with live traffic instead of holding the write lock for
minutes, and on PostgreSQL each batch is a short transaction that locks its threads in
file order. A thread's counters are recounted in the job that writes its last comments
(`comments/recount.py`), so readers see a thread either before the import reached it or
with consistent counts once it is done.

Idempotency: a comment whose origin (`import_source`, `import_id`) is already in the
thread is not written again, and still serves as the parent of replies that are new.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback import clock
from talkback.comments.recount import recount_thread
from talkback.context import Context
from talkback.core.identity import avatar_seed
from talkback.events.changes import ThreadsRewritten
from talkback.events.dispatcher import Changes
from talkback.importers.progress import Progress
from talkback.importers.records import CommentRecord, VoteRecord
from talkback.importers.screening import Screen
from talkback.importers.staging import Staging, ThreadGroup
from talkback.importers.summary import ImportSummary
from talkback.importers.tree import plan_thread
from talkback.sites.sites import Site
from talkback.store.queries import insert_if_absent, lock_thread
from talkback.store.tables import comments, threads, votes

BATCH = 500
ALREADY_IMPORTED = "already imported"
_PASSED_THROUGH = ("moderation", "toxicity", "report_count")
_LIMITS = {"author_name": 80, "author_website": 500, "reader_id": 64}

Known = tuple[int, int | None, int]  # database id, root id, depth


@dataclass
class _Thread:
    """One thread uri being written, across the jobs its comments need."""

    group: ThreadGroup
    comments: list[CommentRecord]
    thread_id: int = 0
    created: bool = False
    known: dict[str, Known] = field(default_factory=dict)
    wrote: bool = False


@dataclass(frozen=True)
class _Piece:
    thread: _Thread
    start: int
    end: int

    @property
    def first(self) -> bool:
        return self.start == 0

    @property
    def last(self) -> bool:
        return self.end == len(self.thread.comments)


@dataclass
class _Outcome:
    imported: Counter[str] = field(default_factory=Counter)
    existing: int = 0
    votes: int = 0
    created: int = 0
    updated: int = 0


async def write_staged(
    ctx: Context,
    site: Site,
    staging: Staging,
    summary: ImportSummary,
    progress: Progress,
    screen: Screen | None = None,
) -> None:
    """Write every staged thread group; raises on the first failed job (batches already
    committed stay, and running the same import again completes it). `screen` sees each
    thread's comments before they are written and may hold them (`screening.py`)."""
    pending: list[_Piece] = []
    size = 0
    for group in staging.groups():
        plan = plan_thread(staging.comments_of(group))
        summary.skipped.update(plan.skipped)
        summary.notes.update(plan.notes)
        if not plan.comments and not group.keep_empty:
            continue
        if screen is not None:
            await screen(plan.comments)
        thread = _Thread(group, plan.comments)
        for start in range(0, max(len(plan.comments), 1), BATCH):
            end = min(start + BATCH, len(plan.comments))
            pending.append(_Piece(thread, start, end))
            size += end - start
            if size >= BATCH:
                await _flush(ctx, site, staging, pending, summary, progress)
                pending, size = [], 0
    if pending:
        await _flush(ctx, site, staging, pending, summary, progress)


async def _flush(
    ctx: Context,
    site: Site,
    staging: Staging,
    pieces: list[_Piece],
    summary: ImportSummary,
    progress: Progress,
) -> None:
    votes_by_thread = {
        id(piece.thread): list(staging.votes_of([c.key for c in piece.thread.comments]))
        for piece in pieces
        if piece.last and piece.thread.comments
    }

    async def job(conn: AsyncConnection, changes: Changes) -> _Outcome:
        outcome = _Outcome()
        for piece in pieces:
            await _write_piece(conn, ctx.secret_key, site.id, piece, outcome)
            if piece.last:
                await _write_votes(
                    conn, piece.thread, votes_by_thread.get(id(piece.thread)), outcome
                )
                bumped = await recount_thread(
                    conn, piece.thread.thread_id, changed=piece.thread.wrote
                )
                if piece.thread.created:
                    outcome.created += 1
                elif bumped:
                    outcome.updated += 1
        finished = tuple(piece.thread.group.uri for piece in pieces if piece.last)
        if finished:
            changes.record(ThreadsRewritten(site.id, finished))
        return outcome

    outcome = await ctx.events.write(job)
    summary.imported.update(outcome.imported)
    if outcome.existing:
        summary.skip(ALREADY_IMPORTED, outcome.existing)
    summary.votes_imported += outcome.votes
    summary.threads_created += outcome.created
    summary.threads_updated += outcome.updated
    progress.advance(sum(piece.end - piece.start for piece in pieces))


async def _write_piece(
    conn: AsyncConnection, secret_key: str, site_id: str, piece: _Piece, outcome: _Outcome
) -> None:
    thread = piece.thread
    if piece.first:
        thread.thread_id, thread.created = await _ensure_thread(conn, site_id, thread)
        if not thread.created:
            thread.known = await _already_imported(conn, site_id, thread)
    else:
        await lock_thread(conn, thread.thread_id)
    rows: list[dict[str, Any]] = []
    batch: list[tuple[CommentRecord, str | None, int]] = []
    new_depth: dict[str, int] = {}
    roots: dict[str, int | None] = {}
    for record in thread.comments[piece.start : piece.end]:
        if record.key in thread.known:
            outcome.existing += 1
            continue
        parent_id, root_id, depth, waits_for = None, None, 0, None
        if record.parent_key in thread.known:
            parent_id, parent_root, parent_depth = thread.known[record.parent_key]
            root_id, depth = parent_root or parent_id, parent_depth + 1
        elif record.parent_key in new_depth:
            waits_for, depth = record.parent_key, new_depth[record.parent_key] + 1
        new_depth[record.key] = depth
        roots[record.key] = root_id
        rows.append(_row(record, thread.thread_id, parent_id, root_id, depth, secret_key))
        batch.append((record, waits_for, depth))
        outcome.imported[record.status] += 1
    if not rows:
        return
    # Ids are matched to rows by origin, which is unique among new rows: asking for
    # RETURNING in parameter order would make SQLAlchemy insert one row per statement.
    inserted = await conn.execute(
        insert(comments).returning(comments.c.id, comments.c.import_source, comments.c.import_id),
        rows,
    )
    new_ids = {(source, import_id): comment_id for comment_id, source, import_id in inserted}
    links = []
    for record, waits_for, depth in batch:
        comment_id = new_ids[record.import_source, record.import_id]
        if waits_for is None:
            thread.known[record.key] = (comment_id, roots[record.key], depth)
            continue
        parent_id, parent_root, _ = thread.known[waits_for]
        root_id = parent_root or parent_id
        thread.known[record.key] = (comment_id, root_id, depth)
        links.append({"comment": comment_id, "parent": parent_id, "root": root_id})
    if links:
        await conn.execute(
            update(comments)
            .where(comments.c.id == bindparam("comment"))
            .values(parent_id=bindparam("parent"), root_id=bindparam("root")),
            links,
        )
    thread.wrote = True


def _row(
    record: CommentRecord,
    thread_id: int,
    parent_id: int | None,
    root_id: int | None,
    depth: int,
    secret_key: str,
) -> dict[str, Any]:
    email = record.author_email
    if email is not None and len(email) > 254:
        email = None
    deleted = record.status == "deleted"
    identity = (
        (email or "").lower() or record.ip_hash or f"{record.import_source}:{record.import_id}"
    )
    score = record.upvotes - record.downvotes if record.score is None else record.score
    row: dict[str, Any] = {
        "thread_id": thread_id,
        "parent_id": parent_id,
        "root_id": root_id,
        "depth": depth,
        "status": record.status,
        "author_name": record.author_name,
        "author_email": email,
        "author_website": record.author_website,
        "reader_id": record.reader_id,
        "ip_hash": record.ip_hash,
        "avatar": record.avatar or avatar_seed(identity, secret_key),
        "text": "" if deleted else record.text,
        "html": "" if deleted else record.html,
        "anchor": None if deleted else record.anchor,
        "created_at": record.created_at,
        "edited_at": record.edited_at,
        "upvotes": record.upvotes,
        "downvotes": record.downvotes,
        "score": score,
        "reply_count": 0,
        "import_source": record.import_source,
        "import_id": record.import_id,
        "pinned_at": None if deleted else record.pinned_at,
        "featured_at": None if deleted else record.featured_at,
        "author_badge": record.author_badge,
    }
    row.update({key: record.extra[key] for key in _PASSED_THROUGH if key in record.extra})
    for column, limit in _LIMITS.items():
        value = row[column]
        if isinstance(value, str) and len(value) > limit:
            row[column] = value[:limit] if column == "author_name" else None
    return row


async def _ensure_thread(conn: AsyncConnection, site_id: str, thread: _Thread) -> tuple[int, bool]:
    """The thread row for the group's uri, locked; created (and True) when missing."""
    group = thread.group
    key = (threads.c.site_id == site_id) & (threads.c.uri == group.uri)
    existed = await conn.scalar(select(threads.c.id).where(key)) is not None
    moment = group.created_at or _earliest(thread.comments) or clock.now()
    title = group.title[:300] if group.title else None
    if not existed:
        await insert_if_absent(
            conn,
            threads,
            {"site_id": site_id, "uri": group.uri, "title": title, "comment_count": 0,
             "version": 0, "created_at": moment},
            ["site_id", "uri"],
        )  # fmt: skip
    row = (
        await conn.execute(
            select(threads.c.id, threads.c.title, threads.c.close_override)
            .where(key)
            .with_for_update()
        )
    ).one()
    if title and not row.title:
        await conn.execute(update(threads).where(threads.c.id == row.id).values(title=title))
    if group.close_override is not None and row.close_override is None:
        # A moderator's closing comes along, unless this thread has a word of its own.
        closing = {
            "close_override": group.close_override, "close_message": group.close_message,
            "closed_at": group.closed_at,
        }  # fmt: skip
        await conn.execute(update(threads).where(threads.c.id == row.id).values(closing))
    return int(row.id), not existed


def _earliest(records: list[CommentRecord]) -> datetime | None:
    return min((record.created_at for record in records), default=None)


async def _already_imported(
    conn: AsyncConnection, site_id: str, thread: _Thread
) -> dict[str, Known]:
    """Keys of this thread's records that are in the database already, with their rows.

    A record of Talkback's own export whose origin is `<this site>/<id>` also matches the
    comment it was exported from, if that is still here (same thread, id and time): so an
    export restored into the site it came from adds nothing either.
    """
    by_origin = {(r.import_source, r.import_id): r for r in thread.comments}
    known: dict[str, Known] = {}
    ids = sorted({r.import_id for r in thread.comments})
    for start in range(0, len(ids), BATCH):
        found = await conn.execute(
            select(comments.c.id, comments.c.root_id, comments.c.depth,
                   comments.c.import_source, comments.c.import_id)
            .where(comments.c.thread_id == thread.thread_id,
                   comments.c.import_id.in_(ids[start : start + BATCH]))
        )  # fmt: skip
        for row in found:
            record = by_origin.get((row.import_source, row.import_id))
            if record is not None:
                known[record.key] = (row.id, row.root_id, row.depth)
    own = f"{site_id}/"
    natives = {
        int(r.import_id[len(own) :]): r
        for r in thread.comments
        if r.import_source == "talkback" and r.import_id.startswith(own)
        and r.import_id[len(own) :].isdigit() and r.key not in known
    }  # fmt: skip
    candidates = sorted(natives)
    for start in range(0, len(candidates), BATCH):
        found = await conn.execute(
            select(comments.c.id, comments.c.root_id, comments.c.depth, comments.c.created_at)
            .where(comments.c.thread_id == thread.thread_id, comments.c.import_id.is_(None),
                   comments.c.id.in_(candidates[start : start + BATCH]))
        )  # fmt: skip
        for row in found:
            record = natives[row.id]
            if row.created_at == record.created_at:
                known[record.key] = (row.id, row.root_id, row.depth)
    return known


async def _write_votes(
    conn: AsyncConnection, thread: _Thread, records: list[VoteRecord] | None, outcome: _Outcome
) -> None:
    """Votes of Talkback's own export; they restore who voted, not the counts, which the
    comment records carry (imported comments often have counts and no voters)."""
    if not records:
        return
    present = {
        (row.comment_id, row.voter)
        for row in await conn.execute(
            select(votes.c.comment_id, votes.c.voter).where(votes.c.thread_id == thread.thread_id)
        )
    }
    rows = []
    for vote in records:
        if vote.comment_key not in thread.known or vote.value not in (1, -1):
            continue
        comment_id = thread.known[vote.comment_key][0]
        if (comment_id, vote.voter) in present:
            continue
        present.add((comment_id, vote.voter))
        rows.append(
            {"comment_id": comment_id, "voter": vote.voter, "thread_id": thread.thread_id,
             "value": vote.value, "created_at": vote.created_at}
        )  # fmt: skip
    if rows:
        await conn.execute(insert(votes), rows)
        outcome.votes += len(rows)
