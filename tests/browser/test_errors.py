"""Failures are told in words, with a way out, and nothing typed is lost."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import Host, Talkback, Widget

THREAD = re.compile(r"/api/v1/[^/]+/comments\?")
COMMENTS = re.compile(r"/api/v1/[^/]+/comments")
OFFLINE = "Could not reach the comment server. Check your connection and try again."


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


def test_rate_limiting_says_when_to_try_again(
    widget: Widget, host: Host, article: str, page: Page
) -> None:
    widget.open(host.url(article))

    def too_fast(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        route.fulfill(
            status=429,
            headers={
                "Access-Control-Allow-Origin": host.origin,
                "Access-Control-Expose-Headers": "Retry-After",
                "Retry-After": "30",
            },
            content_type="application/json",
            body=json.dumps({"error": {"code": "rate_limited", "message": "slow down"}}),
        )

    page.route(COMMENTS, too_fast)
    widget.post("One more thing")
    expect(widget.root.locator(".tb > .tb-form .tb-error")).to_have_text(
        "You are commenting too fast. Please try again in 30 seconds."
    )
    expect(widget.text).to_have_value("One more thing")
