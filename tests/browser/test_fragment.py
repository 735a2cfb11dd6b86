"""The thread's first page as server-rendered HTML (thread.html) in a publisher's page: read
without JavaScript, and replaced in place by the widget when it loads."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import SITE, Host, Talkback, Widget

FRAMES = """
window.talkbackFrames = [];
const look = () => {
  const box = document.getElementById('talkback');
  if (box) {
    const fragment = !!box.querySelector('[data-talkback-fragment]') &&
      (!box.shadowRoot || !!box.shadowRoot.querySelector('slot'));
    const thread = !!box.shadowRoot?.querySelector('[data-comment-id]');
    window.talkbackFrames.push([fragment, thread]);
    if (thread) return;
  }
  requestAnimationFrame(look);
};
requestAnimationFrame(look);
"""
"""Records, frame by frame until the live thread shows, what the comments container shows:
the server's fragment, the widget's thread, or (what must never be) neither or both."""


def serve_article(talkback: Talkback, host: Host, article: str) -> str:
    """The publisher's article page with the fragment included, as a CMS would at publish
    time; returns its URL."""
    fragment = httpx.get(f"{talkback.url}/api/v1/{SITE}/thread.html", params={"uri": article})
    assert fragment.status_code == 200, fragment.text
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>River barrier on hold</title></head>
<body><main style="max-width: 44rem; margin: 0 auto">
<h1>River barrier on hold</h1>
<p>Councillors voted seven to five for a second review.</p>
<div id="talkback">{fragment.text}</div>
<script src="{talkback.url}/embed.js" data-site="{SITE}" async></script>
</main></body></html>"""
    host.site.pages[article] = html
    return host.url(article)


def test_without_javascript_a_reader_reads_the_threads_first_page(
    browser: Browser, talkback: Talkback, host: Host, article: str
) -> None:
    first = talkback.post(article, "The review is overdue", author="Ada")
    talkback.post(article, "Agreed, and then some", author="Bo", parent_id=first)
    talkback.post(article, "Newest thoughts", author="Cy")
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(serve_article(talkback, host, article))
        thread = page.locator("#talkback [data-talkback-fragment]")
        expect(thread.get_by_role("heading", level=2)).to_have_text("3 Comments")
        comments = thread.locator(".talkback-comments > li > article .talkback-body")
        expect(comments).to_have_text(["Newest thoughts", "The review is overdue"])
        reply = thread.locator(f"#comment-{first} .talkback-replies .talkback-body")
        expect(reply).to_have_text("Agreed, and then some")
        expect(reply).to_be_visible()
        expect(thread.get_by_role("link", name="Follow these comments (Atom feed)")).to_be_visible()
    finally:
        context.close()


def test_the_widget_replaces_the_server_rendered_thread_in_place(
    page: Page, widget: Widget, talkback: Talkback, host: Host, article: str
) -> None:
    first = talkback.post(article, "A second review is overdue", author="Ada")
    talkback.post(article, "Agreed, and more than that", author="Bo", parent_id=first)
    page.add_init_script(FRAMES)
    widget.open(serve_article(talkback, host, article))

    expect(widget.heading).to_have_text("2 Comments")
    expect(widget.comments).to_have_count(2)
    expect(page.locator("#talkback > [data-talkback-fragment]")).to_have_count(0)
    page.wait_for_function("window.talkbackFrames.at(-1)?.[1] === true")
    frames: list[Any] = page.evaluate("window.talkbackFrames")
    assert frames[0] == [True, False], "the server's thread shows before the widget's"
    assert all(fragment != thread for fragment, thread in frames), frames
