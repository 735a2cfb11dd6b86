"""The `talkback demo` article page, with its widget, as a newcomer first sees it."""

from __future__ import annotations

from playwright.sync_api import Page, Response, expect

from talkback.demo.content import SAMPLE_COMMENTS, prepare_demo
from tests.browser.conftest import ARTIFACTS, Talkback, Widget


def test_the_demo_article_shows_its_seeded_thread_in_light_and_dark(
    widget: Widget, talkback: Talkback, page: Page
) -> None:
    talkback.run(prepare_demo(talkback.context, [talkback.url]))
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1100, "height": 900})
    widget.open(f"{talkback.url}/")
    expect(widget.heading).to_have_text(f"{len(SAMPLE_COMMENTS)} Comments")
    expect(widget.comments).to_have_count(len(SAMPLE_COMMENTS))
    expect(
        widget.root.locator(".tb-replies .tb-replies .tb-replies [data-comment-id]").first
    ).to_be_visible()
    expect(widget.root.get_by_text("R&J Boatyard").first).to_be_visible()
    page.screenshot(path=ARTIFACTS / "demo-light.png", full_page=True)

    page.emulate_media(color_scheme="dark")
    expect(widget.root.locator(".tb")).to_have_css("color", "rgb(232, 234, 238)")
    page.screenshot(path=ARTIFACTS / "demo-dark.png", full_page=True)

    page.set_viewport_size({"width": 360, "height": 780})
    page.emulate_media(color_scheme="light")
    widget.root.locator(".tb-form textarea").first.focus()
    widget.root.locator(".tb-head").scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "demo-phone.png")


def test_the_demo_page_loads_every_file_it_asks_for_its_icon_included(
    widget: Widget, talkback: Talkback, page: Page
) -> None:
    talkback.run(prepare_demo(talkback.context, [talkback.url]))
    failed: list[str] = []

    def check(response: Response) -> None:
        if response.status >= 400:
            failed.append(f"{response.status} {response.url}")

    page.on("response", check)
    widget.open(f"{talkback.url}/")
    page.wait_for_load_state("networkidle")
    icon = page.locator('head link[rel="icon"]')
    expect(icon).to_have_count(1)
    width, height = icon.evaluate(
        """async (link) => {
          const image = new Image();
          image.src = link.href;
          await image.decode();
          return [image.naturalWidth, image.naturalHeight];
        }"""
    )
    assert width > 0
    assert height > 0
    # Browsers and tools that ignore the link ask for /favicon.ico.
    fallback = page.request.get(f"{talkback.url}/favicon.ico")
    assert fallback.status == 200
    assert fallback.headers["content-type"].startswith("image/")
    assert failed == []
