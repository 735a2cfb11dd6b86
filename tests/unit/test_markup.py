"""Markdown → sanitised HTML."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from talkback.core.markup import ALLOWED_TAGS, render_markdown, sanitize_html

Attrs = list[tuple[str, str | None]]


def _parsed_tags(html: str) -> list[tuple[str, Attrs]]:
    """Every element a browser would build from `html`, with its attributes."""
    found: list[tuple[str, Attrs]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: Attrs) -> None:
            found.append((tag, attrs))

    Collector().feed(html)
    return found


@pytest.mark.parametrize(
    ("source", "html"),
    [
        ("plain", "<p>plain</p>"),
        ("*em* **strong** ~~gone~~", "<p><em>em</em> <strong>strong</strong> <s>gone</s></p>"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        ("1. one\n2. two", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>"),
        ("```\nx < y\n```", "<pre><code>x &lt; y\n</code></pre>"),
        ("# not a heading", "<p># not a heading</p>"),
    ],
)
def test_markdown_features(source: str, html: str) -> None:
    assert render_markdown(source) == html


def test_links_get_nofollow_ugc_noopener() -> None:
    html = render_markdown("see [this](https://example.org/a) or www.example.com")
    assert html.count('rel="nofollow ugc noopener"') == 2


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "<a href='javascript:alert(1)'>x</a>",
        "![img](https://example.org/x.png)",
        '<svg onload="alert(1)">',
    ],
)
def test_attacks_are_inert(attack: str) -> None:
    tags = _parsed_tags(render_markdown(attack))
    for tag, attrs in tags:
        assert tag in ALLOWED_TAGS
        for name, value in attrs:
            assert not name.startswith("on")
            assert not (value or "").lower().startswith(("javascript:", "data:"))


def test_imported_html_is_reduced_to_allowed_tags() -> None:
    html = sanitize_html('<div onclick="x"><p style="color:red">Hi <b>there</b></p></div>')
    assert html == "<p>Hi there</p>"
