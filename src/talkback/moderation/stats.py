"""Numbers for the moderators' dashboard: comments per day, held and rejected, top threads.

Days are UTC calendar days. A comment is counted on the day it was posted, under the
status it has now: "held" is what still waits in the queue, "rejected" what the pipeline
or a moderator turned away (rejected or spam). The grouping happens in SQL, with one day
expression per dialect, so the cost is one scan of the period's comments whatever the
traffic; nothing is stored for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, func, select

from talkback import clock
from talkback.context import Context
from talkback.sites.sites import Site
from talkback.store.tables import comments, threads

DAYS = 30
TOP_THREADS = 10
HELD = ("pending",)
REJECTED = ("rejected", "spam")


@dataclass(frozen=True, slots=True)
class DayCounts:
    day: date
    posted: int
    held: int
    rejected: int


@dataclass(frozen=True, slots=True)
class ThreadCount:
    uri: str
    title: str | None
    comments: int


@dataclass(frozen=True, slots=True)
class SiteStats:
    """The dashboard's numbers; the admin API answers them as they are (a day as
    `YYYY-MM-DD`), so the page and the API cannot drift apart."""

    days: list[DayCounts]
    top_threads: list[ThreadCount]
    pending: int
    reported: int


def _utc_day(dialect: str) -> ColumnElement[str]:
    """`comments.created_at` as 'YYYY-MM-DD' in UTC; SQLite keeps naive UTC text."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", comments.c.created_at), "YYYY-MM-DD")
    return func.substr(comments.c.created_at, 1, 10)


async def site_stats(ctx: Context, site: Site, *, days: int = DAYS) -> SiteStats:
    today = clock.now().date()
    first = today - timedelta(days=days - 1)
    since = clock.now().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
        days=days - 1
    )
    in_site = and_(threads.c.site_id == site.id, comments.c.thread_id == threads.c.id)
    recent = and_(in_site, comments.c.created_at >= since)
    day = _utc_day(ctx.database.dialect).label("day")
    per_day = (
        select(day, comments.c.status, func.count().label("n"))
        .select_from(comments.join(threads, comments.c.thread_id == threads.c.id))
        .where(recent)
        .group_by(day, comments.c.status)
    )
    thread_comments = func.count().label("n")
    top = (
        select(threads.c.uri, threads.c.title, thread_comments)
        .select_from(comments.join(threads, comments.c.thread_id == threads.c.id))
        .where(recent)
        .group_by(threads.c.id, threads.c.uri, threads.c.title)
        .order_by(thread_comments.desc(), threads.c.uri)
        .limit(TOP_THREADS)
    )
    waiting = (
        select(
            func.count().filter(comments.c.status.in_(HELD)),
            func.count().filter(and_(comments.c.status == "approved", comments.c.report_count > 0)),
        )
        .select_from(comments.join(threads, comments.c.thread_id == threads.c.id))
        .where(in_site)
    )
    async with ctx.database.read() as conn:
        day_rows = (await conn.execute(per_day)).all()
        top_rows = (await conn.execute(top)).all()
        pending, reported = (await conn.execute(waiting)).one()

    calendar = [first + timedelta(days=offset) for offset in range(days)]
    totals = {d.isoformat(): {"posted": 0, "held": 0, "rejected": 0} for d in calendar}
    for row in day_rows:
        counts = totals.get(row.day)
        if counts is None:  # dated after today (a clock ahead, an import): not on the chart
            continue
        counts["posted"] += row.n
        if row.status in HELD:
            counts["held"] += row.n
        elif row.status in REJECTED:
            counts["rejected"] += row.n
    return SiteStats(
        days=[DayCounts(d, **totals[d.isoformat()]) for d in calendar],
        top_threads=[ThreadCount(r.uri, r.title, r.n) for r in top_rows],
        pending=pending or 0,
        reported=reported or 0,
    )
