"""Staff password reset in a real browser: "Forgot your password?", the mail (from a real
SMTP server on loopback), the link, a new password, and the old session signed out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from talkback.app import create_app
from talkback.config import Settings
from talkback.staff.accounts import create_staff
from talkback.store.migrate import migrate
from tests.browser.conftest import ServerThread, Talkback
from tests.mail_sink import MailSink, text_part

EMAIL = "night-desk@news.example"
OLD_PASSWORD = "the old long password"
NEW_PASSWORD = "the new long password"
LINK = re.compile(r"(/admin/password-reset/new\?token=[\w-]+)")


@pytest.fixture
def mailing_talkback(tmp_path: Path) -> Iterator[tuple[Talkback, MailSink]]:
    """An app of its own that sends mail to a loopback SMTP server."""
    sink = MailSink()
    sink.start()
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'reset.db'}", secret_key="browser-key",
        rate_limits="off", smtp_url=sink.url,
    )  # fmt: skip
    app = create_app(settings)
    with ServerThread(app) as server:
        talkback = Talkback(server, app)
        talkback.run(migrate(talkback.context.database))
        talkback.run(create_staff(talkback.context.database, EMAIL, OLD_PASSWORD, "moderator"))
        yield talkback, sink
    sink.stop()


def sign_in(page: Page, url: str, password: str) -> None:
    page.goto(f"{url}/admin/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_forgotten_password_is_reset_by_the_link_in_the_mail(
    browser: Browser, mailing_talkback: tuple[Talkback, MailSink]
) -> None:
    talkback, sink = mailing_talkback
    old = browser.new_context()
    old_page = old.new_page()
    sign_in(old_page, talkback.url, OLD_PASSWORD)
    expect(old_page.get_by_role("heading", name="No sites yet")).to_be_visible()

    fresh = browser.new_context()
    page = fresh.new_page()
    page.goto(f"{talkback.url}/admin/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", name="Check your mail")).to_be_visible()

    [mail] = sink.wait_for(1)
    found = LINK.search(text_part(mail))
    assert found, text_part(mail)
    page.goto(talkback.url + found.group(1))
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("The same again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_text("Your password is changed")).to_be_visible()

    sign_in(page, talkback.url, NEW_PASSWORD)
    expect(page.get_by_role("heading", name="No sites yet")).to_be_visible()
    old_page.reload()
    expect(old_page.get_by_role("heading", name="Sign in")).to_be_visible()
    old.close()
    fresh.close()
