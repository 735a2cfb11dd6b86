"""The outbox worker against a real SMTP server: delivered once, retried, given up, leased."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from talkback import clock
from talkback.config import Settings
from talkback.context import Context
from talkback.mail.mailer import Mailer
from talkback.outbox.messages import OutboxItem, enqueue
from talkback.outbox.worker import OutboxWorker, WorkerOptions, retry_now
from talkback.store.migrate import migrate
from talkback.store.tables import outbox, outbox_attempts
from tests.api.conftest import reset
from tests.mail_sink import MailSink, text_part

KIND = "test_note"


async def _note(mailer: Mailer, item: OutboxItem) -> None:
    await mailer.send(
        mailer.message(
            item,
            sender_name="The Example News",
            subject=item.payload["subject"],
            text=item.payload["body"],
            html=f"<p>{item.payload['body']}</p>",
        )
    )


@pytest.fixture
async def context(database_url: str, mail_sink: MailSink) -> AsyncIterator[Context]:
    ctx = Context.from_settings(
        Settings(database_url=database_url, secret_key="k", smtp_url=mail_sink.url)
    )
    await migrate(ctx.database)
    await reset(ctx)
    yield ctx
    await ctx.close()


def _worker(ctx: Context, **options: float) -> OutboxWorker:
    async def handler(item: OutboxItem) -> None:
        await _note(ctx.mail, item)

    return OutboxWorker(ctx.database, {KIND: handler}, WorkerOptions(**options))  # type: ignore[arg-type]


async def _queue(ctx: Context, count: int) -> list[int]:
    async def job(conn):  # type: ignore[no-untyped-def]
        return [
            await enqueue(
                conn,
                site_id=None,
                channel="mail",
                kind=KIND,
                recipient=f"r{n}@example.org",
                payload={"subject": f"Note {n}", "body": f"Body {n}"},
            )
            for n in range(count)
        ]

    return await ctx.database.write(job)


async def _statuses(ctx: Context) -> list[str]:
    rows = await ctx.database.read_rows(select(outbox.c.status).order_by(outbox.c.id))
    return [row.status for row in rows]


async def test_each_message_is_delivered_once_with_its_message_id(
    context: Context, mail_sink: MailSink
) -> None:
    await _queue(context, 3)
    worker = _worker(context)
    assert await worker.run_once() == 3
    assert await worker.run_once() == 0
    mails = await mail_sink.until(3)
    assert sorted(str(m["To"]) for m in mails) == [f"r{n}@example.org" for n in range(3)]
    assert text_part(mails[0]).strip().startswith("Body")
    ids = await context.database.read_rows(select(outbox.c.message_id))
    assert {str(m["Message-ID"]) for m in mails} == {f"<{row.message_id}@localhost>" for row in ids}
    assert await _statuses(context) == ["sent"] * 3


async def test_a_refused_message_waits_and_is_sent_on_a_later_attempt(
    context: Context, mail_sink: MailSink
) -> None:
    mail_sink.refuse_with = "451 try again later"
    await _queue(context, 1)
    worker = _worker(context, first_retry_seconds=0.01)
    await worker.run_once()
    row = await context.database.read_row(select(outbox))
    assert (row.status, row.attempts) == ("pending", 1)
    assert "451" in row.last_error
    mail_sink.refuse_with = None
    clock_later = row.not_before + timedelta(seconds=1)
    clock.set_clock(lambda: clock_later)
    try:
        assert await worker.run_once() == 1
    finally:
        clock.set_clock(None)
    assert len(await mail_sink.until(1)) == 1
    attempts = await context.database.read_rows(select(outbox_attempts.c.ok))
    assert [a.ok for a in attempts] == [False, True]


async def test_a_permanent_refusal_stays_failed_until_staff_retry_it(
    context: Context, mail_sink: MailSink
) -> None:
    mail_sink.refuse_with = "550 no such mailbox"
    [outbox_id] = await _queue(context, 1)
    worker = _worker(context)
    await worker.run_once()
    assert await _statuses(context) == ["failed"]
    assert await worker.run_once() == 0
    mail_sink.refuse_with = None
    assert await context.database.write(lambda conn: retry_now(conn, outbox_id))
    assert await worker.run_once() == 1
    assert await _statuses(context) == ["sent"]


async def test_a_lease_left_by_a_dead_worker_is_taken_over_with_the_same_message_id(
    context: Context, mail_sink: MailSink
) -> None:
    await _queue(context, 1)
    expired = clock.now() - timedelta(seconds=1)
    await context.database.write(
        lambda conn: conn.execute(
            update(outbox).values(status="sending", lease_owner="dead", leased_until=expired)
        )
    )
    assert await _worker(context).run_once() == 1
    [mail] = await mail_sink.until(1)
    row = await context.database.read_row(select(outbox.c.message_id, outbox.c.status))
    assert (str(mail["Message-ID"]), row.status) == (f"<{row.message_id}@localhost>", "sent")


async def test_a_connection_the_relay_closed_while_idle_is_replaced_before_the_next_mail(
    mail_sink: MailSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    from email.message import EmailMessage

    from talkback.mail import transport

    monkeypatch.setattr(transport, "IDLE_CHECK_SECONDS", 0.0)
    smtp = transport.SmtpTransport(mail_sink.url)

    def note(number: int) -> EmailMessage:
        message = EmailMessage()
        message["From"], message["To"] = "news@example.org", "reader@example.org"
        message["Subject"] = f"Note {number}"
        message.set_content("Body")
        return message

    try:
        await smtp.send(note(1))
        mail_sink.stop()  # the relay goes away and drops the kept connection
        mail_sink.start()
        await smtp.send(note(2))
    finally:
        await smtp.close()
    assert [str(m["Subject"]) for m in await mail_sink.until(2)] == ["Note 1", "Note 2"]


async def test_delivered_messages_are_pruned_after_the_keeping_time_and_failed_ones_stay(
    context: Context, mail_sink: MailSink
) -> None:
    ids = await _queue(context, 3)
    worker = _worker(context, keep_days=30)
    assert await worker.run_once() == 3
    long_ago = clock.now() - timedelta(days=31)
    await context.database.write(
        lambda conn: conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(ids[:2]))
            .values(sent_at=long_ago, created_at=long_ago)
        )
    )
    await context.database.write(
        lambda conn: conn.execute(
            update(outbox).where(outbox.c.id == ids[1]).values(status="failed", sent_at=None)
        )
    )
    assert await worker.prune() == 1
    left = await context.database.read_rows(select(outbox.c.id, outbox.c.status))
    assert sorted((row.id, row.status) for row in left) == [(ids[1], "failed"), (ids[2], "sent")]
    attempts = await context.database.read_rows(select(outbox_attempts.c.outbox_id))
    assert ids[0] not in {row.outbox_id for row in attempts}
