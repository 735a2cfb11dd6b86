"""count.js on a publisher's list of articles: every `data-talkback-count` link shows its
article's comment count, in the page's language, from one request."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import SITE, Host, Talkback


def serve_list(talkback: Talkback, host: Host, path: str, lang: str) -> str:
    """A front page whose list links to four stories, one of them twice; returns its URL."""
    html = f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>Front page</title></head>
<body><ul>
<li><a href="{path}/one">One</a>
  <a id="one" data-talkback-count href="{path}/one#comments">…</a></li>
<li><a href="{path}/one">One again</a>
  <a id="one-again" data-talkback-count href="{path}/one">…</a></li>
<li><a href="{path}/two">Two</a> <a id="two" data-talkback-count
  href="https://mirror.example{path}/two?utm_source=front">…</a></li>
<li><span id="three" data-talkback-count="{path}/three">…</span></li>
</ul>
<script src="{talkback.url}/count.js" data-site="{SITE}" async></script>
</body></html>"""
    host.site.pages[path] = html
    return host.url(path)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en-GB", ["2 comments", "2 comments", "1 comment", "0 comments"]),
        ("de", ["2 Kommentare", "2 Kommentare", "1 Kommentar", "0 Kommentare"]),
        ("fi", ["2 comments", "2 comments", "1 comment", "0 comments"]),
    ],
)
def test_every_marked_link_shows_its_count_from_one_request(
    page: Page, talkback: Talkback, host: Host, article: str, lang: str, expected: list[str]
) -> None:
    # Texts of their own: the same text twice from one guest is refused as a duplicate.
    talkback.post(f"{article}/one", f"First on {article}")
    talkback.post(f"{article}/one", f"Second on {article}")
    talkback.post(f"{article}/two", f"Only one on {article}")
    asked: list[str] = []

    def note(request: Request) -> None:
        if "/counts" in request.url:
            asked.append(request.url)

    page.on("request", note)
    page.goto(serve_list(talkback, host, article, lang))
    for element, text in zip(["#one", "#one-again", "#two", "#three"], expected, strict=True):
        expect(page.locator(element)).to_have_text(text)
    assert len(asked) == 1, asked
