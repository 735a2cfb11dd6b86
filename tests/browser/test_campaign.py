"""The reader-funding bar on a publisher's article: goal, ticks and total in the reader's
locale, live as gifts land, and the way from "Support" to the payment page, by mouse and
by keyboard. Gifts arrive as signed Stripe webhooks over HTTP; checkout goes to a fake
Stripe whose payment page is on the publisher's loopback site (conftest.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from playwright.sync_api import Browser, Locator, Page, Route, expect

from talkback import clock
from talkback.demo.content import prepare_demo
from tests.browser.conftest import (
    ARTIFACTS,
    FUND_SITE,
    SITE,
    Host,
    Talkback,
    Widget,
)
from tests.fake_stripe import FakeStripe

NBSP = "\xa0"
SITE_NAME = "The Example News"
MAX_KEYBOARD_STEPS = 15
NAME_LABEL = "Your name, or leave empty to give anonymously"


class FundingBar:
    """The goal bar of one open page, as a reader sees and uses it."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.root = page.locator("[data-talkback-campaign]")

    def open(self, url: str) -> FundingBar:
        self.page.goto(url)
        expect(self.meter).to_be_visible()
        return self

    @property
    def meter(self) -> Locator:
        return self.root.get_by_role("progressbar")

    @property
    def raised(self) -> Locator:
        return self.root.locator(".tb-fund-raised")

    @property
    def ticks(self) -> Locator:
        return self.root.locator(".tb-tick")

    @property
    def support(self) -> Locator:
        return self.root.locator(".tb-support")

    @property
    def presets(self) -> Locator:
        return self.root.locator(".tb-preset")

    @property
    def error(self) -> Locator:
        return self.root.locator(".tb-donate .tb-error")

    @property
    def amount(self) -> Locator:
        return self.root.locator(".tb-amount")

    @property
    def continue_button(self) -> Locator:
        return self.root.get_by_role("button", name="Continue to payment")

    def texts(self, locator: Locator) -> list[str]:
        """Exact text, no-break spaces kept (Playwright's text matchers fold them)."""
        texts: list[str] = locator.evaluate_all("nodes => nodes.map(node => node.textContent)")
        return texts

    def tick_positions(self) -> list[str]:
        positions: list[str] = self.ticks.evaluate_all(
            "nodes => nodes.map(node => node.style.left)"
        )
        return positions


def bar_page(host: Host, article: str, **query: str) -> str:
    """The article with a bar for the funding site's current campaign."""
    return host.url(article, **{"site": FUND_SITE, "campaign": "current", **query})


def test_the_bar_shows_goal_ticks_and_total_in_english_and_german(
    page: Page, host: Host, article: str, talkback: Talkback
) -> None:
    campaign = talkback.create_campaign(ends_at=clock.now() + timedelta(days=30, hours=1))
    talkback.give(campaign, 100_000, donor_name="Ana", message="Keep digging")
    talkback.give(campaign, 10_000)
    talkback.give(campaign, 1_200)
    bar = FundingBar(page)
    widget = Widget(page)

    # An English page, with the comment section under the story as well.
    widget.open(bar_page(host, article, lang="en"))
    expect(bar.raised).to_have_text("$1,112")
    assert bar.texts(bar.raised) == ["$1,112"]
    assert bar.texts(bar.ticks) == ["$0", "$2,500", "$5,000"]
    assert bar.tick_positions() == ["0%", "50%", "100%"]
    expect(bar.root.locator(".tb-fund-title")).to_have_text("Keep the Courier independent")
    expect(bar.root.locator(".tb-fund-goal")).to_have_text("raised of $5,000 goal")
    expect(bar.root.locator(".tb-fund-percent")).to_have_text("22%")
    expect(bar.root.locator(".tb-fund-donors")).to_have_text("3 supporters")
    expect(bar.root.locator(".tb-fund-days")).to_have_text(re.compile(r"^(30|31) days left$"))
    expect(bar.meter).to_have_attribute("aria-valuenow", "1112")
    expect(bar.meter).to_have_attribute("aria-valuemin", "0")
    expect(bar.meter).to_have_attribute("aria-valuemax", "5000")
    expect(bar.meter).to_have_attribute("aria-valuetext", "$1,112 raised of $5,000 (22%)")
    expect(bar.meter).to_have_accessible_name("Raised so far")
    expect(bar.root.locator(".tb-fill")).to_have_attribute("style", "width: 22%;")
    expect(bar.support).to_have_text(f"Support {SITE_NAME}")
    wall = bar.root.locator(".tb-gift .tb-author")
    expect(wall).to_have_count(3)
    assert sorted(bar.texts(wall)) == ["Ana", "Anonymous", "Anonymous"]
    ana = bar.root.locator(".tb-gift", has_text="Ana")
    expect(ana).to_contain_text("$1,000")
    # The message passed the moderation checks, so the wall shows it, as text.
    expect(ana.locator(".tb-gift-message")).to_have_text("Keep digging")
    expect(widget.root.locator(".tb-form textarea")).to_be_visible()

    # <html lang="de"> asks for German money: babel's de_DE puts the sign after a no-break space.
    bar.open(bar_page(host, article, lang="de", comments="off"))
    expect(bar.raised).to_have_text(f"1.112{NBSP}$")
    assert bar.texts(bar.raised) == [f"1.112{NBSP}$"]
    assert bar.texts(bar.ticks) == [f"0{NBSP}$", f"2.500{NBSP}$", f"5.000{NBSP}$"]
    assert bar.texts(bar.root.locator(".tb-fund-percent")) == [f"22{NBSP}%"]
    expect(bar.root.locator(".tb-fund-goal")).to_have_text(f"von 5.000{NBSP}$ Ziel gesammelt")
    expect(bar.root.locator(".tb-fund-donors")).to_have_text("3 Unterstützer:innen")
    expect(bar.support).to_have_text(f"{SITE_NAME} unterstützen")

    # A full locale on the container wins over the page's language.
    bar.open(bar_page(host, article, lang="en", locale="de-DE", comments="off"))
    expect(bar.raised).to_have_text(f"1.112{NBSP}$")
    assert bar.texts(bar.ticks) == [f"0{NBSP}$", f"2.500{NBSP}$", f"5.000{NBSP}$"]


def test_the_bar_moves_when_a_gift_lands_while_the_page_is_open(
    page: Page, host: Host, article: str, talkback: Talkback
) -> None:
    campaign = talkback.create_campaign()
    bar = FundingBar(page).open(bar_page(host, article, comments="off"))
    expect(bar.raised).to_have_text("$0")
    expect(bar.meter).to_have_attribute("aria-valuenow", "0")
    talkback.wait_for_listeners(article, 1, site=FUND_SITE)
    page.evaluate("window.stillTheSamePage = true")
    # A reader in the middle of giving: the update must leave their form as it is.
    bar.support.click()
    bar.amount.fill("42")
    bar.root.get_by_label(NAME_LABEL).fill("Kim")

    talkback.give(campaign, 2_500, donor_name="Lee")

    expect(bar.raised).to_have_text("$25")
    expect(bar.meter).to_have_attribute("aria-valuenow", "25")
    expect(bar.root.locator(".tb-fund-donors")).to_have_text("1 supporter")
    expect(bar.root.locator(".tb-fund .tb-sr[aria-live]").last).to_have_text("$25 raised of $5,000")
    expect(bar.root.locator(".tb-gift .tb-author")).to_have_text(["Lee"])
    expect(bar.amount).to_have_value("42")
    expect(bar.root.get_by_label(NAME_LABEL)).to_have_value("Kim")
    assert page.evaluate("window.stillTheSamePage") is True

    talkback.give(campaign, 200_000)
    expect(bar.raised).to_have_text("$2,025")
    expect(bar.meter).to_have_attribute("aria-valuenow", "2025")
    expect(bar.root.locator(".tb-fund-percent")).to_have_text("40%")


def test_support_and_a_preset_send_the_reader_to_the_checkout_page(
    page: Page, host: Host, article: str, talkback: Talkback, stripe_server: FakeStripe
) -> None:
    talkback.create_campaign()
    back_from_checkout = bar_page(host, article, comments="off", talkback_donation="cancelled")
    bar = FundingBar(page).open(back_from_checkout + "#comments")
    expect(bar.root.locator(".tb-cancelled")).to_have_text(
        "The payment was cancelled and nothing was charged. You can try again whenever you like."
    )
    # The marker leaves the address bar, so a reload does not say it again.
    article_url = bar_page(host, article, comments="off")
    expect(page).to_have_url(article_url + "#comments")

    bar.support.click()
    expect(bar.support).to_have_attribute("aria-expanded", "true")
    assert bar.texts(bar.presets) == ["$10", "$25", "$50"]
    bar.presets.nth(1).click()
    expect(bar.presets.nth(1)).to_have_attribute("aria-pressed", "true")
    expect(bar.presets.nth(0)).to_have_attribute("aria-pressed", "false")
    sessions_before = len(stripe_server.sessions)
    with page.expect_request(re.compile(r"/checkout$")) as sent:
        bar.continue_button.click()
    assert sent.value.post_data_json == {
        "amount": 25,
        "currency": "USD",
        "return_url": article_url,
    }
    expect(page).to_have_url(f"{host.origin}/paid?session=cs_test_{sessions_before + 1}")
    session = stripe_server.sessions[-1]
    assert session["line_items[0][price_data][unit_amount]"] == "2500"
    assert session["line_items[0][price_data][currency]"] == "usd"
    assert session["success_url"] == f"{article_url}&talkback_donation=thanks"
    assert session["cancel_url"] == f"{article_url}&talkback_donation=cancelled"

    # Stripe sends the reader back to the article, where the bar says thank you.
    bar.open(session["success_url"])
    expect(bar.root.locator(".tb-thanks")).to_have_text(
        "Thank you for your support! Your gift will show in the total in a moment."
    )
    expect(page).to_have_url(article_url)


def test_a_name_and_message_go_with_a_gift_of_the_readers_own_amount(
    page: Page, host: Host, article: str, talkback: Talkback, stripe_server: FakeStripe
) -> None:
    campaign = talkback.create_campaign()
    bar = FundingBar(page).open(bar_page(host, article, comments="off"))
    bar.support.click()
    bar.amount.fill("12.50")
    bar.root.get_by_label(NAME_LABEL).fill("Kim")
    bar.root.get_by_label("A public message (optional)").fill("For the flood coverage")
    expect(bar.root.locator(".tb-count-left")).to_have_text("478 characters left")
    with page.expect_request(re.compile(r"/checkout$")) as sent:
        bar.continue_button.click()
    assert sent.value.post_data_json == {
        "amount": 12.5,
        "currency": "USD",
        "return_url": bar_page(host, article, comments="off"),
        "donor_name": "Kim",
        "message": "For the flood coverage",
    }
    expect(page).to_have_url(re.compile(r"/paid\?session=cs_test_\d+$"))
    session = stripe_server.sessions[-1]
    assert session["line_items[0][price_data][unit_amount]"] == "1250"
    assert session["metadata[donor_name]"] == "Kim"
    assert session["metadata[message]"] == "For the flood coverage"
    assert session["metadata[talkback_campaign]"] == str(campaign)

    # Cancelled at the payment page: back on the article, the gift is as the reader left it.
    bar.open(session["cancel_url"])
    expect(bar.root.locator(".tb-cancelled")).to_be_visible()
    bar.support.click()
    expect(bar.amount).to_have_value("12.50")
    expect(bar.root.get_by_label(NAME_LABEL)).to_have_value("Kim")
    expect(bar.root.get_by_label("A public message (optional)")).to_have_value(
        "For the flood coverage"
    )


def test_wrong_amounts_and_refused_payments_are_put_in_words_and_nothing_typed_is_lost(
    page: Page, host: Host, article: str, talkback: Talkback
) -> None:
    talkback.create_campaign()
    bar = FundingBar(page).open(bar_page(host, article, comments="off"))
    bar.support.click()
    name = bar.root.get_by_label(NAME_LABEL)
    message = bar.root.get_by_label("A public message (optional)")
    name.fill("Kim")
    message.fill("Thanks for the reporting")

    bar.continue_button.click()
    expect(bar.error).to_have_text("Please choose or enter an amount.")
    for typed in ("0.50", "20000", "abc"):
        bar.amount.fill(typed)
        bar.continue_button.click()
        expect(bar.error).to_have_text("Please enter an amount between $1 and $10,000.")
        expect(bar.amount).to_have_attribute("aria-invalid", "true")
        expect(bar.amount).to_be_focused()
    bar.amount.fill("12.345")
    bar.continue_button.click()
    expect(bar.error).to_have_text("Please enter the amount with at most 2 decimal places.")

    bar.amount.fill("30")
    refusals: list[tuple[int, dict[str, Any], str]] = [
        (503, {"code": "payments_unavailable", "message": "no key"},
         "Payments are not available at the moment. Nothing was charged; please try again later."),
        (409, {"code": "campaign_closed", "message": "closed"},
         "This campaign is no longer taking gifts."),
        (422, {"code": "invalid_amount", "message": "amount: between 1 and 10000 USD"},
         "Please enter an amount between $1 and $10,000."),
        (422, {"code": "invalid", "message": "message: too long",
               "fields": [{"field": "message", "message": "too long"}]},
         "Please keep your message to 500 characters."),
    ]  # fmt: skip
    for status, problem, words in refusals:
        refuse = refusal(status, problem, host.origin)
        page.route(re.compile(r"/checkout$"), refuse)
        bar.continue_button.click()
        expect(bar.error).to_have_text(words)
        page.unroute(re.compile(r"/checkout$"), refuse)

    page.route(re.compile(r"/checkout$"), lambda route: route.abort())
    bar.continue_button.click()
    expect(bar.error).to_contain_text("Could not reach the payment server.")
    expect(bar.error.get_by_role("button", name="Retry")).to_be_visible()
    page.unroute(re.compile(r"/checkout$"))

    expect(bar.amount).to_have_value("30")
    expect(name).to_have_value("Kim")
    expect(message).to_have_value("Thanks for the reporting")
    expect(page).to_have_url(bar_page(host, article, comments="off"))


def test_support_and_presets_work_from_the_keyboard(
    page: Page, host: Host, article: str, talkback: Talkback
) -> None:
    talkback.create_campaign()
    bar = FundingBar(page).open(bar_page(host, article, comments="off"))
    tab_to(page, bar.support)
    page.keyboard.press("Enter")
    expect(bar.support).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    expect(bar.presets.first).to_be_focused()
    page.keyboard.press("Tab")
    expect(bar.presets.nth(1)).to_be_focused()
    page.keyboard.press("Space")
    expect(bar.presets.nth(1)).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Enter")  # a preset is a button: Enter works as well as Space
    expect(bar.presets.nth(1)).to_have_attribute("aria-pressed", "true")
    tab_to(page, bar.continue_button)
    with page.expect_request(re.compile(r"/checkout$")) as sent:
        page.keyboard.press("Enter")
    assert (sent.value.post_data_json or {}).get("amount") == 25
    expect(page).to_have_url(re.compile(r"/paid\?session=cs_test_\d+$"))

    # Enter on Support again closes the form, and the focus stays where the reader is.
    bar.open(bar_page(host, article, comments="off"))
    tab_to(page, bar.support)
    page.keyboard.press("Enter")
    expect(bar.presets.first).to_be_visible()
    page.keyboard.press("Enter")
    expect(bar.support).to_have_attribute("aria-expanded", "false")
    expect(bar.presets).to_have_count(0)
    expect(bar.support).to_be_focused()


def test_the_gift_form_is_fetched_only_when_support_is_pressed(
    page: Page, host: Host, article: str, talkback: Talkback
) -> None:
    """Most readers of the bar never give: its form's code (donate.js) is not part of the
    page's first load, and a press on Support fetches and opens it."""
    talkback.create_campaign()
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    bar = FundingBar(page).open(bar_page(host, article, comments="off"))
    talkback.wait_for_listeners(article, 1, site=FUND_SITE)  # the bar's last step
    assert any(url.endswith("/funding.js") for url in fetched)
    assert not [url for url in fetched if url.endswith("/donate.js")]
    bar.support.click()
    expect(bar.support).to_have_attribute("aria-expanded", "true")
    expect(bar.presets).to_have_count(3)
    assert [url for url in fetched if url.endswith("/donate.js")]


def test_an_ended_campaign_takes_no_gifts_and_a_site_without_one_shows_no_bar(
    page: Page, host: Host, article: str, talkback: Talkback
) -> None:
    talkback.create_campaign("Last winter's appeal", ends_at=clock.now() - timedelta(days=1))
    bar = FundingBar(page).open(bar_page(host, article, comments="off"))
    expect(bar.root.locator(".tb-fund-days")).to_have_text("Ended")
    expect(bar.support).to_be_hidden()
    expect(bar.root.locator(".tb-fund-note")).to_have_text(
        "This campaign is no longer taking gifts. Thank you to everyone who gave."
    )

    # The comment site has never run a campaign: no bar, no error, comments as usual.
    widget = Widget(page).open(host.url(article, site=SITE, campaign="current"))
    expect(widget.heading).to_be_visible()
    expect(bar.meter).to_have_count(0)
    expect(bar.root.locator(".tb-error, .tb-status")).to_have_count(0)


def test_the_demo_article_carries_the_bar_above_the_story(page: Page, talkback: Talkback) -> None:
    talkback.run(prepare_demo(talkback.context, [talkback.url]))
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1100, "height": 900})
    bar = FundingBar(page).open(f"{talkback.url}/")
    expect(bar.support).to_be_visible()
    expect(bar.ticks).not_to_have_count(0)
    bar_box, story_box = (
        bar.root.bounding_box(),
        page.locator("article.story p").nth(3).bounding_box(),
    )
    assert bar_box is not None
    assert story_box is not None
    assert bar_box["y"] < story_box["y"]
    page.screenshot(path=ARTIFACTS / "demo-funding-light.png")
    # The wall of supporters unfolds on request, keeping the bar compact above the story.
    expect(bar.root.locator(".tb-gift").first).to_be_hidden()
    bar.root.get_by_text("Recent supporters").click()
    expect(bar.root.locator(".tb-gift").first).to_be_visible()
    bar.support.click()
    expect(bar.presets.first).to_be_visible()
    page.emulate_media(color_scheme="dark")
    bar.root.scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "demo-funding-dark.png")

    page.set_viewport_size({"width": 360, "height": 780})
    page.emulate_media(color_scheme="light")
    bar.root.scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "demo-funding-phone.png")


def refusal(status: int, problem: dict[str, Any], origin: str) -> Callable[[Route], None]:
    """A route handler answering the checkout as the server refuses one, CORS included."""

    def refuse(route: Route) -> None:
        route.fulfill(
            status=status,
            content_type="application/json",
            headers={"Access-Control-Allow-Origin": origin},
            body=json.dumps({"error": problem}),
        )

    return refuse


def tab_to(page: Page, target: Locator) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would, within a bound."""
    for _ in range(MAX_KEYBOARD_STEPS):
        page.keyboard.press("Tab")
        if target.evaluate("node => node.getRootNode().activeElement === node"):
            return
    raise AssertionError(f"{target} was not reached within {MAX_KEYBOARD_STEPS} Tab presses")


def test_the_gift_form_promises_what_moderation_will_do_with_a_message(
    page: Page, browser: Browser, host: Host, article: str, talkback: Talkback
) -> None:
    """Post-moderation shows a clean message at once; pre-moderation holds every one.
    (A second browser, as another reader: the campaign is cached for a short while.)"""
    talkback.create_campaign()
    bar = FundingBar(page).open(bar_page(host, article, comments="off"))
    bar.support.click()
    hint = bar.root.locator("#tb-gift-hint")
    expect(hint).to_contain_text("Shown under the bar if it passes our checks")
    expect(hint).not_to_contain_text("approved")

    talkback.set_option(FUND_SITE, "moderation_mode", "pre")
    try:
        with browser.new_context() as other:
            later = FundingBar(other.new_page()).open(bar_page(host, article, comments="off"))
            later.support.click()
            expect(later.root.locator("#tb-gift-hint")).to_contain_text(
                "Shown under the bar once a moderator has approved it"
            )
    finally:
        talkback.set_option(FUND_SITE, "moderation_mode", "post")
