"""`talkback demo` without Stripe keys: Support on the demo article leads to the local test
checkout page, and paying there records the gift through the same signed webhook code as
Stripe's, so a newcomer watches the bar move, in this tab and live in any other open on
the article. The demo runs here as the CLI runs it: its own app and database, demo
payments on, no Stripe keys, and the article served by the app itself at `/`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from talkback.app import create_app
from talkback.config import Settings
from talkback.demo.content import DEMO_SITE, DEMO_SITE_NAME, DEMO_URI, prepare_demo
from talkback.store.migrate import migrate
from tests.browser.conftest import SECRET_KEY, ServerThread, Talkback
from tests.browser.test_campaign import FundingBar

# What prepare_demo seeds (talkback.demo.funding.SAMPLE_GIFTS), in the site's en_GB.
SEEDED_RAISED = "£1,112"
SEEDED_SUPPORTERS = "12 supporters"
PRESETS = ["£10", "£25", "£50"]
THANKS = "Thank you for your support! Your gift will show in the total in a moment."
CANCELLED = (
    "The payment was cancelled and nothing was charged. You can try again whenever you like."
)
DEMO_NOTICE = "Demo mode: this is a local test checkout. No money moves"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Talkback]:
    """A second app set up as `talkback demo` sets it up (src/talkback/cli/main.py); the
    package's `talkback` app has Stripe keys, so it never shows the test checkout."""
    database = tmp_path_factory.mktemp("demo") / "talkback.db"
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{database}",
        secret_key=SECRET_KEY,
        demo_payments=True,
        # Explicit, so no TALKBACK_STRIPE_* in the environment can turn the demo off.
        stripe_secret_key=None,
        stripe_webhook_secret=None,
    )
    app = create_app(settings, demo=True)
    with ServerThread(app) as server:
        demo = Talkback(server, app)

        async def prepare() -> None:
            await migrate(demo.context.database)
            await prepare_demo(demo.context, [server.url])

        demo.run(prepare())
        yield demo


def checkout_page(demo: Talkback) -> re.Pattern[str]:
    """The local test checkout, on the demo's own origin: the reader never leaves it."""
    return re.compile(rf"^{re.escape(demo.url)}/demo/checkout\?token=[\w.-]+$")


def test_paying_on_the_test_checkout_moves_the_bar_here_and_live_in_another_tab(
    page: Page, demo: Talkback
) -> None:
    """The first gift of this module's fresh demo, so the totals are the seeded ones."""
    article = f"{demo.url}/"
    other = page.context.new_page()
    other_errors: list[str] = []
    other.on("pageerror", lambda error: other_errors.append(str(error)))
    watching = FundingBar(other).open(article)
    expect(watching.raised).to_have_text(SEEDED_RAISED)
    other.evaluate("window.stillTheSamePage = true")
    bar = FundingBar(page).open(article)
    expect(bar.raised).to_have_text(SEEDED_RAISED)
    expect(bar.root.locator(".tb-fund-donors")).to_have_text(SEEDED_SUPPORTERS)
    demo.wait_for_listeners(DEMO_URI, 2, site=DEMO_SITE)

    bar.support.click()
    expect(bar.support).to_have_text(f"Support {DEMO_SITE_NAME}")
    expect(bar.presets).to_have_text(PRESETS)
    bar.presets.nth(1).click()
    expect(bar.presets.nth(1)).to_have_attribute("aria-pressed", "true")
    bar.continue_button.click()

    expect(page).to_have_url(checkout_page(demo))
    expect(page.get_by_test_id("amount")).to_have_text("£25")
    expect(page.get_by_role("note")).to_contain_text(DEMO_NOTICE)
    expect(page.get_by_text("Anonymous gift")).to_be_visible()
    page.get_by_role("button", name="Pay £25 (test)").click()

    # Back on the article, with the gift already counted: the demo's webhook ran in-line.
    expect(bar.root.locator(".tb-thanks")).to_have_text(THANKS)
    expect(page).to_have_url(article)
    expect(bar.raised).to_have_text("£1,137")
    expect(bar.meter).to_have_attribute("aria-valuenow", "1137")
    expect(bar.root.locator(".tb-fund-donors")).to_have_text("13 supporters")

    # The other tab heard the gift over its event stream.
    expect(watching.raised).to_have_text("£1,137")
    expect(watching.meter).to_have_attribute("aria-valuenow", "1137")
    expect(watching.root.locator(".tb-fund-donors")).to_have_text("13 supporters")
    assert other.evaluate("window.stillTheSamePage") is True
    assert other_errors == []


def test_cancelling_the_test_checkout_goes_back_with_nothing_recorded(
    page: Page, demo: Talkback
) -> None:
    """Cancel is a plain link back: nothing is posted, so the total stays as it was."""
    article = f"{demo.url}/"
    bar = FundingBar(page).open(article)
    expect(bar.raised).to_have_text(re.compile(r"^£[\d,]+$"))
    raised, supporters = bar.raised.inner_text(), bar.root.locator(".tb-fund-donors").inner_text()

    bar.support.click()
    bar.presets.nth(2).click()
    bar.continue_button.click()
    expect(page).to_have_url(checkout_page(demo))
    expect(page.get_by_test_id("amount")).to_have_text("£50")
    page.get_by_role("link", name="Cancel and go back").click()

    expect(bar.root.locator(".tb-cancelled")).to_have_text(CANCELLED)
    expect(page).to_have_url(article)
    expect(bar.raised).to_have_text(raised)
    expect(bar.root.locator(".tb-fund-donors")).to_have_text(supporters)


def test_a_paid_test_checkout_opened_again_says_so_and_paying_again_counts_nothing(
    page: Page, demo: Talkback
) -> None:
    """The link in the history (or the back button) must not offer to pay a second time,
    and a second payment sent anyway is the same session: it counts once."""
    article = f"{demo.url}/"
    bar = FundingBar(page).open(article)
    bar.support.click()
    bar.presets.nth(0).click()
    bar.continue_button.click()
    expect(page).to_have_url(checkout_page(demo))
    checkout_url = page.url
    token = page.locator("input[name=token]").input_value()
    page.get_by_role("button", name="Pay £10 (test)").click()
    expect(bar.root.locator(".tb-thanks")).to_have_text(THANKS)
    expect(bar.raised).to_have_text(re.compile(r"^£[\d,]+$"))
    raised, supporters = bar.raised.inner_text(), bar.root.locator(".tb-fund-donors").inner_text()

    page.goto(checkout_url)
    expect(page.get_by_role("status")).to_have_text(re.compile("already been made"))
    expect(page.get_by_role("button", name=re.compile("Pay"))).to_have_count(0)
    again = page.request.post(checkout_url, form={"token": token}, max_redirects=0)
    assert again.status == 303
    page.get_by_role("link", name="Back to the article").click()
    expect(page).to_have_url(article)
    expect(bar.raised).to_have_text(raised)
    expect(bar.root.locator(".tb-fund-donors")).to_have_text(supporters)
