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
transaction (`comments/recount.py`).

Their donations (found by the email they gave when paying) are exported in full. Deleting
anonymises them: donor name, email, public message and its moderation verdict go; the
amount, currency, date, refunds, provider and payment references and any staff note stay,
because the campaign's total and the newsroom's books (and the payment provider's own
records, which the newsroom must keep for accounting) depend on them. The gift then shows
as anonymous on the donor wall.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, bindparam, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased
from typing_extensions import TypedDict

from talkback import clock
from talkback.accounts.forget import ExportedAccount, exported_account, forget_address
from talkback.comments.recount import recount_thread
from talkback.comments.views import PassageAnchor
from talkback.context import Context
from talkback.core import money
from talkback.core.funding_rules import Provider
from talkback.core.identity import avatar_seed
from talkback.core.money import JsonNumber
from talkback.core.statuses import CommentStatus, MessageStatus
from talkback.events.changes import ThreadsRewritten
from talkback.events.dispatcher import Changes
from talkback.export.site import timestamp
from talkback.funding.campaigns import campaign_changed, campaign_of, lock_campaign
from talkback.importers.progress import NO_PROGRESS, Progress
from talkback.outbox.messages import forget_recipient
from talkback.sites.sites import Site
from talkback.store.keyset import keyset_rows
from talkback.store.queries import lock_thread
from talkback.store.tables import campaigns, comments, donations, reports, threads, votes
from talkback.subscriptions.reader_data import (
    ExportedSubscription,
    exported_subscriptions,
    forget_subscriptions,
)

FORMAT = "talkback-reader-data"
VERSION = 1


class ExportedComment(TypedDict):
    """One of the reader's comments, as stored. Times (here and below) are ISO 8601 UTC
    with microseconds, as in the site export."""

    id: int
    page: str
    page_title: str | None
    parent_id: int | None
    status: CommentStatus
    author_name: str | None
    author_email: str | None
    author_website: str | None
    reader_id: str | None
    ip_hash: str | None
    text: str
    html: str
    anchor: PassageAnchor | None
    created_at: str
    edited_at: str | None
    upvotes: int
    downvotes: int


class ExportedVote(TypedDict):
    comment_id: int
    page: str
    value: int
    created_at: str


class ExportedReport(TypedDict):
    comment_id: int
    page: str
    reason: str
    note: str | None
    created_at: str


class ExportedDonation(TypedDict):
    """One of the reader's gifts; amounts in major units, as their receipt showed them."""

    id: int
    campaign_id: int
    campaign: str
    amount: JsonNumber
    refunded: JsonNumber
    currency: str
    created_at: str
    donor_name: str | None
    donor_email: str | None
    message: str | None
    message_status: MessageStatus | None
    provider: Provider
    provider_ref: str
    payment_ref: str | None
    note: str | None


class ReaderData(TypedDict):
    """Everything a site holds about one reader, found by their email address."""

    format: str
    version: int
    site: str
    email: str
    exported_at: str
    comments: list[ExportedComment]
    votes: list[ExportedVote]
    reports: list[ExportedReport]
    donations: list[ExportedDonation]
    account: ExportedAccount | None
    """Their sign-in account on the site, if they made one (`accounts/`)."""
    subscriptions: list[ExportedSubscription]
    """Their "Notify of" subscriptions (`subscriptions/`)."""


@dataclass(frozen=True, slots=True)
class ReaderDeletion:
    comments_anonymised: int = 0
    comments_removed: int = 0
    votes_withdrawn: int = 0
    reports_removed: int = 0
    # Name, email and message removed; the amounts stay for the totals and the books.
    donations_anonymised: int = 0
    # Their sign-in account (0 or 1) and the sign-in links mailed to them.
    accounts_removed: int = 0
    # Their "Notify of" subscriptions, confirmed or not.
    subscriptions_removed: int = 0
    # Mail to them, sent or waiting: the log keeps no address, and nothing more is sent.
    mails_removed: int = 0


def _by_email(site: Site, email: str) -> Any:
    return (threads.c.site_id == site.id) & (
        func.lower(comments.c.author_email) == email.strip().lower()
    )


def _donations_by_email(site: Site, email: str) -> Any:
    return (donations.c.site_id == site.id) & (
        func.lower(donations.c.donor_email) == email.strip().lower()
    )


LISTS = ("comments", "votes", "reports", "donations")


class _ReaderRecords:
    """The reader's records, read in keyset pages from one snapshot, in the document's
    order. The comments come first: the reader ids they were posted with find the votes,
    reports and subscriptions (a reader's own ids, a handful however long they comment)."""

    def __init__(self, conn: AsyncConnection, site: Site, email: str) -> None:
        self.conn = conn
        self.site = site
        self.email = email
        self.reader_ids: set[str] = set()

    @property
    def voters(self) -> list[str]:
        return sorted(f"r:{reader_id}" for reader_id in self.reader_ids)

    def _queries(self) -> dict[str, tuple[Select[Any], list[ColumnElement[Any]]]]:
        """Each list's query and the key its pages follow (the order it is written in)."""
        of_site = threads.c.site_id == self.site.id
        return {
            "comments": (
                select(comments, threads.c.uri, threads.c.title.label("page_title"))
                .join(threads, threads.c.id == comments.c.thread_id)
                .where(_by_email(self.site, self.email)),
                [comments.c.id],
            ),
            "votes": (
                select(votes, threads.c.uri)
                .join(threads, threads.c.id == votes.c.thread_id)
                .where(of_site, votes.c.voter.in_(self.voters)),
                [votes.c.created_at, votes.c.comment_id, votes.c.voter],
            ),
            "reports": (
                select(reports, threads.c.uri)
                .join(comments, comments.c.id == reports.c.comment_id)
                .join(threads, threads.c.id == comments.c.thread_id)
                .where(of_site, reports.c.reporter.in_(self.voters)),
                [reports.c.created_at, reports.c.id],
            ),
            "donations": (
                select(donations, campaigns.c.title.label("campaign_title"))
                .join(campaigns, campaigns.c.id == donations.c.campaign_id)
                .where(_donations_by_email(self.site, self.email)),
                [donations.c.created_at, donations.c.id],
            ),
        }

    async def count(self, name: str) -> int:
        query, _ = self._queries()[name]
        return int(await self.conn.scalar(select(func.count()).select_from(query.subquery())) or 0)

    async def records(self, name: str) -> AsyncIterator[Any]:
        """One list's records; `comments` must be read before the others."""
        query, key = self._queries()[name]
        async for row in keyset_rows(self.conn, query, key):
            if name == "comments" and row.reader_id:
                self.reader_ids.add(row.reader_id)
            yield _RECORDS[name](row)

    async def rest(self) -> tuple[ExportedAccount | None, list[ExportedSubscription]]:
        account = await exported_account(self.conn, self.site.id, self.email)
        subscribed = await exported_subscriptions(
            self.conn, self.site.id, self.email, sorted(self.reader_ids)
        )
        return account, subscribed


def _header(site: Site, email: str) -> dict[str, Any]:
    return {
        "format": FORMAT, "version": VERSION, "site": site.id, "email": email.strip(),
        "exported_at": timestamp(clock.now()),
    }  # fmt: skip


async def export_reader_data(ctx: Context, site: Site, email: str) -> ReaderData:
    """Everything the site holds about the reader with this email, as one JSON document
    (the API's answer; the command line streams the same document, `write_reader_data`)."""
    document = _header(site, email)
    async with ctx.database.read() as conn:
        found = _ReaderRecords(conn, site, email)
        for name in LISTS:
            document[name] = [record async for record in found.records(name)]
        document["account"], document["subscriptions"] = await found.rest()
    return cast(ReaderData, document)


async def write_reader_data(
    ctx: Context,
    site: Site,
    email: str,
    write: Callable[[str], object],
    progress: Progress = NO_PROGRESS,
) -> None:
    """Write the document `export_reader_data` answers, as indented JSON, record by record
    as they are read: memory holds a page of records, however much the reader wrote.
    `progress` has one phase per list, counted in records."""
    write("{\n")
    for key, value in _header(site, email).items():
        write(f"  {_json(key)}: {_json(value)},\n")
    async with ctx.database.read() as conn:
        found = _ReaderRecords(conn, site, email)
        for name in LISTS:
            progress.phase(name, await found.count(name))
            write(f"  {_json(name)}: [")
            written = 0
            async for record in found.records(name):
                write(("," if written else "") + "\n    " + _json(record, level=2))
                written += 1
                progress.advance(1)
            write("\n  ],\n" if written else "],\n")
        account, subscribed = await found.rest()
    write(f'  "account": {_json(account, level=1)},\n')
    write(f'  "subscriptions": {_json(subscribed, level=1)}\n}}\n')


def _json(value: object, *, level: int = 0) -> str:
    """`value` as `json.dumps(document, indent=2)` writes it `level` levels deep."""
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * level)


def _reader_ids(rows: Any) -> list[str]:
    return sorted({row.reader_id for row in rows if row.reader_id})


def _voters(rows: Any) -> list[str]:
    return sorted({f"r:{row.reader_id}" for row in rows if row.reader_id})


def _comment(row: Any) -> ExportedComment:
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


def _vote(row: Any) -> ExportedVote:
    return {
        "comment_id": row.comment_id, "page": row.uri, "value": row.value,
        "created_at": timestamp(row.created_at),
    }  # fmt: skip


def _report(row: Any) -> ExportedReport:
    return {
        "comment_id": row.comment_id, "page": row.uri, "reason": row.reason, "note": row.note,
        "created_at": timestamp(row.created_at),
    }  # fmt: skip


def _donation(row: Any) -> ExportedDonation:
    """Amounts in major units, as the reader's receipt showed them."""
    return {
        "id": row.id,
        "campaign_id": row.campaign_id,
        "campaign": row.campaign_title,
        "amount": money.to_json_number(row.amount_minor, row.currency),
        "refunded": money.to_json_number(row.refunded_minor, row.currency),
        "currency": row.currency,
        "created_at": timestamp(row.created_at),
        "donor_name": row.donor_name,
        "donor_email": row.donor_email,
        "message": row.message,
        "message_status": row.message_status,
        "provider": row.provider,
        "provider_ref": row.provider_ref,
        "payment_ref": row.payment_ref,
        "note": row.note,
    }


_RECORDS: dict[str, Callable[[Any], Any]] = {
    "comments": _comment, "votes": _vote, "reports": _report, "donations": _donation,
}  # fmt: skip


async def delete_reader_data(
    ctx: Context, site: Site, email: str, keep_comments: bool
) -> ReaderDeletion:
    """Delete the reader's data; `keep_comments` keeps their comments, anonymised."""

    async def job(conn: AsyncConnection, changes: Changes) -> ReaderDeletion:
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
        gifts = await _anonymise_donations(conn, site, email)
        # Before the account goes: its id is a reader id their subscriptions may carry.
        unsubscribed = await forget_subscriptions(conn, site.id, email, _reader_ids(rows))
        accounts_removed = await forget_address(conn, site.id, email)
        mails_removed = await forget_recipient(conn, site.id, email)
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
            donations_anonymised=len(gifts),
            accounts_removed=accounts_removed,
            subscriptions_removed=unsubscribed,
            mails_removed=mails_removed,
        )
        if pages:
            changes.record(ThreadsRewritten(site.id, tuple(pages.values())))
        for campaign_id in sorted({campaign for _, campaign in gifts}):
            # Donor walls on open pages drop the name and message.
            campaign = campaign_of(await lock_campaign(conn, site.id, campaign_id))
            changes.record(campaign_changed(campaign))
        return result

    return await ctx.events.write(job)


async def _anonymise_donations(
    conn: AsyncConnection, site: Site, email: str
) -> list[tuple[int, int]]:
    """(donation id, campaign id) of the donor's gifts, now without name, email or message.
    Amounts and refunds are untouched, so no campaign total changes."""
    gifts = [
        (row.id, row.campaign_id)
        for row in await conn.execute(
            select(donations.c.id, donations.c.campaign_id).where(_donations_by_email(site, email))
        )
    ]
    if gifts:
        await conn.execute(
            update(donations)
            .where(donations.c.id.in_([gift for gift, _ in gifts]))
            .values(donor_name=None, donor_email=None, message=None, message_status=None,
                    message_moderation=None)
        )  # fmt: skip
    return gifts


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
            select(reports.c.id, reports.c.comment_id, reports.c.resolved_at)
            .join(comments, comments.c.id == reports.c.comment_id)
            .join(threads, threads.c.id == comments.c.thread_id)
            .where(threads.c.site_id == site.id, reports.c.reporter.in_(voters))
        )
    ).all()
    for report in report_rows:
        await conn.execute(delete(reports).where(reports.c.id == report.id))
        if report.resolved_at is not None:
            continue  # answered by a moderator already: no longer in report_count
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
