"""Failures are told in words, with a way out, and nothing typed is lost."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from talkback.moderation.actions import reject_comment
from talkback.moderation.bans import add_ban
from talkback.moderation.rules import update_moderation_settings
from talkback.sites.sites import create_site
from talkback.staff.accounts import StaffMember, create_staff
from tests.browser.conftest import EDITOR_PASSWORD, Host, Talkback, Widget

THREAD = re.compile(r"/api/v1/[^/]+/comments\?")
COMMENTS = re.compile(r"/api/v1/[^/]+/comments")
STREAM = re.compile(r"/api/v1/[^/]+/stream")
OFFLINE = "Could not reach the comment server. Check your connection and try again."
BANNED_SITE = "banned"  # bans the address every browser here comes from (127.0.0.1)
LIMITED_SITE = "limited"  # used while the server's rate limits are on
REPORTING_SITE = "reporting"


@pytest.fixture(scope="module")
def staff(talkback: Talkback, publisher: Host) -> StaffMember:
    """An admin, and the sites of this module, made as an admin would make them."""

    async def prepare() -> StaffMember:
        ctx = talkback.context
        admin = await create_staff(ctx.database, "errors@news.example", EDITOR_PASSWORD, "admin")
        for site_id in (BANNED_SITE, LIMITED_SITE, REPORTING_SITE):
            site = await create_site(
                ctx.database, site_id, name="The Example News", origins=[publisher.origin]
            )
            # Tests post within a second of opening the page (see conftest.py).
            await update_moderation_settings(ctx, site, {"min_form_seconds": 0}, admin)
        banned = await ctx.sites.get(BANNED_SITE)
        await add_ban(ctx, banned, kind="ip", value="127.0.0.1", shadow=False,
                      reason="test", expires_at=None, staff=admin)  # fmt: skip
        return admin

    return talkback.run(prepare())


@pytest.fixture
def rate_limits(talkback: Talkback, staff: StaffMember) -> Iterator[None]:
    """The server's own rate limits, on for one test (the suite posts faster than people)."""
    limits = talkback.context.rate_limits
    limits.enabled = True
    yield
    limits.enabled = False


def test_an_unreachable_server_offers_retry(
    widget: Widget, host: Host, article: str, talkback: Talkback, page: Page
) -> None:
    talkback.post(article, "Waiting behind the outage")
    page.route(THREAD, lambda route: route.abort("connectionrefused"))
    page.goto(host.url(article))
    status = widget.root.locator(".tb-status")
    expect(status).to_contain_text(OFFLINE)

    page.unroute(THREAD)
    status.get_by_role("button", name="Retry").click()
    expect(widget.comment_with("Waiting behind the outage")).to_be_visible()
    expect(status).to_be_hidden()


def test_posting_while_offline_keeps_the_text_and_retries(
    widget: Widget, host: Host, article: str, page: Page
) -> None:
    widget.open(host.url(article))

    def refuse_posts(route: Route) -> None:
        if route.request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(COMMENTS, refuse_posts)
    widget.post("Written on the train")
    alert = widget.root.locator(".tb > .tb-form .tb-error")
    expect(alert).to_contain_text(OFFLINE)
    expect(alert).to_have_attribute("role", "alert")
    expect(widget.text).to_have_value("Written on the train")

    page.unroute(COMMENTS)
    alert.get_by_role("button", name="Retry").click()
    expect(widget.comment_with("Written on the train")).to_be_visible()
    expect(alert).to_be_hidden()
    expect(widget.text).to_have_value("")


def test_a_too_long_comment_is_refused_in_words_and_kept_as_a_draft(
    widget: Widget, host: Host, article: str, page: Page
) -> None:
    widget.open(host.url(article))
    essay = "Long " * 2001  # 10,005 characters; the server takes 10,000
    widget.post(essay)
    alert = widget.root.locator(".tb > .tb-form .tb-error")
    expect(alert).to_have_text("Your comment is too long: please keep it to 10,000 characters.")
    expect(widget.text).to_have_value(essay)
    expect(widget.text).to_have_attribute("aria-invalid", "true")

    page.reload()  # the draft lives in sessionStorage, so even a reload keeps it
    expect(widget.text).to_have_value(essay)


def test_commenting_too_fast_is_held_then_refused_with_the_wait(
    widget: Widget, host: Host, article: str, rate_limits: None
) -> None:
    """Three comments a minute are shown, the next ones held as a flood, and past five a
    minute the server refuses and says for how long; the refused text stays."""
    widget.open(host.url(article, site=LIMITED_SITE))
    for n in range(1, 4):
        widget.post(f"Point number {n}")
        expect(widget.comment_with(f"Point number {n}")).to_be_visible()
    widget.post("Point number 4")
    expect(widget.root.locator(".tb > .tb-notice")).to_have_text(
        "Thank you! You posted several comments within a minute, so a moderator will check"
        " this one before it appears."
    )
    expect(widget.comments).to_have_count(3)
    widget.post("Point number 5")
    expect(widget.text).to_have_value("")
    widget.post("Point number 6")
    alert = widget.root.locator(".tb > .tb-form .tb-error")
    expect(alert).to_have_text(
        re.compile(r"^You are commenting too fast\. Please try again in \d+ seconds\.$")
    )
    expect(widget.text).to_have_value("Point number 6")
    expect(widget.comments).to_have_count(3)


def test_voting_too_fast_says_so_and_when_to_try_again(
    widget: Widget, host: Host, article: str, talkback: Talkback, page: Page, rate_limits: None
) -> None:
    comment_id = talkback.post(article, "Vote on me", site=LIMITED_SITE)
    widget.open(host.url(article, site=LIMITED_SITE))
    # The reader has voted a minute's worth already (60), from this browser.
    reader = page.evaluate(
        "JSON.parse(Object.entries(localStorage)"
        ".find(([key]) => key.startsWith('talkback:reader:'))[1])"
    )
    vote = f"{talkback.url}/api/v1/{LIMITED_SITE}/comments/{comment_id}/vote"
    for n in range(60):
        answer = httpx.post(vote, json={"value": n % 2}, headers={"X-Talkback-Reader": reader})
        assert answer.status_code == 200, answer.text
    widget.comment(comment_id).get_by_role("button", name="Upvote").click()
    expect(widget.comment(comment_id).get_by_role("alert")).to_have_text(
        re.compile(r"^You are voting too fast\. Please try again in \d+ seconds\.$")
    )


def test_a_banned_reader_is_told_and_keeps_the_text(
    widget: Widget, host: Host, article: str, staff: StaffMember
) -> None:
    widget.open(host.url(article, site=BANNED_SITE))
    widget.post("Let me back in")
    alert = widget.root.locator(".tb > .tb-form .tb-error")
    expect(alert).to_have_text("You can no longer comment on this site.")
    expect(widget.text).to_have_value("Let me back in")
    expect(widget.comments).to_have_count(0)


def test_reporting_a_comment_taken_down_meanwhile_says_so(
    widget: Widget, host: Host, article: str, talkback: Talkback, page: Page, staff: StaffMember
) -> None:
    """The reader's live connection is down, so the comment is still on their screen."""
    page.route(STREAM, lambda route: route.abort("connectionrefused"))
    comment_id = talkback.post(article, "Soon gone", site=REPORTING_SITE)
    widget.open(host.url(article, site=REPORTING_SITE))

    async def take_down() -> None:
        site = await talkback.context.sites.get(REPORTING_SITE)
        await reject_comment(talkback.context, site, comment_id, staff)

    talkback.run(take_down())
    comment = widget.comment(comment_id)
    comment.get_by_role("button", name="Report").click()
    comment.get_by_role("button", name="Send report").click()
    expect(comment.get_by_role("alert")).to_have_text("This comment is no longer shown.")
