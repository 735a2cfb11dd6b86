"""The moderator's side, in a real browser: sign in to /admin/, approve a held comment
with the keyboard, and the reader's open page receives it live, without a reload."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from talkback.services.staff import create_staff
from tests.browser.conftest import ARTIFACTS, HELD_SITE, Host, Talkback, Widget

PASSWORD = "a long enough password"


@dataclass
class Moderator:
    """A staff member's browser, with every script error and CSP refusal it meets."""

    page: Page
    email: str
    problems: list[str]

    def sign_in(self, talkback: Talkback) -> None:
        self.page.goto(f"{talkback.url}/admin/")
        expect(self.page.get_by_role("heading", name="Sign in")).to_be_visible()
        self.page.get_by_label("Email").fill(self.email)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page.get_by_role("heading", name="Queue")).to_be_visible()


@pytest.fixture
def moderator(browser: Browser, talkback: Talkback) -> Iterator[Moderator]:
    email = f"mod-{uuid.uuid4().hex[:8]}@news.example"
    talkback.run(create_staff(talkback.context.database, email, PASSWORD, "moderator"))
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":  # a CSP refusal is reported here
            problems.append(message.text)

    page.on("console", on_console)
    yield Moderator(page, email, problems)
    context.close()
    assert problems == []


def test_an_approved_comment_reaches_an_open_page_live(
    widget: Widget, moderator: Moderator, host: Host, article: str, talkback: Talkback
) -> None:
    text = f"Held until a moderator says so ({uuid.uuid4().hex[:6]})"
    widget.open(host.url(article, site=HELD_SITE))
    widget.post(text, name="Noor")
    expect(widget.root.locator(".tb > .tb-notice")).to_contain_text("awaiting moderation")
    expect(widget.comments).to_have_count(0)
    talkback.wait_for_listeners(article, 1, site=HELD_SITE)

    moderator.sign_in(talkback)
    admin = moderator.page
    admin.goto(f"{talkback.url}/admin/{HELD_SITE}/queue")
    item = admin.locator(".item", has_text=text)
    expect(item).to_be_visible()
    expect(item.locator(".author")).to_contain_text("Noor")
    admin.screenshot(path=ARTIFACTS / "admin-queue.png", full_page=True)

    admin.keyboard.press("?")
    expect(admin.get_by_role("heading", name="Keyboard shortcuts")).to_be_visible()
    admin.screenshot(path=ARTIFACTS / "admin-shortcuts.png")
    admin.keyboard.press("?")
    expect(admin.get_by_role("heading", name="Keyboard shortcuts")).to_be_hidden()

    item.locator(".body").click()
    expect(item).to_have_class("item status-pending current")
    admin.keyboard.press("a")
    expect(item.locator(".outcome")).to_have_text("Approved")
    expect(item).to_contain_class("done")

    bubble = widget.root.get_by_role("button", name="1 new comment")
    expect(bubble).to_be_visible()
    bubble.click()
    expect(widget.comment_with(text)).to_be_visible()
    expect(widget.heading).to_have_text("1 Comment")

    admin.reload()
    expect(admin.locator(".item", has_text=text)).to_have_count(0)


def test_the_admin_pages_fit_a_phone(
    moderator: Moderator, host: Host, article: str, talkback: Talkback
) -> None:
    for n in range(3):
        talkback.post(article, f"Phone queue item {n}: is this fine?", site=HELD_SITE)
    moderator.sign_in(talkback)
    admin = moderator.page
    admin.set_viewport_size({"width": 375, "height": 800})
    admin.goto(f"{talkback.url}/admin/{HELD_SITE}/queue")
    expect(admin.locator(".item").first).to_be_visible()
    width = admin.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the queue scrolls sideways on a phone ({width}px)"
    admin.screenshot(path=ARTIFACTS / "admin-queue-phone.png")

    admin.locator(".item").first.locator("input[name=ids]").check()
    admin.locator(".item").nth(1).locator("input[name=ids]").check()
    expect(admin.locator(".selected-count")).to_have_text("2 selected")
    admin.get_by_role("button", name="Reject", exact=True).first.click()
    expect(admin.locator(".item.done")).to_have_count(2)

    admin.set_viewport_size({"width": 1100, "height": 900})
    admin.goto(f"{talkback.url}/admin/{HELD_SITE}/stats")
    expect(admin.locator(".chart svg")).to_be_visible()
    admin.screenshot(path=ARTIFACTS / "admin-stats.png", full_page=True)
    admin.goto(f"{talkback.url}/admin/{HELD_SITE}/settings")
    expect(admin.get_by_text("Only an admin can change these settings.")).to_be_visible()
    admin.screenshot(path=ARTIFACTS / "admin-settings.png", full_page=True)
