"""Inline feedback in Chromium: readers select a passage of a marked article, comment on it,
and the feedback stays on those words (or says the passage changed) as the article is edited.

The article (conftest.ARTICLES) has paragraphs, an <em>, a link and a publisher's question;
`article=<version>` serves an edited version of it on a later load, on the same thread.
Highlights are read from the page's CSS highlight registry, which is what the reader sees
painted; markers, the "Comment on this" button and the popover from the layer's shadow root.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, Request, expect

from talkback.comments.posting import CommentDraft, post_comment
from talkback.comments.views import PassageAnchor
from talkback.core.identity import hash_ip
from talkback.core.uris import normalise_uri
from talkback.moderation.editorial import set_thread_closing
from talkback.readers.tokens import Reader
from talkback.staff.accounts import create_staff
from tests.browser.conftest import (
    CHROMIUM_ARGS,
    HELD_SITE,
    SECRET_KEY,
    SITE,
    Host,
    Talkback,
    Widget,
)

PASSAGE = "would take six months and cost the town very little"
CHANGED = "On a passage that has changed since."
QUESTION = "Was a second review the right call?"
HELD = "Thank you! Your comment is awaiting moderation and will appear once approved."

# The text of every range in a highlight, in the registry's order.
HIGHLIGHTED = """name => {
  const highlight = CSS.highlights.get(name);
  return highlight ? [...highlight].map(range => range.toString()) : [];
}"""

# Select `exact` inside the element matched by `selector`, as a reader's finished selection
# would leave it (touch handles and caret browsing end the same way).
SELECT = """([selector, exact, collapsed]) => {
  const root = document.querySelector(selector);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let text = '';
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    nodes.push([node, text.length]);
    text += node.data;
  }
  const at = text.indexOf(exact);
  if (at < 0) throw new Error(`no "${exact}" in ${selector}`);
  const point = offset => {
    const [node, start] = nodes.filter(([n, s]) => s <= offset).pop();
    return [node, offset - start];
  };
  const range = document.createRange();
  range.setStart(...point(at));
  range.setEnd(...point(at + exact.length));
  if (collapsed) range.collapse(true);
  const selection = document.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}"""

# Where `exact` is laid out: its first and last character boxes (for a mouse drag).
BOXES = """([selector, exact]) => {
  const root = document.querySelector(selector);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let text = '';
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    nodes.push([node, text.length]);
    text += node.data;
  }
  const at = text.indexOf(exact);
  const box = offset => {
    const [node, start] = nodes.filter(([n, s]) => s <= offset).pop();
    const range = document.createRange();
    range.setStart(node, offset - start);
    range.setEnd(node, offset - start + 1);
    const rect = range.getBoundingClientRect();
    return {left: rect.left, right: rect.right, y: rect.top + rect.height / 2};
  };
  return [box(at), box(at + exact.length - 1)];
}"""


# The article's text as the brief defines it, for this article (no script, style or hidden parts).
ARTICLE_TEXT = """() => {
  const copy = document.querySelector('[data-talkback-article]').cloneNode(true);
  copy.querySelectorAll('noscript').forEach(node => node.remove());
  return copy.textContent;
}"""


class Article:
    """The marked article of one open page and what inline feedback draws on it."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.layer = page.locator("talkback-inline")
        self.pin = self.layer.get_by_role("button", name="Comment on this")
        self.popover = self.layer.get_by_role("dialog")
        self.markers = self.layer.locator(".tb-mark")

    def highlighted(self, name: str = "talkback-passage") -> list[str]:
        ranges: list[str] = self.page.evaluate(HIGHLIGHTED, name)
        return sorted(ranges)

    def expect_highlighted(self, *passages: str) -> None:
        self.page.wait_for_function(
            f"names => JSON.stringify(({HIGHLIGHTED})('talkback-passage').sort())"
            " === JSON.stringify(names)",
            arg=sorted(passages),
        )

    def select(self, exact: str, selector: str = "[data-talkback-article]") -> None:
        self.page.evaluate(SELECT, [selector, exact, False])

    def drag_over(self, exact: str, selector: str = "[data-talkback-article]") -> None:
        """Select `exact` with the mouse, from its first character to its last."""
        first, last = self.page.evaluate(BOXES, [selector, exact])
        self.page.mouse.move(first["left"] + 1, first["y"])
        self.page.mouse.down()
        self.page.mouse.move((first["left"] + last["right"]) / 2, last["y"], steps=4)
        self.page.mouse.move(last["right"] - 1, last["y"], steps=2)
        self.page.mouse.up()

    def marker(self, name: str) -> Locator:
        return (
            self.markers.filter(has_text=name)
            if name.isdigit()
            else self.layer.get_by_role("button", name=name)
        )

    def comment(self, text: str, name: str | None = None) -> Request:
        """Press "Comment on this" for the current selection and post `text`; returns the POST."""
        expect(self.pin).to_be_visible()
        self.pin.click()
        return self.post_in_popover(text, name)

    def post_in_popover(self, text: str, name: str | None = None) -> Request:
        expect(self.popover).to_be_visible()
        self.popover.locator("textarea").last.fill(text)
        if name is not None:
            self.popover.get_by_label("Name").last.fill(name)
        with self.page.expect_request(
            lambda r: r.method == "POST" and "/comments" in r.url
        ) as posted:
            self.popover.get_by_role("button", name="Post").last.click()
        return posted.value


def anchor_of(request: Request) -> dict[str, Any]:
    body = json.loads(request.post_data or "{}")
    anchor: dict[str, Any] = body["anchor"]
    return anchor


@pytest.fixture
def article_page(page: Page) -> Article:
    return Article(page)


def open_article(
    widget: Widget, host: Host, path: str, version: str = "base", **query: str
) -> None:
    widget.open(host.url(path, article=version, **query))
    expect(widget.page.locator("talkback-inline")).to_be_attached()


def test_select_comment_and_the_passage_is_highlighted_after_a_reload(
    widget: Widget, host: Host, article: str, article_page: Article, page: Page
) -> None:
    open_article(widget, host, article)
    article_page.drag_over(PASSAGE)
    posted = article_page.comment("Six months sounds optimistic.", name="Ada")

    anchor = anchor_of(posted)
    text = page.evaluate(ARTICLE_TEXT)
    assert anchor["exact"] == PASSAGE
    assert text[anchor["start"] : anchor["end"]] == PASSAGE
    assert anchor["prefix"] == text[anchor["start"] - 32 : anchor["start"]]
    assert anchor["suffix"] == text[anchor["end"] : anchor["end"] + 32]
    assert len(anchor["text_hash"]) == 64
    # Shown at once, in the popover and in the thread with its quote.
    expect(article_page.popover.locator(".tb-body")).to_have_text("Six months sounds optimistic.")
    expect(
        widget.comment_with("Six months sounds optimistic.").locator(".tb-quoted")
    ).to_contain_text(PASSAGE)

    page.reload()
    article_page.expect_highlighted(PASSAGE)
    marker = article_page.marker("1")
    expect(marker).to_have_attribute("aria-label", f"1 comment on “{PASSAGE[:60].rstrip()}”")
    marker.click()
    expect(article_page.popover.locator(".tb-body")).to_have_text("Six months sounds optimistic.")
    marker.click()  # a second press closes it
    expect(article_page.popover).to_have_count(0)
    # The quote in the thread leads back to the passage.
    widget.comment_with("Six months sounds optimistic.").get_by_role(
        "button", name="Show in the article"
    ).click()
    expect(marker).to_be_in_viewport()
    expect(article_page.popover.locator(".tb-body")).to_have_text("Six months sounds optimistic.")


def give_feedback(
    widget: Widget, host: Host, path: str, article_page: Article, exact: str, text: str
) -> None:
    """Feedback on `exact` of the unedited article, through the widget."""
    open_article(widget, host, path)
    article_page.select(exact)
    article_page.comment(text)
    expect(widget.comment_with(text)).to_be_visible()


@pytest.mark.parametrize(
    ("version", "paragraph"),
    [("base", "#p4"), ("before", "#p4"), ("moved", "#p1")],
)
def test_feedback_follows_its_words_when_the_article_is_edited(
    widget: Widget,
    host: Host,
    article: str,
    article_page: Article,
    page: Page,
    version: str,
    paragraph: str,
) -> None:
    remark = f"Too hopeful ({version})."  # the same words twice would be refused as a duplicate
    give_feedback(widget, host, article, article_page, PASSAGE, remark)
    located: list[Request] = []
    page.on("request", lambda r: located.append(r) if "/inline/locate" in r.url else None)

    open_article(widget, host, article, version)
    article_page.expect_highlighted(PASSAGE)
    in_paragraph = page.evaluate(
        """([name, selector]) => [...CSS.highlights.get(name)].every(
             range => document.querySelector(selector).contains(range.commonAncestorContainer))""",
        ["talkback-passage", paragraph],
    )
    assert in_paragraph
    expect(article_page.marker("1")).to_be_visible()
    expect(widget.comment_with(remark).locator(".tb-changed")).to_be_hidden()
    # Only where the words are no longer at the anchor's offsets is the server asked.
    assert bool(located) == (version != "base")


def test_feedback_on_words_edited_inside_is_highlighted_on_the_new_words_or_marked_changed(
    widget: Widget, host: Host, article: str, article_page: Article, page: Page
) -> None:
    give_feedback(widget, host, article, article_page, PASSAGE, "Cheap, really?")
    open_article(widget, host, article, "inside")
    edited = PASSAGE.replace("six months", "six long months")
    comment = widget.comment_with("Cheap, really?")
    page.wait_for_function(
        f"() => ({HIGHLIGHTED})('talkback-passage').length"
        " || document.querySelector('talkback-inline').shadowRoot.querySelector('.tb-lost')"
    )
    highlighted = article_page.highlighted()
    if highlighted:  # found again, approximately: on the edited words, never on others
        assert highlighted == [edited]
        expect(comment.locator(".tb-changed")).to_be_hidden()
    else:
        expect(comment.locator(".tb-changed")).to_have_text(CHANGED)


def test_feedback_on_a_deleted_passage_is_kept_and_marked_changed(
    widget: Widget, host: Host, article: str, article_page: Article, page: Page
) -> None:
    give_feedback(widget, host, article, article_page, PASSAGE, "Who pays?")
    open_article(widget, host, article, "deleted")
    comment = widget.comment_with("Who pays?")
    expect(comment.locator(".tb-changed")).to_have_text(CHANGED)
    expect(comment.locator(".tb-quoted")).to_contain_text(PASSAGE)
    expect(comment.get_by_role("button", name="Show in the article")).to_be_hidden()
    assert article_page.highlighted() == []
    lost = article_page.marker("1 comment on a passage that has changed")
    lost.click()
    expect(article_page.popover.locator(".tb-quoted")).to_have_text(PASSAGE)
    expect(article_page.popover.locator(".tb-changed")).to_have_text(CHANGED)
    expect(article_page.popover.locator(".tb-body")).to_have_text("Who pays?")
    expect(article_page.popover.locator("textarea")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(article_page.popover).to_have_count(0)
    expect(lost).to_be_focused()


def test_passages_crossing_an_em_and_a_link_are_highlighted_whole_and_the_link_still_works(
    widget: Widget, host: Host, article: str, article_page: Article, page: Page
) -> None:
    across_em = "warned that the old embankment could"
    across_link = "flood, citing the state flood report"
    give_feedback(widget, host, article, article_page, across_em, "The embankment is new.")
    article_page.select(across_link)
    article_page.comment("Which report?")
    expect(widget.comment_with("Which report?")).to_be_visible()

    page.reload()
    article_page.expect_highlighted(across_em, across_link)
    expect(article_page.markers.filter(has_text="1")).to_have_count(2)
    # A click on highlighted text opens its feedback; a click on the link follows it.
    page.locator("#p2 em").click()
    expect(article_page.popover.locator(".tb-body")).to_have_text("The embankment is new.")
    page.locator("#report").click()
    page.wait_for_url("**/flood-report")


def test_two_overlapping_passages_both_work(
    widget: Widget, host: Host, article: str, article_page: Article, page: Page
) -> None:
    first = "voted seven to five on Tuesday"
    second = "on Tuesday for a second review"
    give_feedback(widget, host, article, article_page, first, "Close vote.")
    article_page.select(second)
    article_page.comment("A second one?")
    expect(widget.comment_with("A second one?")).to_be_visible()

    page.reload()
    article_page.expect_highlighted(first, second)
    labels = [f"1 comment on “{first}”", f"1 comment on “{second}”"]
    for label, remark in zip(labels, ["Close vote.", "A second one?"], strict=True):
        article_page.marker(label).click()
        expect(article_page.popover.locator(".tb-body")).to_have_text(remark)
        page.keyboard.press("Escape")
        expect(article_page.popover).to_have_count(0)
    # A click where they overlap lists both.
    page.get_by_text("on Tuesday", exact=False).first.click(
        position=page.evaluate(OVERLAP_POINT, "on Tuesday")
    )
    expect(article_page.popover.locator(".tb-body")).to_have_text(["Close vote.", "A second one?"])


# Where `words` are, relative to the element holding them (for a click on exactly them).
OVERLAP_POINT = """words => {
  const node = [...document.querySelectorAll('#p1')][0].firstChild;
  const at = node.data.indexOf(words);
  const range = document.createRange();
  range.setStart(node, at);
  range.setEnd(node, at + words.length);
  const rect = range.getBoundingClientRect();
  const box = node.parentElement.getBoundingClientRect();
  return {x: rect.left - box.left + rect.width / 2, y: rect.top - box.top + rect.height / 2};
}"""


@pytest.fixture
def caret_page(launch_browser: Callable[..., Browser]) -> Iterator[Page]:
    """A page in a Chromium with caret browsing on (F7 in a desktop Chromium), the way a
    keyboard reader selects text in a page that is not editable."""
    browser = launch_browser(args=[*CHROMIUM_ARGS, "--enable-caret-browsing"])
    try:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page
        assert errors == []
    finally:
        browser.close()


def test_keyboard_only_creation(host: Host, article: str, caret_page: Page) -> None:
    page = caret_page
    widget = Widget(page)
    article_page = Article(page)
    open_article(widget, host, article)
    words = "second review of the river barrier"
    # The caret before the words (where the arrow keys would bring it), then Shift+arrows.
    page.evaluate(SELECT, ["#p1", words, True])
    for _ in words:
        page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate("getSelection().toString()") == words
    expect(article_page.pin).to_be_visible()
    page.keyboard.press("Tab")
    expect(article_page.pin).to_be_focused()
    page.keyboard.press("Enter")
    form_text = article_page.popover.locator("textarea")
    expect(form_text).to_be_focused()
    page.keyboard.type("Reviews cost money too.")
    with page.expect_request(lambda r: r.method == "POST" and "/comments" in r.url) as posted:
        page.keyboard.press("Control+Enter")
    assert anchor_of(posted.value)["exact"] == words
    expect(article_page.popover.locator(".tb-body")).to_have_text("Reviews cost money too.")
    article_page.expect_highlighted(words)
    marker = article_page.marker(f"1 comment on “{words}”")
    expect(marker).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(article_page.popover).to_have_count(0)
    expect(marker).to_be_focused()  # the new passage's marker, where the form came from

    # The markers follow the article in the Tab order and open with Enter.
    page.locator("#report").focus()
    page.keyboard.press("Tab")
    expect(marker).to_be_focused()
    page.keyboard.press("Enter")
    expect(article_page.popover.locator(".tb-body")).to_have_text("Reviews cost money too.")
    page.keyboard.press("Escape")
    expect(marker).to_be_focused()


def test_touch_creation(browser: Browser, host: Host, article: str) -> None:
    context = browser.new_context(
        has_touch=True, is_mobile=True, viewport={"width": 390, "height": 800}
    )
    try:
        page = context.new_page()
        widget = Widget(page)
        article_page = Article(page)
        open_article(widget, host, article)
        page.locator("#p4").tap()
        # A long press selects a word, and the handles drag it over the passage.
        article_page.select(PASSAGE)
        expect(article_page.pin).to_be_visible()
        article_page.pin.tap()
        article_page.popover.locator("textarea").fill("From my phone.")
        article_page.popover.get_by_role("button", name="Post feedback").tap()
        expect(article_page.popover.locator(".tb-body")).to_have_text("From my phone.")
        article_page.expect_highlighted(PASSAGE)
        expect(widget.comment_with("From my phone.").locator(".tb-quoted")).to_contain_text(PASSAGE)
    finally:
        context.close()


def test_a_publisher_question_invites_answers_with_their_own_form(
    widget: Widget, host: Host, article: str, article_page: Article, page: Page
) -> None:
    open_article(widget, host, article)
    expect(page.locator("talkback-inline")).to_be_attached()
    page.wait_for_function(f"() => ({HIGHLIGHTED})('talkback-question').length === 1")
    assert article_page.highlighted("talkback-question") == ["twelve years for a decision"]
    marker = article_page.marker(f"{QUESTION} (0 answers)")
    expect(marker).to_have_text("Your view?")
    marker.click()
    expect(article_page.popover.get_by_role("heading")).to_have_text("The editors ask")
    expect(article_page.popover.locator(".tb-question")).to_have_text(QUESTION)
    expect(article_page.popover.locator("textarea")).to_have_attribute("placeholder", QUESTION)
    posted = article_page.post_in_popover("Yes, it was.")
    anchor = anchor_of(posted)
    assert anchor["question"] == QUESTION
    assert anchor["exact"] == "twelve years for a decision"
    expect(article_page.popover.locator(".tb-body")).to_have_text("Yes, it was.")
    expect(article_page.marker(f"{QUESTION} (1 answer)")).to_have_text("1 answer")

    page.reload()
    comment = widget.comment_with("Yes, it was.")
    expect(comment.locator(".tb-question")).to_contain_text(QUESTION)
    expect(comment.locator(".tb-quoted")).to_contain_text("twelve years for a decision")
    page.locator("[data-talkback-question]").click()
    expect(article_page.popover.locator(".tb-body")).to_have_text("Yes, it was.")


def test_the_inline_feedbacks_tab_shows_only_feedback_in_the_current_sort(
    widget: Widget, host: Host, article: str, talkback: Talkback, article_page: Article, page: Page
) -> None:
    talkback.post(article, "An ordinary comment")
    give_feedback(widget, host, article, article_page, PASSAGE, "On the passage.")
    tab = widget.root.get_by_role("button", name="Inline Feedbacks")
    with page.expect_request(lambda r: "filter=inline" in r.url) as asked:
        tab.click()
    assert "sort=newest" in asked.value.url
    expect(tab).to_have_attribute("aria-pressed", "true")
    expect(widget.top_level).to_have_count(1)
    expect(widget.comment_with("On the passage.").locator(".tb-quoted")).to_contain_text(PASSAGE)
    with page.expect_request(lambda r: "filter=inline" in r.url) as asked:
        widget.root.get_by_role("button", name="Oldest").click()
    assert "sort=oldest" in asked.value.url
    expect(widget.top_level).to_have_count(1)
    tab.click()
    expect(tab).to_have_attribute("aria-pressed", "false")
    expect(widget.top_level).to_have_count(2)


def test_a_page_without_an_article_does_not_load_inline_feedback(
    widget: Widget, host: Host, article: str, page: Page
) -> None:
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    widget.open(host.url(article))
    expect(widget.root.get_by_role("button", name="Newest")).to_be_visible()
    assert not [
        url for url in fetched if "/inline" in url or url.endswith(("inline.js", "article.js"))
    ]
    expect(widget.root.get_by_role("button", name="Inline Feedbacks")).to_have_count(0)
    expect(page.locator("talkback-inline")).to_have_count(0)


# Keeps the article's text nodes as parsed, before any script of ours runs.
REMEMBER_TEXT_NODES = """document.addEventListener('DOMContentLoaded', () => {
  window.textNodes = [];
  const root = document.querySelector('[data-talkback-article]');
  if (!root) return;
  const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) textNodes.push([walk.currentNode, walk.currentNode.data]);
})"""

# Aggressive page rules a publisher's theme might carry.
ROUGH_CSS = (
    "button, span { display: inline !important; font-size: 40px !important; color: red !important;"
    " background: lime !important; position: static !important; }"
    " * { letter-spacing: 3px; }"
)

# What the page's own elements look like: every element of the article, computed.
LOOKS = """() => [...document.querySelectorAll('article, article *')].map(node => {
  const style = getComputedStyle(node);
  const box = node.getBoundingClientRect();
  return [node.tagName, style.color, style.backgroundColor, style.fontSize, style.display,
          style.textDecorationLine, style.position, Math.round(box.width),
          Math.round(box.height)].join(' ');
})"""


def test_the_publishers_markup_and_styles_are_untouched_and_ours_hold_against_its_rules(
    widget: Widget, host: Host, article: str, article_page: Article, page: Page
) -> None:
    give_feedback(widget, host, article, article_page, "the state flood report from", "Old report.")

    page.goto(host.url(article, article="base", css=ROUGH_CSS, embed="off"))
    markup = page.locator("[data-talkback-article]").inner_html()
    looks = page.evaluate(LOOKS)

    page.add_init_script(REMEMBER_TEXT_NODES)
    open_article(widget, host, article, css=ROUGH_CSS)
    article_page.expect_highlighted("the state flood report from")
    assert page.locator("[data-talkback-article]").inner_html() == markup
    assert page.evaluate(
        "() => textNodes.every(([node, data]) => node.isConnected && node.data === data)"
        " && textNodes.length === document.evaluate('count(//article//text())', document,"
        " null, XPathResult.NUMBER_TYPE).numberValue"
    )
    assert page.evaluate(LOOKS) == looks

    # Our marker and button keep their own look under the page's rules.
    marker = article_page.marker("1")
    box = marker.bounding_box()
    assert box is not None
    assert box["height"] < 30
    assert marker.evaluate("node => getComputedStyle(node).color") != "rgb(255, 0, 0)"
    article_page.select("Councillors voted")
    expect(article_page.pin).to_be_visible()
    assert article_page.pin.evaluate("node => getComputedStyle(node).fontSize") == "13px"
    # The link inside the highlighted passage still goes where the publisher meant.
    page.keyboard.press("Escape")
    page.locator("#report").click()
    page.wait_for_url("**/flood-report")


def post_feedback(
    talkback: Talkback, path: str, anchor: PassageAnchor, text: str, who: str
) -> None:
    """Feedback posted by another reader, through the public service (live to open pages)."""

    async def post() -> None:
        ctx = talkback.context
        await post_comment(
            ctx,
            await ctx.sites.get(SITE),
            normalise_uri(path),
            CommentDraft(text=text, author_name=who, anchor=anchor),
            Reader(ip_hash=hash_ip(f"inline-{who}", SECRET_KEY)),
        )

    talkback.run(post())


def test_live_feedback_from_others_updates_highlights_and_counts(
    widget: Widget, host: Host, article: str, talkback: Talkback, article_page: Article, page: Page
) -> None:
    open_article(widget, host, article)
    talkback.wait_for_listeners(article, 1)
    text: str = page.evaluate(ARTICLE_TEXT)
    exact = "in a spring flood"
    start = text.index(exact)
    end = start + len(exact)
    anchor: PassageAnchor = {
        "exact": exact, "prefix": text[start - 32 : start], "suffix": text[end : end + 32],
        "start": start, "end": end,
    }  # fmt: skip
    post_feedback(talkback, article, anchor, "Springs are wetter now.", "Mo")
    article_page.expect_highlighted(exact)
    expect(article_page.marker(f"1 comment on “{exact}”")).to_have_text("1")
    post_feedback(talkback, article, anchor, "Not only in spring.", "Jo")
    expect(article_page.marker(f"2 comments on “{exact}”")).to_have_text("2")


def test_held_feedback_says_so_in_the_popover(
    widget: Widget, host: Host, article: str, article_page: Article
) -> None:
    open_article(widget, host, article, site=HELD_SITE)
    article_page.select("the lower town")
    article_page.comment("Held, I expect.")
    expect(article_page.popover.locator(".tb-notice")).to_have_text(HELD)
    expect(article_page.popover.locator(".tb-body")).to_have_count(0)
    assert article_page.highlighted() == []


def test_without_the_highlight_api_markers_still_lead_to_the_feedback(
    widget: Widget, host: Host, article: str, article_page: Article, page: Page
) -> None:
    give_feedback(widget, host, article, article_page, "old embankment", "Markers only.")
    page.add_init_script("delete window.Highlight")
    page.reload()
    marker = article_page.marker("1 comment on “old embankment”")
    marker.click()
    expect(article_page.popover.locator(".tb-body")).to_have_text("Markers only.")
    assert page.evaluate("CSS.highlights.size") == 0


def test_feedback_in_the_popover_takes_replies_and_votes_as_in_the_thread(
    widget: Widget, host: Host, article: str, talkback: Talkback, article_page: Article, page: Page
) -> None:
    open_article(widget, host, article)
    talkback.wait_for_listeners(article, 1)
    text: str = page.evaluate(ARTICLE_TEXT)
    exact = "the river barrier"
    start = text.index(exact)
    anchor: PassageAnchor = {
        "exact": exact, "prefix": text[max(0, start - 32) : start],
        "suffix": text[start + len(exact) : start + len(exact) + 32],
        "start": start, "end": start + len(exact),
    }  # fmt: skip
    post_feedback(talkback, article, anchor, "Barriers work.", "Lu")
    article_page.marker(f"1 comment on “{exact}”").click()
    feedback = article_page.popover.locator("[data-comment-id]")
    expect(feedback.locator(".tb-body")).to_have_text("Barriers work.")
    up = feedback.get_by_role("button", name="Upvote")
    up.click()
    expect(up).to_have_attribute("aria-pressed", "true")
    feedback.get_by_role("button", name="Reply").click()
    article_page.popover.get_by_role("textbox", name="Your reply to Lu").fill("Not this one.")
    article_page.popover.get_by_role("button", name="Post reply").click()
    expect(article_page.popover.locator(".tb-replies .tb-body")).to_have_text("Not this one.")
    page.reload()  # the section shows both, the reply under the feedback
    expect(widget.comment_with("Not this one.")).to_be_visible()
    thread_up = widget.comment_with("Barriers work.").get_by_role("button", name="Upvote")
    expect(thread_up).to_have_attribute("aria-pressed", "true")


def test_a_closed_thread_shows_its_feedback_but_takes_no_more(
    widget: Widget, host: Host, article: str, article_page: Article, page: Page, talkback: Talkback
) -> None:
    give_feedback(widget, host, article, article_page, PASSAGE, "Before the verdict.")

    async def close_thread() -> None:
        ctx = talkback.context
        desk = await create_staff(ctx.database, "desk@news.example", "a long password", "moderator")
        site = await ctx.sites.get(SITE)
        await set_thread_closing(ctx, site, normalise_uri(article), desk, override="closed")

    talkback.run(close_thread())
    page.reload()
    article_page.expect_highlighted(PASSAGE)
    article_page.marker("1").click()
    expect(article_page.popover.locator(".tb-body")).to_have_text("Before the verdict.")
    expect(article_page.popover.locator("textarea")).to_have_count(0)
    page.keyboard.press("Escape")
    article_page.select("Councillors")
    # The button follows a selection after a 60 ms pause (inline_layer.js): give it that
    # many times over before saying it did not come.
    page.wait_for_timeout(600)
    expect(article_page.pin).to_be_hidden()
