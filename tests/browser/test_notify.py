""" "Notify of", the notify checkbox, sign-in by email link and the signed-in reader, in
Chromium; the mail read and its links followed through the demo mailbox page.

These tests run their own app and article site (module-scoped): mail goes to the demo
mailbox, and the app must know its own address before it starts (the links in its mail
start with it), which the package's shared server does not.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect
from sqlalchemy import select
from starlette.types import ASGIApp, Receive, Scope, Send

from talkback.app import create_app
from talkback.config import Settings
from talkback.context import Context
from talkback.moderation.rules import update_moderation_settings
from talkback.sites.sites import create_site
from talkback.staff.accounts import create_staff
from talkback.store.migrate import migrate
from talkback.store.tables import outbox
from tests.browser.conftest import (
    EDITOR_PASSWORD,
    SECRET_KEY,
    SITE,
    TIMEOUT_MS,
    ArticleSite,
    Host,
    ServerThread,
    Talkback,
    Widget,
)

MAILBOX = "/demo/mailbox"
ROW = re.compile(
    r'<td>([^<]*)</td>\s*<td><a href="/demo/mailbox/(\d+)">([^<]*)</a></td>', re.MULTILINE
)
CHECK_INBOX = "Check your inbox to confirm."


class Deferred:
    """An ASGI app chosen after its server's port is known."""

    app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None
        await self.app(scope, receive, send)


@dataclass
class Mailed:
    """The app and its article site, with a way to read the mailbox."""

    talkback: Talkback
    host: Host
    seen: set[int]

    def mail_to(self, address: str, subject: str) -> str:
        """The URL of the newest mail to `address` whose subject has `subject` and that
        no earlier call returned, once it arrived (polled, bounded)."""
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while True:
            listing = httpx.get(self.talkback.url + MAILBOX, timeout=10).text
            for recipient, mail_id, title in ROW.findall(listing):
                fresh = int(mail_id) not in self.seen
                if fresh and unescape(recipient) == address and subject in unescape(title):
                    self.seen.add(int(mail_id))
                    return f"{self.talkback.url}{MAILBOX}/{mail_id}"
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no mail to {address} about {subject!r} arrived; outbox: {self.outbox()}"
                )
            time.sleep(0.05)

    def outbox(self) -> list[tuple[str, str, str, str | None]]:
        """What the outbox holds, to say why an awaited mail is missing."""
        statement = select(outbox.c.kind, outbox.c.recipient, outbox.c.status, outbox.c.last_error)
        rows = self.talkback.run(self.talkback.context.database.read_rows(statement))
        return [tuple(row) for row in rows]

    def link_in(self, mail_url: str, pattern: str) -> str:
        page = httpx.get(mail_url, timeout=10).text
        links = [unescape(link) for link in re.findall(r'<li><a href="([^"]+)"', page)]
        return next(link for link in links if pattern in link)


async def migrated(settings: Settings) -> None:
    context = Context.from_settings(settings)
    try:
        await migrate(context.database)
    finally:
        await context.close()


@pytest.fixture(scope="module")
def mailed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mailed]:
    site = ArticleSite()
    deferred = Deferred()
    with ServerThread(site) as publisher_server:
        server = ServerThread(deferred)
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('notify') / 'tb.db'}",
            secret_key=SECRET_KEY,
            rate_limits="off",
            demo_mailbox=True,
            public_url=server.url,
        )
        # Migrated before the app starts: its outbox worker polls from the first moment.
        publisher_server.run(migrated(settings))
        app = create_app(settings)
        deferred.app = app
        with server:
            talkback = Talkback(server, app)
            site.api_url = server.url

            async def prepare() -> None:
                ctx = talkback.context
                editor = await create_staff(
                    ctx.database, "n@news.example", EDITOR_PASSWORD, "admin"
                )
                created = await create_site(
                    ctx.database, SITE, name="The Example News", origins=[publisher_server.url]
                )
                await update_moderation_settings(ctx, created, {"min_form_seconds": 0}, editor)

            talkback.run(prepare())
            # Each follow-up at once: a test waits for one mail, not for a digest.
            talkback.set_option(SITE, "digest_window", "0")
            yield Mailed(talkback, Host(publisher_server, site), set())


@pytest.fixture
def article(request: pytest.FixtureRequest) -> str:
    return "/notify/" + re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")


def open_widget(page: Page, mailed: Mailed, article: str) -> Widget:
    return Widget(page).open(mailed.host.url(article))


def open_link(page: Page, link: str) -> None:
    """Open a link from a mail as a mail client does: a fresh load of the page (from the
    article itself, a link differing only in its fragment would not load anything)."""
    page.goto("about:blank")
    page.goto(link)


def sign_in(page: Page, mailed: Mailed, article: str, address: str) -> str:
    """Ask for a sign-in link from the widget; returns the link from the mail."""
    widget = open_widget(page, mailed, article)
    widget.root.get_by_role("button", name="Sign in").click()
    widget.root.get_by_label("Email", exact=True).fill(address)
    widget.root.get_by_role("button", name="Email me a sign-in link").click()
    expect(widget.root.get_by_text("We sent you a link. Open it to sign in.")).to_be_visible()
    link = mailed.link_in(mailed.mail_to(address, "sign-in link"), "#talkback-signin=")
    assert link.startswith(mailed.host.origin + article)
    return link


def test_notify_of_asks_for_confirmation_and_the_mailed_link_confirms(
    page: Page, mailed: Mailed, article: str
) -> None:
    widget = open_widget(page, mailed, article)
    widget.root.get_by_role("button", name="Notify of").click()
    widget.root.get_by_label("Notify of").select_option(label="new follow-up comments")
    widget.root.get_by_label("Email", exact=True).fill("follower@example.org")
    widget.root.get_by_role("button", name="Notify me").click()
    expect(widget.root.get_by_text(CHECK_INBOX)).to_be_visible()

    # The mailbox page lists the confirmation mail; its link opens the confirm page.
    page.goto(mailed.talkback.url + MAILBOX)
    row = page.locator("tr", has_text="follower@example.org")
    expect(row).to_have_count(1)
    row.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Please confirm")
    expect(page.locator("iframe[sandbox]")).to_be_visible()
    confirm = page.locator(".links a", has_text="/subscriptions/confirm?token=")
    with page.context.expect_page() as opened:
        confirm.click()
    confirm_page = opened.value
    confirm_page.get_by_role("button", name="Yes, send me these notifications").click()
    expect(confirm_page.get_by_role("heading", name="Notifications are on")).to_be_visible()

    # Confirmed: the next comment on the thread is mailed, with one-click unsubscribe.
    mailed.talkback.post(article, "The barrier vote is tonight.", author="Gwen")
    notification = mailed.mail_to("follower@example.org", "New comment on")
    page.goto(notification)
    expect(page.locator("pre.text")).to_contain_text("The barrier vote is tonight.")
    expect(page.get_by_role("rowheader", name="List-Unsubscribe", exact=True)).to_be_visible()


def test_a_first_visit_fetches_the_account_panels_only_once_notify_of_is_pressed(
    page: Page, mailed: Mailed, article: str
) -> None:
    """A guest rarely opens the reader's line, so its code (account.js) is not part of a
    first visit; pressing "Notify of" fetches it and opens that panel, focused."""
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    widget = open_widget(page, mailed, article)
    mailed.talkback.wait_for_listeners(article, 1)  # the last step of the widget's start
    assert any(url.endswith("/thread.js") for url in fetched)
    assert not [url for url in fetched if url.endswith("/account.js")]

    notify_of = widget.root.get_by_role("button", name="Notify of")
    notify_of.click()
    expect(widget.root.get_by_label("Notify of")).to_be_focused()
    expect(notify_of).to_have_attribute("aria-expanded", "true")
    assert [url for url in fetched if url.endswith("/account.js")]
    widget.root.get_by_label("Email", exact=True).fill("first@example.org")
    widget.root.get_by_role("button", name="Notify me").click()
    expect(widget.root.get_by_text(CHECK_INBOX)).to_be_visible()
    # The guest's two buttons were handed over, not doubled.
    expect(widget.root.get_by_role("button", name="Sign in")).to_have_count(1)
    notify_of.click()
    expect(widget.root.get_by_label("Notify of")).to_have_count(0)


def test_notify_of_says_what_went_wrong(page: Page, mailed: Mailed, article: str) -> None:
    """Each refusal in the reader's words: a bad address, too many requests, no mail."""
    widget = open_widget(page, mailed, article)
    widget.root.get_by_role("button", name="Notify of").click()
    email = widget.root.get_by_label("Email", exact=True)
    notify = widget.root.get_by_role("button", name="Notify me")
    email.fill("someone@localhost")
    notify.click()
    expect(widget.root.get_by_text("Please enter a valid email address.")).to_be_visible()

    answers = iter([
        (429, {"Retry-After": "30"}, "rate_limited"),
        (503, {}, "mail_unavailable"),
    ])  # fmt: skip

    def refuse(route: Route) -> None:
        cors = {
            "Access-Control-Allow-Origin": mailed.host.origin,
            "Access-Control-Allow-Headers": "content-type, x-talkback-reader",
            "Access-Control-Allow-Methods": "POST",
            "Access-Control-Expose-Headers": "Retry-After",
        }
        if route.request.method == "OPTIONS":
            route.fulfill(status=204, headers=cors)
            return
        status, headers, code = next(answers)
        body = json.dumps({"error": {"code": code, "message": code}})
        route.fulfill(status=status, body=body, headers={**cors, **headers})

    page.route(re.compile(r"/subscriptions\?"), refuse)
    email.fill("reader@example.org")
    notify.click()
    expect(
        widget.root.get_by_text("Too many requests. Please try again in 30 seconds.")
    ).to_be_visible()
    notify.click()
    expect(widget.root.get_by_text("This site cannot send email at the moment.")).to_be_visible()


def test_the_notify_checkbox_asks_for_replies_to_the_new_comment(
    page: Page, mailed: Mailed, article: str
) -> None:
    widget = open_widget(page, mailed, article)
    widget.text.fill("Who pays for the second review?")
    widget.root.get_by_label("Notify me of replies").check()
    widget.root.get_by_role("button", name="Post comment").click()
    # No address yet: the form asks for one and keeps the draft.
    expect(widget.root.get_by_text("Please enter your email address.")).to_be_visible()
    widget.root.get_by_label("Email (optional)").fill("asker@example.org")
    widget.root.get_by_role("button", name="Post comment").click()
    expect(widget.comment_with("Who pays for the second review?")).to_be_visible()
    expect(widget.root.get_by_text(CHECK_INBOX)).to_be_visible()
    mail = mailed.mail_to("asker@example.org", "Please confirm")
    assert "new replies to a comment" in httpx.get(mail, timeout=10).text


def test_sign_in_by_link_on_a_second_device_edits_a_comment_from_the_first(
    browser: Browser, page: Page, mailed: Mailed, article: str
) -> None:
    address = "hanna@example.org"
    # First device: sign in by link, then post without name or email fields.
    first = Widget(page)
    open_link(page, sign_in(page, mailed, article, address))
    expect(first.root.get_by_text(f"Signed in as {address}").first).to_be_visible()
    assert "talkback-signin" not in page.url
    first.text.click()  # opens the form: a guest would see name and email now
    expect(first.root.get_by_role("button", name="Post comment")).to_be_visible()
    expect(first.root.get_by_label("Name (optional)")).to_be_hidden()
    first.post("Posted from my laptop.")
    comment_id = first.id_of("Posted from my laptop.")

    # Second device: a browser context of its own, signed in by a second link.
    second_context = browser.new_context()
    try:
        other = second_context.new_page()
        other_widget = Widget(other)
        link = sign_in(other, mailed, article, address)
        open_link(other, link)
        expect(other_widget.root.get_by_text(f"Signed in as {address}").first).to_be_visible()
        mine = other_widget.comment(comment_id)
        mine.get_by_role("button", name="Edit").click()
        mine.locator("textarea").fill("Edited from my phone.")
        mine.get_by_role("button", name="Save").click()
        expect(other_widget.comment_with("Edited from my phone.")).to_be_visible()

        # The first device sees the edit too (the page reloaded from the server).
        page.reload()
        expect(first.comment_with("Edited from my phone.")).to_be_visible()

        # A link works once: opening it again says so.
        open_link(other, link)
        expect(other_widget.root.get_by_text("This sign-in link was used already.")).to_be_visible()
    finally:
        second_context.close()


def test_the_signed_in_reader_manages_name_subscriptions_and_data(
    page: Page, mailed: Mailed, article: str
) -> None:
    address = "owner@example.org"
    widget = Widget(page)
    open_link(page, sign_in(page, mailed, article, address))
    root = widget.root
    expect(root.get_by_text(f"Signed in as {address}").first).to_be_visible()

    # Signed in, "Notify of" asks no address and needs no confirmation.
    root.get_by_role("button", name="Notify of").click()
    expect(root.locator(".tb-account").get_by_label("Email", exact=True)).to_have_count(0)
    root.get_by_role("button", name="Notify me").click()
    expect(root.get_by_text("Subscribed.")).to_be_visible()

    root.get_by_role("button", name="Your account").click()
    root.get_by_label("Display name").fill("Hanna O.")
    root.get_by_role("button", name="Save").click()
    expect(root.get_by_text("Signed in as Hanna O.")).to_be_visible()
    widget.post("Signed with my display name.")
    expect(widget.comment_with("Signed with my display name.")).to_contain_text("Hanna O.")

    root.get_by_role("button", name="Your account").click()
    subscriptions = root.locator(".tb-subs li")
    expect(subscriptions).to_have_count(1)
    expect(subscriptions).to_contain_text("New comments on")
    with page.expect_download() as downloading:
        root.get_by_role("button", name="Download my data").click()
    data = json.loads(downloading.value.path().read_text())
    assert address in json.dumps(data)
    subscriptions.get_by_role("button", name="Remove").click()
    expect(root.get_by_text("Removed.")).to_be_visible()
    expect(subscriptions).to_have_count(0)

    root.get_by_role("button", name="Delete my data").click()
    confirm = root.get_by_role("group", name=re.compile("for good"))
    confirm.get_by_role("button", name="Delete my data").click()
    expect(root.get_by_text("Your data was deleted.")).to_be_visible()
    expect(root.get_by_role("button", name="Sign in")).to_be_visible()
    page.reload()
    expect(widget.root.get_by_role("button", name="Sign in")).to_be_visible()


def test_signing_out_makes_the_reader_a_guest_again(
    page: Page, mailed: Mailed, article: str
) -> None:
    address = "leaver@example.org"
    widget = Widget(page)
    open_link(page, sign_in(page, mailed, article, address))
    expect(widget.root.get_by_text(f"Signed in as {address}").first).to_be_visible()
    widget.root.get_by_role("button", name="Sign out").click()
    expect(widget.root.get_by_role("button", name="Sign in")).to_be_visible()
    widget.text.click()
    expect(widget.root.get_by_label("Name (optional)")).to_be_visible()
    page.reload()
    expect(widget.root.get_by_role("button", name="Sign in")).to_be_visible()
    expect(widget.root.get_by_text("Signed in as")).to_have_count(0)
