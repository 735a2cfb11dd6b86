"""Moderator alerts: held and reported comments reach every staff member as one digest
mail per site, at most every N minutes, with a link to the queue."""

from __future__ import annotations

from datetime import timedelta

from talkback.comments.reports import report_comment
from talkback.core.identity import hash_ip
from talkback.moderation.actions import approve_comment
from talkback.readers.tokens import Reader
from talkback.sites.sites import set_site_option
from tests.admin.conftest import ADMIN, MODERATOR, SECRET, SITE, Newsroom
from tests.conftest import FrozenClock
from tests.mail_sink import MailSink, html_part, text_part
from tests.staff_mail.helpers import outbox_rows, until_statuses

KIND = "moderator_alert"
QUEUE = "https://talk.example/admin/news/queue"


async def report(newsroom: Newsroom, comment_id: int, reader_id: str = "reader-a") -> None:
    site = await newsroom.context.sites.get(SITE)
    reader = Reader(ip_hash=hash_ip("192.0.2.99", SECRET), reader_id=reader_id)
    await report_comment(newsroom.context, site, comment_id, "abuse", None, reader)


async def set_alerts(newsroom: Newsroom, minutes: str, **options: str) -> None:
    await set_site_option(newsroom.context.database, SITE, "moderator_alerts", minutes)
    for key, value in options.items():
        await set_site_option(newsroom.context.database, SITE, key, value)
    newsroom.context.sites.forget(SITE)


async def test_a_held_and_a_reported_comment_make_one_alert_per_staff_member(
    frozen_clock: FrozenClock, newsroom: Newsroom, mail_sink: MailSink
) -> None:
    await newsroom.held("Please look at this held comment")
    flagged = await newsroom.published("This one was published, then reported")
    await report(newsroom, flagged)
    rows = await outbox_rows(newsroom.context, KIND)
    assert sorted(row.recipient for row in rows) == [ADMIN, MODERATOR]
    assert {row.not_before for row in rows} == {frozen_clock.current + timedelta(minutes=15)}
    assert await newsroom.context.outbox.worker.run_once() == 0  # gathering, not due

    frozen_clock.advance(minutes=15)
    await until_statuses(newsroom.context, KIND, ["sent", "sent"])
    mails = await mail_sink.until(2)
    assert sorted(str(m["To"]) for m in mails) == [ADMIN, MODERATOR]
    mail = mail_sink.to(MODERATOR)[0]
    assert "1 held, 1 reported" in str(mail["Subject"])
    assert str(mail["From"]).startswith("The Example News")
    text = text_part(mail)
    assert "Please look at this held comment" in text
    assert "This one was published, then reported" in text
    assert QUEUE in text
    assert f"{QUEUE}?kind=reported" in text
    assert f'href="{QUEUE}"' in html_part(mail)

    moderator = await newsroom.signed_in(MODERATOR)
    page = await moderator.get(QUEUE.removeprefix("https://talk.example"))
    assert page.status_code == 200
    assert "Please look at this held comment" in page.text


async def test_a_second_held_comment_within_the_interval_waits_for_the_next_digest(
    frozen_clock: FrozenClock, newsroom: Newsroom, mail_sink: MailSink
) -> None:
    start = frozen_clock.current
    await newsroom.held("The first held comment")
    frozen_clock.advance(minutes=15)
    await until_statuses(newsroom.context, KIND, ["sent", "sent"])
    await mail_sink.until(2)

    frozen_clock.advance(minutes=1)
    await newsroom.held("The second held comment")
    rows = await outbox_rows(newsroom.context, KIND)
    assert [row.status for row in rows] == ["sent", "sent", "pending", "pending"]
    # At most one alert every 15 minutes: the next one is due 15 minutes after the last.
    assert {row.not_before for row in rows[2:]} == {start + timedelta(minutes=30)}

    frozen_clock.advance(minutes=13)
    assert await newsroom.context.outbox.worker.run_once() == 0
    await newsroom.held("The third held comment")
    assert len(await outbox_rows(newsroom.context, KIND)) == 4  # joined the pending digest
    assert len(mail_sink.messages) == 2

    frozen_clock.advance(minutes=1)
    await until_statuses(newsroom.context, KIND, ["sent"] * 4)
    await mail_sink.until(4)
    second = mail_sink.to(ADMIN)[1]
    text = text_part(second)
    assert "The second held comment" in text
    assert "The third held comment" in text
    assert "The first held comment" not in text  # told already; still counted
    assert "3 held" in str(second["Subject"])
    assert len(mail_sink.to(ADMIN)) == len(mail_sink.to(MODERATOR)) == 2


async def test_after_a_quiet_interval_a_new_alert_gathers_for_the_interval_again(
    frozen_clock: FrozenClock, newsroom: Newsroom, mail_sink: MailSink
) -> None:
    await set_alerts(newsroom, "5")
    await newsroom.held("Early comment")
    frozen_clock.advance(minutes=5)
    await until_statuses(newsroom.context, KIND, ["sent", "sent"])
    frozen_clock.advance(minutes=30)
    await newsroom.held("Much later comment")
    rows = await outbox_rows(newsroom.context, KIND)
    assert {row.not_before for row in rows[2:]} == {frozen_clock.current + timedelta(minutes=5)}
    frozen_clock.advance(minutes=5)
    await until_statuses(newsroom.context, KIND, ["sent"] * 4)
    assert "Much later comment" in text_part((await mail_sink.until(4))[-1])


async def test_alerts_off_send_nothing(
    frozen_clock: FrozenClock, newsroom: Newsroom, mail_sink: MailSink
) -> None:
    await set_alerts(newsroom, "0")
    flagged = await newsroom.published("Reported while alerts are off")
    await report(newsroom, flagged)
    await newsroom.held("Held while alerts are off")
    assert await outbox_rows(newsroom.context, KIND) == []


async def test_an_alert_whose_comments_were_dealt_with_is_dropped(
    frozen_clock: FrozenClock, newsroom: Newsroom, mail_sink: MailSink
) -> None:
    held = await newsroom.held("Approved before the alert went out")
    site = await newsroom.context.sites.get(SITE)
    await approve_comment(newsroom.context, site, held, newsroom.admin)
    frozen_clock.advance(minutes=15)
    await until_statuses(newsroom.context, KIND, ["dropped", "dropped"])
    assert mail_sink.messages == []


async def test_the_alert_is_in_the_sites_language(
    frozen_clock: FrozenClock, newsroom: Newsroom, mail_sink: MailSink
) -> None:
    await set_alerts(newsroom, "10", locale="de_DE")
    await newsroom.held("Ein zurückgehaltener Kommentar")
    frozen_clock.advance(minutes=10)
    await until_statuses(newsroom.context, KIND, ["sent", "sent"])
    mail = (await mail_sink.until(2))[0]
    assert "1 zurückgehalten" in str(mail["Subject"])
    assert "Zur Warteschlange: " + QUEUE in text_part(mail)
