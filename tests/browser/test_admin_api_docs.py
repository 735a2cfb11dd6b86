"""The API docs at /docs, as a developer on a network without internet would open them:
every file comes from the Talkback host, and the operations render."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import ARTIFACTS, Talkback


def test_the_api_docs_render_from_the_talkback_host_alone(page: Page, talkback: Talkback) -> None:
    elsewhere: list[str] = []

    def only_talkback(route: Route) -> None:
        """Anything not on the Talkback host is refused, as it would be offline."""
        url = route.request.url
        if url.startswith(f"{talkback.url}/") or urlsplit(url).scheme in ("data", "blob"):
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    page.route("**/*", only_talkback)
    page.goto(f"{talkback.url}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Talkback")
    comments = page.locator(".opblock", has_text="/api/v1/{site}/comments").first
    expect(comments).to_be_visible()
    comments.locator(".opblock-summary").click()
    expect(page.get_by_role("button", name="Try it out").first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "api-docs.png")
    assert elsewhere == []
