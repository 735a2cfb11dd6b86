"""A reader finds the feed of replies to their comments under "Notify of", in Chromium."""

from __future__ import annotations

from urllib.parse import urlsplit

import feedparser
import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import Host, Talkback, Widget

FEED_LINK = "Or follow the replies to my comments in a feed reader (Atom)"


def test_a_reader_finds_their_replies_feed_under_notify_of(
    page: Page, widget: Widget, talkback: Talkback, host: Host, article: str
) -> None:
    widget.open(host.url(article))
    widget.post("Where does the barrier money go next?", name="Ada")
    mine = widget.id_of("Where does the barrier money go next?")
    talkback.post(article, "To the sea wall, said the officer.", author="Bo", parent_id=mine)
    talkback.post(article, "Not a reply to Ada.", author="Cy")

    widget.root.get_by_role("button", name="Notify of").click()
    link = widget.root.get_by_role("link", name=FEED_LINK)
    expect(link).to_be_visible()
    href = str(link.get_attribute("href"))
    token = page.evaluate(
        "JSON.parse(Object.entries(localStorage).find(([k]) => k.includes(':reader:'))[1])"
    )
    assert token not in href, "the URL carries a key of the reader, never their token"

    # The app's public URL is not this test server's address: ask this one for the path.
    feed = feedparser.parse(httpx.get(talkback.url + urlsplit(href).path).content)
    assert feed.bozo == 0
    assert [entry.content[0].value for entry in feed.entries] == [
        "<p>To the sea wall, said the officer.</p>"
    ]
