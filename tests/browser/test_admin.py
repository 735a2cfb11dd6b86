"""The moderator's side, in a real browser: sign in to /admin/, approve a held comment
with the keyboard, and the reader's open page receives it live, without a reload; keep a
comment a reader reported, and see each card show what was done to it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from talkback.demo.content import DEMO_SITE, prepare_demo
from talkback.sites.sites import create_site
from talkback.staff.accounts import create_staff
from tests.browser.conftest import ARTIFACTS, HELD_SITE, Host, Talkback, Widget

PASSWORD = "a long enough password"
REVIEW_SITE = "reviews"


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


@pytest.fixture(scope="module")
def review_site(talkback: Talkback, publisher: Host) -> str:
    """A site of this module's own, so its Reported queue and Stats hold only its reports."""
    talkback.run(
        create_site(
            talkback.context.database, REVIEW_SITE, name="The Review", origins=[publisher.origin]
        )
    )
    return REVIEW_SITE


def test_keep_answers_a_readers_report_for_good(
    widget: Widget,
    moderator: Moderator,
    host: Host,
    article: str,
    talkback: Talkback,
    review_site: str,
) -> None:
    text = f"The barrier costs less than the floods ({uuid.uuid4().hex[:6]})"
    comment_id = talkback.post(article, text, site=review_site)
    widget.open(host.url(article, site=review_site))
    reported = widget.comment(comment_id)
    reported.get_by_role("button", name="Report").click()
    reported.get_by_label("Why should a moderator look at this comment?").select_option("abuse")
    reported.get_by_role("button", name="Send report").click()
    expect(reported.get_by_role("status")).to_contain_text("A moderator will take a look")

    moderator.sign_in(talkback)
    admin = moderator.page
    admin.goto(f"{talkback.url}/admin/{review_site}/queue?kind=reported")
    item = admin.locator(".item", has_text=text)
    expect(item.locator(".badge.reported")).to_have_text("1 report")
    expect(item.locator(".reports")).to_contain_text("abuse")
    item.get_by_role("button", name="Keep").click()
    expect(item.locator(".outcome")).to_have_text("Kept")
    expect(item.locator(".status-badge")).to_have_text("approved")
    expect(item.locator(".badge.reported")).to_have_count(0)

    admin.reload()
    expect(admin.get_by_text("Nothing reported right now.")).to_be_visible()
    admin.goto(f"{talkback.url}/admin/{review_site}/stats")
    expect(admin.locator(".figures")).to_contain_text("0 reported now")
    admin.goto(f"{talkback.url}/admin/{review_site}/audit")
    latest = admin.locator("table.audit tbody tr").first
    expect(latest).to_contain_text("comment.keep")
    expect(latest).to_contain_text(moderator.email)
    expect(latest).to_contain_text(f"comment:{comment_id}")
    expect(widget.comment(comment_id)).to_be_visible()


def test_each_card_shows_the_status_its_comment_now_has(
    moderator: Moderator, article: str, talkback: Talkback
) -> None:
    tag = uuid.uuid4().hex[:6]
    texts = [f"Card {n} of {tag}" for n in range(4)]
    for text in texts:
        talkback.post(article, text, site=HELD_SITE)
    moderator.sign_in(talkback)
    admin = moderator.page
    admin.goto(f"{talkback.url}/admin/{HELD_SITE}/queue")
    approved, rejected, also_rejected, deleted = (
        admin.locator(".item", has_text=text) for text in texts
    )
    for item in (approved, rejected, also_rejected, deleted):
        expect(item.locator(".status-badge")).to_have_text("pending")

    approved.get_by_role("button", name="Approve").click()
    expect(approved.locator(".outcome")).to_have_text("Approved")
    expect(approved.locator(".status-badge")).to_have_text("approved")
    expect(approved).to_contain_class("status-approved")

    rejected.locator("input[name=ids]").check()
    also_rejected.locator("input[name=ids]").check()
    admin.locator("#bulk").get_by_role("button", name="Reject", exact=True).click()
    for item in (rejected, also_rejected):
        expect(item.locator(".outcome")).to_have_text("Rejected")
        expect(item.locator(".status-badge")).to_have_text("rejected")

    admin.once("dialog", lambda dialog: dialog.accept())
    deleted.get_by_role("button", name="Delete").click()
    expect(deleted.locator(".status-badge")).to_have_text("deleted")


def test_the_audit_log_says_the_demo_campaign_was_made_by_demo_setup(
    moderator: Moderator, talkback: Talkback
) -> None:
    # The demo site itself, set up as test_campaign.py's demo test sets it up (its gifts
    # have fixed references, so a second demo campaign elsewhere would record none).
    talkback.run(prepare_demo(talkback.context, [talkback.url]))
    moderator.sign_in(talkback)
    admin = moderator.page
    admin.goto(f"{talkback.url}/admin/{DEMO_SITE}/audit")
    row = admin.locator("table.audit tbody tr", has_text="campaign.create")
    expect(row.locator("td").nth(1)).to_have_text("demo setup")
    expect(row).not_to_contain_text("removed")
    expect(row.locator(".details")).not_to_contain_text("actor")
