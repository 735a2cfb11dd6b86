"""The policies do not break the pages they guard: Chromium opens each page of `talkback
demo` (a real process) and reports no Content-Security-Policy violation, while the widget
draws its thread, the docs draw the API, and the admin draws its queue. (Here rather than
in tests/web: Playwright's sync API needs its own pytest process.)"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from talkback.demo.stories import MORE_STORIES
from tests.web.demo_server import DemoServer, demo_server

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


@pytest.fixture
def watched(browser: Browser) -> Iterator[Page]:
    """A page in a fresh context; any policy violation on it fails the test."""
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


def test_the_demo_article_draws_its_widget_under_its_policy(
    demo: DemoServer, watched: Page
) -> None:
    watched.goto(demo.url + "/")
    widget = watched.locator("#talkback")
    expect(widget.locator(".tb-form textarea").first).to_be_visible(timeout=30_000)
    expect(widget.locator(".tb-count")).to_be_visible()
    # The widget's stylesheet applied: its own rules, not the browser's defaults.
    expect(widget.locator(".tb")).not_to_have_css("font-family", "Times New Roman")


def test_a_story_page_draws_its_widget_under_its_policy(demo: DemoServer, watched: Page) -> None:
    watched.goto(demo.url + MORE_STORIES[0].path)
    expect(watched.locator("#talkback .tb-form textarea").first).to_be_visible(timeout=30_000)


def test_the_api_docs_draw_under_their_policy(demo: DemoServer, watched: Page) -> None:
    watched.goto(demo.url + "/docs")
    expect(watched.locator(".swagger-ui .opblock").first).to_be_visible(timeout=30_000)


def test_the_admin_draws_its_queue_under_its_policy(demo: DemoServer, watched: Page) -> None:
    watched.goto(demo.url + "/admin/login")
    watched.get_by_label("Email").fill(demo.admin_email)
    watched.get_by_label("Password").fill(demo.admin_password)
    watched.get_by_role("button", name="Sign in").click()
    expect(watched).to_have_url(f"{demo.url}/admin/demo/queue")


def test_the_mailbox_draws_under_its_policy(demo: DemoServer, watched: Page) -> None:
    watched.goto(demo.url + "/demo/mailbox")
    expect(watched.locator("h1").first).to_be_visible()


def test_the_checkout_pays_and_returns_under_its_policy(demo: DemoServer, watched: Page) -> None:
    """Paying posts the form and is redirected back to the reader's page, here on another
    origin (the demo under `localhost`, the checkout under 127.0.0.1) as a publisher's
    article would be: form-action allows both."""
    back = f"http://localhost:{demo.port}/?paid=1"
    with httpx.Client(base_url=demo.url, headers={"Origin": demo.url}, timeout=30) as client:
        me = client.get("/api/v1/demo/me", params={"uri": "/"}).json()
        started = client.post(
            "/api/v1/demo/campaigns/current/checkout",
            json={"amount": "10", "currency": "GBP", "return_url": back},
            headers={"X-Talkback-Reader": me["reader_token"]},
        )
    assert started.status_code == 201, started.text
    watched.goto(started.json()["url"])
    watched.get_by_role("button", name=re.compile("^Pay ")).click()
    expect(watched).to_have_url(back)
