"""Quoting a comment into a reply, and folding long comments and long quotes, in Chromium."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from talkback.demo.content import PASTED_ARTICLE
from tests.browser.conftest import Host, Talkback, Widget

# Each test posts it as someone else: the same words twice from one person are a duplicate.
TWO_PARAGRAPHS = "The gates are *steel*, not timber.\n\nAnd the sill is concrete."
LONG_QUOTE = "> " + " ".join(
    f"Line {n} of what the engineer told the committee." for n in range(40)
)


def clipped(part: Locator) -> bool:
    """Whether the element shows less than all of its content (it is folded)."""
    shows_less: bool = part.evaluate("node => node.scrollHeight > node.clientHeight + 1")
    return shows_less


def caret_at_end(box: Locator) -> bool:
    at_end: bool = box.evaluate(
        "node => [node.selectionStart, node.selectionEnd].every(at => at === node.value.length)"
    )
    return at_end


def select_words(body: Locator, words: str) -> None:
    """Select `words` inside a comment's text, as a reader dragging over them would."""
    body.evaluate(
        """(node, words) => {
          const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const at = walker.currentNode.data.indexOf(words);
            if (at < 0) continue;
            const range = document.createRange();
            range.setStart(walker.currentNode, at);
            range.setEnd(walker.currentNode, at + words.length);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
            return;
          }
          throw new Error('words not found');
        }""",
        words,
    )


def test_a_pasted_article_folds_and_opens_from_the_keyboard(
    widget: Widget, host: Host, article: str, talkback: Talkback, page: Page
) -> None:
    long_id = talkback.post(article, PASTED_ARTICLE, author="History Society")
    short_id = talkback.post(article, "Short and to the point.", author="Sam")
    widget.open(host.url(article))

    long_comment = widget.comment(long_id)
    body = long_comment.locator(".tb-body")
    more = long_comment.locator(".tb-body + button")  # its quote has one of its own
    expect(more).to_have_text("Show more")
    expect(more).to_have_attribute("aria-expanded", "false")
    assert clipped(body)
    folded_height = body.bounding_box()["height"]  # type: ignore[index]
    expect(widget.comment(short_id).locator(".tb-unfold")).to_have_count(0)
    assert not clipped(widget.comment(short_id).locator(".tb-body"))

    more.focus()
    page.keyboard.press("Enter")
    expect(more).to_have_text("Show less")
    expect(more).to_have_attribute("aria-expanded", "true")
    expect(more).to_be_focused()
    assert not clipped(body)
    assert body.bounding_box()["height"] > 2 * folded_height  # type: ignore[index]

    page.keyboard.press("Space")
    expect(more).to_have_text("Show more")
    expect(more).to_have_attribute("aria-expanded", "false")
    assert clipped(body)


def test_a_long_quote_folds_on_its_own_inside_a_short_comment(
    widget: Widget, host: Host, article: str, talkback: Talkback
) -> None:
    comment_id = talkback.post(article, f"{LONG_QUOTE}\n\nHe said all that, and then voted no.")
    widget.open(host.url(article))

    comment = widget.comment(comment_id)
    quote = comment.locator(".tb-body blockquote")
    more = comment.get_by_role("button", name="Show more")
    expect(more).to_have_count(1)
    expect(comment.locator(".tb-body .tb-unfold")).to_have_count(1)  # under the quote, in the text
    assert clipped(quote)
    assert not clipped(comment.locator(".tb-body"))
    more.click()
    expect(comment.get_by_role("button", name="Show less")).to_have_attribute(
        "aria-expanded", "true"
    )
    assert not clipped(quote)


def test_a_comment_of_many_short_lines_folds_by_its_height(
    widget: Widget, host: Host, article: str, talkback: Talkback
) -> None:
    lines = "\n".join(f"- point {n}" for n in range(60))  # far under 1,200 characters
    assert len(lines) < 1200
    comment_id = talkback.post(article, lines)
    widget.open(host.url(article))

    comment = widget.comment(comment_id)
    expect(comment.get_by_role("button", name="Show more")).to_be_visible()
    assert clipped(comment.locator(".tb-body"))


def test_tabbing_to_a_link_inside_a_fold_opens_it(
    widget: Widget, host: Host, article: str, talkback: Talkback, page: Page
) -> None:
    text = "A long way round. " * 80 + "Source: [the newsletter](https://example.org/newsletter)"
    comment = widget.comment(talkback.post(article, text))
    widget.open(host.url(article))
    expect(comment.get_by_role("button", name="Show more")).to_be_visible()

    comment.focus()
    page.keyboard.press("Tab")
    expect(comment.get_by_role("link", name="the newsletter")).to_be_focused()
    expect(comment.get_by_role("button", name="Show less")).to_have_attribute(
        "aria-expanded", "true"
    )
    assert not clipped(comment.locator(".tb-body"))


def test_quote_starts_a_reply_with_the_whole_comment_as_a_blockquote(
    widget: Widget, host: Host, article: str, talkback: Talkback, page: Page
) -> None:
    """Its code (quote.js) is not part of a first visit: most readers never quote."""
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    parent = talkback.post(article, TWO_PARAGRAPHS, author="Alun")
    widget.open(host.url(article))
    expect(widget.comment(parent)).to_be_visible()
    assert any(url.endswith("/fold.js") for url in fetched)
    assert not [url for url in fetched if url.endswith("/quote.js")]

    widget.comment(parent).get_by_role("button", name="Quote").click()
    box = widget.root.get_by_label("Your reply to Alun")
    expect(box).to_be_focused()
    expect(box).to_have_value(
        "> The gates are steel, not timber.\n>\n> And the sill is concrete.\n\n"
    )
    assert caret_at_end(box)
    assert [url for url in fetched if url.endswith("/quote.js")]

    box.press_sequentially("Both rust eventually.")
    widget.root.get_by_role("button", name="Post reply").click()
    reply = widget.comment_with("Both rust eventually.")
    expect(reply.locator(".tb-body blockquote p")).to_have_text(
        ["The gates are steel, not timber.", "And the sill is concrete."]
    )


def test_quote_takes_only_the_words_selected_in_that_comment(
    widget: Widget, host: Host, article: str, talkback: Talkback
) -> None:
    first = talkback.post(article, TWO_PARAGRAPHS, author="Bryn")
    second = talkback.post(article, "Timber gates would rot within a decade.", author="Priya")
    widget.open(host.url(article))

    select_words(widget.comment(first).locator(".tb-body"), "not timber")
    widget.comment(first).get_by_role("button", name="Quote").click()
    box = widget.root.get_by_label("Your reply to Bryn")
    expect(box).to_have_value("> not timber\n\n")
    assert caret_at_end(box)

    # Words selected in another comment are not this one's: its whole text is quoted.
    select_words(widget.comment(first).locator(".tb-body"), "sill")
    widget.comment(second).get_by_role("button", name="Quote").click()
    expect(widget.root.get_by_label("Your reply to Priya")).to_have_value(
        "> Timber gates would rot within a decade.\n\n"
    )


def test_quote_adds_to_a_reply_already_begun(
    widget: Widget, host: Host, article: str, talkback: Talkback
) -> None:
    parent = talkback.post(article, TWO_PARAGRAPHS, author="Ceri")
    widget.open(host.url(article))
    comment = widget.comment(parent)

    comment.get_by_role("button", name="Reply").click()
    box = widget.root.get_by_label("Your reply to Ceri")
    box.fill("Two things.")
    select_words(comment.locator(".tb-body"), "And the sill is concrete.")
    comment.get_by_role("button", name="Quote").click()
    expect(box).to_have_value("Two things.\n\n> And the sill is concrete.\n\n")
    expect(comment.get_by_role("button", name="Reply", exact=True)).to_have_attribute(
        "aria-expanded", "true"
    )
    assert caret_at_end(box)


def test_quoting_a_folded_article_quotes_all_of_it_without_the_fold_buttons(
    widget: Widget, host: Host, article: str, talkback: Talkback
) -> None:
    text = f"{PASTED_ARTICLE}\n\n{LONG_QUOTE}"
    comment = widget.comment(talkback.post(article, text, author="History Society"))
    widget.open(host.url(article))
    expect(comment.locator(".tb-body + .tb-unfold")).to_have_text("Show more")
    expect(comment.locator(".tb-body > blockquote:last-of-type + .tb-unfold")).to_have_count(1)

    comment.get_by_role("button", name="Quote").click()
    box = widget.root.get_by_label("Your reply to History Society")
    expect(box).to_be_focused()
    quoted = box.input_value()
    lines = quoted.rstrip("\n").split("\n")
    assert all(line == ">" or line.startswith("> ") for line in lines)
    assert lines[0] == "> " + PASTED_ARTICLE.split("\n")[0]
    assert "> *From the Wendmouth" not in quoted  # as shown, not as written
    assert "> From the Wendmouth & District Historical Society newsletter" in quoted
    assert lines[-1] == LONG_QUOTE
    assert "Show more" not in quoted
    assert len(quoted) > 3000


def test_an_edit_refolds_the_comment(widget: Widget, host: Host, article: str) -> None:
    widget.open(host.url(article))
    widget.post(PASTED_ARTICLE)
    comment = widget.comment(widget.id_of("The Candlemas tide"))
    expect(comment.locator(".tb-body + .tb-unfold")).to_have_text("Show more")

    comment.get_by_role("button", name="Edit").click()
    widget.root.get_by_label("Edit your comment").fill("On reflection, a link will do.")
    widget.root.get_by_role("button", name="Save").click()
    expect(comment.locator(".tb-body")).to_have_text("On reflection, a link will do.")
    expect(comment.locator(".tb-unfold")).to_have_count(0)
    assert not clipped(comment.locator(".tb-body"))

    comment.get_by_role("button", name="Edit").click()
    widget.root.get_by_label("Edit your comment").fill(PASTED_ARTICLE)
    widget.root.get_by_role("button", name="Save").click()
    expect(comment.locator(".tb-body + .tb-unfold")).to_have_text("Show more")
    assert clipped(comment.locator(".tb-body"))
