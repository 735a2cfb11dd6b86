"""The policies do not break the pages they guard: Chromium opens each page of `talkback
demo` (a real process) and reports no Content-Security-Policy violation, while the widget
draws its thread, the docs draw the API, and the admin draws its queue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from talkback.demo.stories import MORE_STORIES
from tests.conftest import skip_or_fail
from tests.web.demo_server import DemoServer, demo_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__violations.push(`${event.effectiveDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    with demo_server(tmp_path_factory.mktemp("chromium") / "data") as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        skip_or_fail("Chromium is not installed at /usr/bin/chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    opened = context.new_page()
    console: list[str] = []
    opened.on("console", lambda message: console.append(message.text))
    yield opened
    violations = opened.evaluate("window.__violations")
    refused = [line for line in console if "Content Security Policy" in line]
    context.close()
    assert violations == [], violations
    assert refused == [], refused


def test_the_demo_article_draws_its_widget_under_its_policy(demo: DemoServer, page: Page) -> None:
    page.goto(demo.url + "/")
    widget = page.locator("#talkback")
    expect(widget.locator(".tb-form textarea").first).to_be_visible(timeout=30_000)
    expect(widget.locator(".tb-count")).to_be_visible()
    # The widget's stylesheet applied: its own rules, not the browser's defaults.
    expect(widget.locator(".tb")).not_to_have_css("font-family", "Times New Roman")


def test_a_story_page_draws_its_widget_under_its_policy(demo: DemoServer, page: Page) -> None:
    page.goto(demo.url + MORE_STORIES[0].path)
    expect(page.locator("#talkback .tb-form textarea").first).to_be_visible(timeout=30_000)


def test_the_api_docs_draw_under_their_policy(demo: DemoServer, page: Page) -> None:
    page.goto(demo.url + "/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible(timeout=30_000)


def test_the_admin_draws_its_queue_under_its_policy(demo: DemoServer, page: Page) -> None:
    page.goto(demo.url + "/admin/login")
    page.get_by_label("Email").fill(demo.admin_email)
    page.get_by_label("Password").fill(demo.admin_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{demo.url}/admin/demo/queue")


def test_the_mailbox_draws_under_its_policy(demo: DemoServer, page: Page) -> None:
    page.goto(demo.url + "/demo/mailbox")
    expect(page.locator("h1").first).to_be_visible()
