"""Keyboard use, languages, themes and narrow screens."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from talkback import __version__
from tests.browser.conftest import Host, Talkback, Widget

# The focused element, looking through shadow roots, described by its label or text.
FOCUSED = """() => {
  let node = document.activeElement;
  while (node.shadowRoot && node.shadowRoot.activeElement) node = node.shadowRoot.activeElement;
  return node.getAttribute('aria-label') || node.textContent.trim();
}"""
OUTLINE = """() => {
  let node = document.activeElement;
  while (node.shadowRoot && node.shadowRoot.activeElement) node = node.shadowRoot.activeElement;
  return getComputedStyle(node).outlineStyle;
}"""


def test_a_comment_can_be_posted_with_the_keyboard_alone(
    widget: Widget, host: Host, article: str, page: Page
) -> None:
    widget.open(host.url(article))
    stops = []
    for _ in range(10):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUSED))
        if stops[-1] == "Your comment":
            break
    assert stops == [
        "Newest", "Oldest", "Most Voted", "Featured", "Notify of", "Sign in", "Your comment"
    ]  # fmt: skip
    page.keyboard.type("Typed without a mouse")
    page.keyboard.press("Tab")
    page.keyboard.type("Kim")
    page.keyboard.press("Tab")  # email
    page.keyboard.press("Tab")  # "Notify me of replies"
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "Post comment"
    assert page.evaluate(OUTLINE) == "solid", "focus must be visible"
    page.keyboard.press("Enter")

    comment = widget.comment_with("Typed without a mouse")
    expect(comment.locator(".tb-author")).to_have_text("Kim")
    expect(widget.root.locator(".tb-sr[aria-live]")).to_have_text("Your comment was posted.")


def test_german_pages_get_german_words_times_and_plurals(
    widget: Widget, host: Host, article: str, talkback: Talkback, page: Page
) -> None:
    talkback.post(article, "Schon wieder verschoben.", ago=timedelta(hours=3))
    widget.open(host.url(article, lang="de-DE"))
    expect(widget.heading).to_have_text("1 Kommentar")
    expect(widget.root.get_by_role("button", name="Neueste")).to_be_visible()
    expect(widget.root.get_by_role("button", name="Beliebteste")).to_be_visible()
    expect(widget.text).to_have_attribute(
        "placeholder", "Wir freuen uns auf Ihre Meinung \N{EN DASH} schreiben Sie einen Kommentar."
    )
    expect(widget.comments.first.locator("time")).to_have_text("vor 3 Stunden")
    expect(widget.comments.first.get_by_role("button", name="Antworten")).to_be_visible()

    talkback.post(article, "Zweiter Kommentar")
    page.goto(host.url(article, lang="en", locale="de"))  # the container's data-locale wins
    expect(widget.heading).to_have_text("2 Kommentare")


def test_an_unknown_language_falls_back_to_english(
    widget: Widget, host: Host, article: str
) -> None:
    widget.open(host.url(article, lang="xx-invalid-!"))
    expect(widget.heading).to_have_text("0 Comments")


def test_every_catalogue_has_every_string(talkback: Talkback, page: Page) -> None:
    page.goto(f"{talkback.url}/healthz")
    base = f"{talkback.url}/widget/{__version__}/i18n"
    shapes = page.evaluate(
        """async (base) => {
          const shape = (catalogue) => Object.fromEntries(Object.entries(catalogue).map(
            ([key, value]) => [key, typeof value === 'object' ? Object.keys(value).sort() : '']));
          const [en, de] = await Promise.all([import(`${base}/en.js`), import(`${base}/de.js`)]);
          return [shape(en.default), shape(de.default)];
        }""",
        base,
    )
    assert shapes[0] == shapes[1]


def test_dark_mode_follows_the_system_unless_the_page_says_light(
    widget: Widget, host: Host, article: str, page: Page
) -> None:
    def colours() -> dict[str, str]:
        section = widget.root.locator(".tb")
        expect(section).to_be_visible()
        style: dict[str, str] = section.evaluate(
            "node => { const s = getComputedStyle(node);"
            " return {color: s.color, background: s.backgroundColor} }"
        )
        return style

    widget.open(host.url(article))
    assert colours() == {"color": "rgb(29, 33, 39)", "background": "rgba(0, 0, 0, 0)"}
    page.emulate_media(color_scheme="dark")
    assert colours() == {"color": "rgb(232, 234, 238)", "background": "rgb(22, 24, 28)"}
    page.goto(host.url(article, theme="light"))
    assert colours()["color"] == "rgb(29, 33, 39)"


def test_the_page_themes_the_widget_but_cannot_break_it(
    widget: Widget, host: Host, article: str
) -> None:
    css = (
        "#talkback { --tb-accent: #a4161a }"
        " button { background: red !important } h2 { display: none }"
    )
    widget.open(host.url(article, css=css))
    expect(widget.heading).to_be_visible()
    post = widget.root.get_by_role("button", name="Post comment")
    widget.text.focus()
    expect(post).to_have_css("background-color", "rgb(164, 22, 26)")
    newest = widget.root.get_by_role("button", name="Newest")
    expect(newest).to_have_css("background-color", "rgba(0, 0, 0, 0)")


def test_a_deep_thread_fits_a_320_pixel_screen(
    widget: Widget, host: Host, article: str, talkback: Talkback, page: Page
) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    parent = talkback.post(article, "Supercalifragilistic" * 6, author="A very long name indeed")
    for level in range(8):
        parent = talkback.post(article, f"Reply at level {level + 1}", parent_id=parent)
    widget.open(host.url(article))
    expect(widget.comments).to_have_count(9)
    widget.text.focus()
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 320
    for comment in widget.comments.all():
        box = comment.bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 320
        assert box["width"] >= 200, "deep replies keep room to read"
