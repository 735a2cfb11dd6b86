"""Staff management in a real browser: an admin promotes a moderator, sets their password
(their open session ends), the moderator must choose a new one before anything else
works, and once removed their open page is signed out."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from talkback.staff.accounts import create_staff
from tests.browser.conftest import ARTIFACTS, Talkback

PASSWORD = "a long enough password"
SET_BY_ADMIN = "chosen by the desk chief"
CHOSEN = "the moderator's own password"


def sign_in(page: Page, talkback: Talkback, email: str, password: str) -> None:
    page.goto(f"{talkback.url}/admin/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


class Browsers:
    """Browsers of their own (cookie jars), with every script error they meet."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.contexts: list[BrowserContext] = []
        self.problems: list[str] = []

    def new_page(self) -> Page:
        context = self.browser.new_context(viewport={"width": 1100, "height": 900})
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: self.problems.append(str(error)))
        return page


@pytest.fixture
def browsers(browser: Browser) -> Iterator[Browsers]:
    opened = Browsers(browser)
    yield opened
    for context in opened.contexts:
        context.close()
    assert opened.problems == []


def row_of(page: Page, email: str) -> Locator:
    return page.get_by_role("row").filter(has_text=email)


def test_an_admin_manages_a_moderator_who_must_then_choose_a_password(
    browsers: Browsers, talkback: Talkback
) -> None:
    tag = uuid.uuid4().hex[:8]
    chief, night = f"chief-{tag}@news.example", f"night-{tag}@news.example"
    database = talkback.context.database
    talkback.run(create_staff(database, chief, PASSWORD, "admin"))
    talkback.run(create_staff(database, night, PASSWORD, "moderator"))

    moderator = browsers.new_page()
    sign_in(moderator, talkback, night, PASSWORD)
    expect(moderator.get_by_role("heading", name="Queue")).to_be_visible()
    expect(moderator.get_by_role("link", name="Staff")).to_have_count(0)

    admin = browsers.new_page()
    sign_in(admin, talkback, chief, PASSWORD)
    admin.get_by_role("link", name="Staff").click()
    expect(admin.get_by_role("heading", name="Staff", exact=True)).to_be_visible()
    row = row_of(admin, night)
    row.get_by_text(f"Manage {night}").click()
    row.get_by_label(f"Role of {night}").select_option("admin")
    row.get_by_role("button", name="Change role").click()
    expect(admin.get_by_role("status")).to_contain_text("Role changed")

    moderator.reload()
    expect(moderator.get_by_role("link", name="Staff")).to_be_visible()  # admin at once

    row.get_by_text(f"Manage {night}").click()
    row.get_by_label(f"New password for {night}").fill(SET_BY_ADMIN)
    row.get_by_role("button", name="Set password").click()
    expect(admin.get_by_role("status")).to_contain_text("must choose a new one")
    expect(row.get_by_text("new password pending")).to_be_visible()
    admin.screenshot(path=ARTIFACTS / "admin-staff.png", full_page=True)

    moderator.reload()
    expect(moderator.get_by_role("heading", name="Sign in")).to_be_visible()
    sign_in(moderator, talkback, night, SET_BY_ADMIN)
    expect(moderator.get_by_role("heading", name="Change your password")).to_be_visible()
    expect(moderator.get_by_text("An admin set the password")).to_be_visible()
    moderator.goto(f"{talkback.url}/admin/staff")
    expect(moderator.get_by_role("heading", name="Change your password")).to_be_visible()
    moderator.screenshot(path=ARTIFACTS / "admin-forced-password.png", full_page=True)

    moderator.get_by_label("Current password").fill(SET_BY_ADMIN)
    moderator.get_by_label("New password").fill(CHOSEN)
    moderator.get_by_label("The same again").fill(CHOSEN)
    moderator.get_by_role("button", name="Change password").click()
    expect(moderator.get_by_role("status")).to_contain_text("Your password is changed")
    moderator.get_by_role("link", name="Staff").click()
    expect(moderator.get_by_role("heading", name="Staff", exact=True)).to_be_visible()

    admin.reload()
    expect(row.get_by_text("new password pending")).to_have_count(0)
    row.get_by_text(f"Manage {night}").click()
    row.get_by_label(f"Remove {night}").check()
    row.get_by_role("button", name="Remove").click()
    expect(admin.get_by_role("status")).to_contain_text("Staff account removed")
    expect(row).to_have_count(0)
    expect(admin.locator(".staff-log")).to_contain_text(f"staff.remove {night}")

    moderator.reload()
    expect(moderator.get_by_role("heading", name="Sign in")).to_be_visible()
