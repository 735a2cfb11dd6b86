"""Staff password reset by email link, through the admin pages as a browser uses them."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from talkback.store.tables import audit_log
from tests.admin.conftest import MODERATOR, PASSWORD, Newsroom, StaffClient
from tests.conftest import FrozenClock
from tests.mail_sink import MailSink, html_part, text_part
from tests.staff_mail.conftest import open_mail_newsroom
from tests.staff_mail.helpers import outbox_rows

NEW_PASSWORD = "a brand new passphrase"
LINK = re.compile(r"https://talk\.example(/admin/password-reset/new\?token=[\w-]+)")


async def ask_for_link(browser: StaffClient, email: str) -> str:
    page = await browser.post("/admin/password-reset", data={"email": email})
    assert page.status_code == 200, page.text
    return page.text


async def link_in_mail(mail_sink: MailSink, count: int = 1) -> str:
    mail = (await mail_sink.until(count))[-1]
    found = LINK.search(text_part(mail))
    assert found, text_part(mail)
    assert found.group(0) in html_part(mail)
    return found.group(1)


async def set_password(
    browser: StaffClient, path: str, password: str, confirm: str = ""
) -> httpx.Response:
    token = path.rpartition("token=")[2]
    return await browser.post(
        "/admin/password-reset/new",
        data={"token": token, "password": password, "password_confirm": confirm or password},
    )


async def test_a_reset_link_sets_a_new_password_and_signs_out_every_session(
    newsroom: Newsroom, mail_sink: MailSink
) -> None:
    old_session = await newsroom.signed_in(MODERATOR)
    browser = await newsroom.browser()
    assert 'href="/admin/password-reset"' in (await browser.get("/admin/login")).text
    assert "If <strong>mod@news.example</strong> belongs" in await ask_for_link(browser, MODERATOR)

    path = await link_in_mail(mail_sink)
    assert str(mail_sink.messages[0]["To"]) == MODERATOR
    form = await browser.get(path)
    assert form.status_code == 200
    assert MODERATOR in form.text
    weak = await set_password(browser, path, "short")
    assert weak.status_code == 422
    assert "10 to 1024 characters" in weak.text
    differ = await set_password(browser, path, NEW_PASSWORD, NEW_PASSWORD + "!")
    assert differ.status_code == 422

    done = await set_password(browser, path, NEW_PASSWORD)
    assert done.status_code == 303
    assert done.headers["location"] == "/admin/login?notice=password_changed"
    assert (await old_session.get("/api/v1/admin/session")).status_code == 401
    assert (await (await newsroom.browser()).login(MODERATOR, PASSWORD)).status_code == 401
    assert (await (await newsroom.browser()).login(MODERATOR, NEW_PASSWORD)).status_code == 200
    audit = await newsroom.context.database.read_rows(
        select(audit_log.c.action, audit_log.c.target, audit_log.c.staff_id)
    )
    assert [(a.action, a.target) for a in audit] == [("staff.password_reset", MODERATOR)]

    used = await set_password(browser, path, "yet another passphrase")
    assert used.status_code == 410
    assert "used already" in used.text
    assert (await browser.get(path)).status_code == 410


async def test_an_expired_link_is_refused(
    frozen_clock: FrozenClock, newsroom: Newsroom, mail_sink: MailSink
) -> None:
    browser = await newsroom.browser()
    await ask_for_link(browser, MODERATOR)
    path = await link_in_mail(mail_sink)
    frozen_clock.advance(minutes=31)
    assert (await browser.get(path)).status_code == 410
    refused = await set_password(browser, path, NEW_PASSWORD)
    assert refused.status_code == 410
    assert "expired" in refused.text
    assert (await (await newsroom.browser()).login(MODERATOR, PASSWORD)).status_code == 200


async def test_a_made_up_token_is_refused(newsroom: Newsroom) -> None:
    browser = await newsroom.browser()
    page = await browser.get("/admin/password-reset/new", token="not-a-real-token")
    assert page.status_code == 422
    refused = await set_password(browser, "?token=not-a-real-token", NEW_PASSWORD)
    assert refused.status_code == 422


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    newsroom: Newsroom, mail_sink: MailSink
) -> None:
    browser = await newsroom.browser()
    stranger = "stranger@news.example"
    unknown = await ask_for_link(browser, stranger)
    known = await ask_for_link(browser, MODERATOR)
    assert unknown.replace(stranger, MODERATOR) == known
    await mail_sink.until(1)
    assert [row.recipient for row in await outbox_rows(newsroom.context, "staff_reset")] == [
        MODERATOR
    ]


async def test_reset_requests_must_come_from_the_admin_pages(newsroom: Newsroom) -> None:
    browser = await newsroom.browser()
    cross = await browser.post(
        "/admin/password-reset", data={"email": MODERATOR}, origin="https://evil.example"
    )
    assert cross.status_code == 403
    assert await outbox_rows(newsroom.context, "staff_reset") == []


async def test_a_newer_reset_spends_the_older_links(
    newsroom: Newsroom, mail_sink: MailSink
) -> None:
    browser = await newsroom.browser()
    await ask_for_link(browser, MODERATOR)
    first = await link_in_mail(mail_sink, 1)
    await ask_for_link(browser, MODERATOR)
    second = await link_in_mail(mail_sink, 2)
    assert first != second
    assert (await set_password(browser, second, NEW_PASSWORD)).status_code == 303
    assert (await set_password(browser, first, "yet another passphrase")).status_code == 410


async def test_requests_are_rate_limited_per_address(
    database_url: str, mail_sink: MailSink
) -> None:
    async for newsroom in open_mail_newsroom(
        database_url, smtp_url=mail_sink.url, rate_limits="on"
    ):
        browser = await newsroom.browser()
        for _ in range(3):
            await ask_for_link(browser, MODERATOR)
        limited = await browser.post("/admin/password-reset", data={"email": MODERATOR})
        assert limited.status_code == 429
        assert "Retry-After" in limited.headers
        assert len(await outbox_rows(newsroom.context, "staff_reset")) == 3


async def test_without_mail_the_page_says_so_instead_of_offering_the_form(
    database_url: str,
) -> None:
    async for newsroom in open_mail_newsroom(database_url):
        browser = await newsroom.browser()
        page = await browser.get("/admin/password-reset")
        assert "sends no mail" in page.text
        assert 'name="email"' not in page.text
        asked = await browser.post("/admin/password-reset", data={"email": MODERATOR})
        assert asked.status_code == 200
        assert "sends no mail" in asked.text
        assert await outbox_rows(newsroom.context, "staff_reset") == []
