"""Live updates between two readers of the same article, over Server-Sent Events."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Host, Talkback, Widget


@pytest.fixture
def other_reader(browser: Browser) -> Iterator[Widget]:
    """A second reader with a browser profile of their own."""
    context = browser.new_context()
    yield Widget(context.new_page())
    context.close()


def test_new_comments_wait_behind_a_bubble(
    widget: Widget, other_reader: Widget, host: Host, article: str, talkback: Talkback
) -> None:
    widget.open(host.url(article))
    other_reader.open(host.url(article))
    talkback.wait_for_listeners(article, 2)

    widget.post("Live from the gallery")
    expect(widget.comment_with("Live from the gallery")).to_be_visible()
    expect(widget.root.locator(".tb-bubble")).to_be_hidden()  # one's own comment shows at once

    bubble = other_reader.root.get_by_role("button", name="1 new comment")
    expect(bubble).to_be_visible()
    expect(other_reader.comments).to_have_count(0)
    expect(other_reader.heading).to_have_text("1 Comment")
    expect(other_reader.root.locator(".tb-sr[aria-live]")).to_have_text("1 new comment")

    talkback.post(article, "Me too, from the overflow room")
    expect(other_reader.root.get_by_role("button", name="2 new comments")).to_be_visible()
    other_reader.root.get_by_role("button", name="2 new comments").click()
    expect(other_reader.comments).to_have_count(2)
    expect(other_reader.root.locator(".tb-bubble")).to_be_hidden()
    expect(other_reader.top_level.first.locator(".tb-body")).to_have_text(
        "Me too, from the overflow room"
    )
    expect(other_reader.heading).to_have_text("2 Comments")


def test_votes_edits_and_deletions_change_in_place(
    widget: Widget, other_reader: Widget, host: Host, article: str, talkback: Talkback
) -> None:
    seeded = talkback.post(article, "Seeded before anyone came")
    widget.open(host.url(article))
    widget.post("Mine, to change")
    mine = widget.id_of("Mine, to change")
    other_reader.open(host.url(article))
    talkback.wait_for_listeners(article, 2)

    other_reader.comment(seeded).get_by_role("button", name="Upvote").click()
    expect(widget.comment(seeded).get_by_role("button", name="Upvote")).to_have_text("Upvote1")
    expect(widget.comment(seeded).get_by_role("button", name="Upvote")).to_have_attribute(
        "aria-pressed", "false"
    )

    widget.comment(mine).get_by_role("button", name="Edit").click()
    widget.root.get_by_label("Edit your comment").fill("Mine, changed")
    widget.root.get_by_role("button", name="Save").click()
    expect(other_reader.comment(mine).locator(".tb-body")).to_have_text("Mine, changed")
    expect(other_reader.comment(mine).locator(".tb-edited")).to_be_visible()

    widget.comment(mine).get_by_role("button", name="Delete").click()
    widget.comment(mine).locator(".tb-danger").click()
    expect(other_reader.comment(mine)).to_have_count(0)
    expect(other_reader.heading).to_have_text("1 Comment")
    expect(other_reader.comment(seeded)).to_be_visible()


def test_a_reply_arrives_under_its_parent(
    widget: Widget, host: Host, article: str, talkback: Talkback, page: Page
) -> None:
    parent = talkback.post(article, "Parent on screen")
    widget.open(host.url(article))
    talkback.wait_for_listeners(article, 1)
    talkback.post(article, "A late reply", parent_id=parent)
    widget.root.get_by_role("button", name="1 new comment").click()
    nested = widget.root.locator(f'li:has(> [data-comment-id="{parent}"]) > ol.tb-replies')
    expect(nested.locator(".tb-body")).to_have_text("A late reply")
    expect(nested.locator("article")).to_be_focused()
