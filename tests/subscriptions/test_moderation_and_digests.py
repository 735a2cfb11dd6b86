"""Held comments notify only once approved; comments close together go out as one digest;
mail speaks the site's language."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from talkback.moderation.actions import approve_comment, reject_comment
from talkback.staff.accounts import create_staff
from tests.api.conftest import ARTICLE, SITE
from tests.conftest import FrozenClock
from tests.mail_sink import MailSink, html_part, text_part
from tests.subscriptions.conftest import Subscriber, link_in, open_subscriber, set_option


async def test_approving_a_held_comment_notifies_and_rejecting_one_does_not(
    subscriber: Subscriber,
) -> None:
    ctx = subscriber.api.context
    await set_option(subscriber, "moderation_mode", "pre")
    await subscriber.subscribed("tom@readers.example", "thread")
    held = [
        await subscriber.api.post(text, email="rob@readers.example")
        for text in ("Worth reading", "Not worth it")
    ]
    assert [response.status_code for response in held] == [202, 202]
    kept, refused = (response.json() for response in held)
    assert kept["comment"]["status"] == "pending"
    assert await subscriber.settle() == ["subscription_confirm:sent"]

    staff = await create_staff(ctx.database, "mod@news.example", "a long enough password", "admin")
    site = await ctx.sites.get(SITE)
    await reject_comment(ctx, site, refused["comment"]["id"], staff)
    assert await subscriber.settle() == ["subscription_confirm:sent"]
    await approve_comment(ctx, site, kept["comment"]["id"], staff)
    mail = await subscriber.mail_to("tom@readers.example", 2)
    assert "Worth reading" in text_part(mail)
    assert "Not worth it" not in text_part(mail)
    # Approving again changes nothing and sends nothing.
    await approve_comment(ctx, site, kept["comment"]["id"], staff)
    assert await subscriber.settle() == [
        "subscription_confirm:sent", "comment_notification:sent"
    ]  # fmt: skip


@pytest.fixture
async def digesting(
    database_url: str, mail_sink: MailSink, frozen_clock: FrozenClock
) -> AsyncIterator[tuple[Subscriber, FrozenClock]]:
    async for world in open_subscriber(database_url, mail_sink):
        await set_option(world, "digest_window", "60")
        yield world, frozen_clock


async def test_comments_within_the_digest_window_go_out_as_one_mail(
    digesting: tuple[Subscriber, FrozenClock],
) -> None:
    subscriber, clock = digesting
    await subscriber.subscribed("tom@readers.example", "thread")
    first = await subscriber.api.posted("First follow-up", author_name="Rob")
    clock.advance(seconds=30)
    second = await subscriber.api.posted("Second follow-up", author_name="Sue")
    gone = await subscriber.api.posted("Third, soon withdrawn", author_name="Sue")
    waiting = await subscriber.settle()
    assert waiting == ["subscription_confirm:sent", "comment_notification:pending"]
    staff = await create_staff(
        subscriber.api.context.database, "mod@news.example", "a long enough password", "admin"
    )
    site = await subscriber.api.context.sites.get(SITE)
    await reject_comment(subscriber.api.context, site, gone["comment"]["id"], staff)

    clock.advance(seconds=31)
    settled = await subscriber.settle()
    assert settled == ["subscription_confirm:sent", "comment_notification:sent"], (
        await subscriber.errors()
    )
    mails = subscriber.sink.to("tom@readers.example")
    assert len(mails) == 2
    digest = text_part(mails[1])
    assert str(mails[1]["Subject"]).startswith("2 new comments on")
    assert digest.index("First follow-up") < digest.index("Second follow-up")
    assert f"#comment-{first['comment']['id']}" in digest
    assert f"#comment-{second['comment']['id']}" in digest
    assert "withdrawn" not in digest

    # The window is over: the next comment starts a new digest.
    await subscriber.api.posted("Later", author_name="Rob")
    assert (await subscriber.settle())[-1] == "comment_notification:pending"


async def test_a_digest_whose_comments_were_all_taken_down_is_dropped(
    digesting: tuple[Subscriber, FrozenClock],
) -> None:
    subscriber, clock = digesting
    ctx = subscriber.api.context
    await subscriber.subscribed("tom@readers.example", "thread")
    posted = await subscriber.api.posted("Soon gone", author_name="Rob")
    staff = await create_staff(ctx.database, "mod@news.example", "a long enough password", "admin")
    await reject_comment(ctx, await ctx.sites.get(SITE), posted["comment"]["id"], staff)
    clock.advance(seconds=61)
    assert await subscriber.settle() == [
        "subscription_confirm:sent", "comment_notification:dropped"
    ]  # fmt: skip
    assert len(subscriber.sink.to("tom@readers.example")) == 1


async def test_a_german_site_mails_in_german(subscriber: Subscriber) -> None:
    await set_option(subscriber, "locale", "de_DE")
    await subscriber.subscribe("tom@readers.example", "thread")
    confirmation = await subscriber.mail_to("tom@readers.example")
    assert str(confirmation["Subject"]).startswith("Bitte bestätigen")
    link = link_in(confirmation, "/api/v1/subscriptions/confirm")
    page = await subscriber.follow(link)
    assert '<html lang="de">' in page.text
    assert "Ja, diese Benachrichtigungen senden" in page.text
    await subscriber.follow(link, "POST")
    await subscriber.api.posted("Guter Punkt", author_name="Rob")
    mail = await subscriber.mail_to("tom@readers.example", 2)
    assert str(mail["Subject"]) == f"Neuer Kommentar zu „{ARTICLE}“"
    assert "Rob schrieb:" in text_part(mail)
    assert "Abbestellen" in html_part(mail)
    unsubscribe = await subscriber.follow(link_in(mail, "/api/v1/unsubscribe"))
    assert "Abbestellen" in unsubscribe.text
