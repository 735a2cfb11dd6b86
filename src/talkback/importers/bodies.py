"""Comment bodies from other systems, turned into what we store: `text` and safe `html`.

Our own comments keep their Markdown source in `text` and the rendered, sanitised HTML in
`html`. Imported bodies come as HTML (WordPress, Disqus) or Markdown (Isso, Commento).
HTML goes through the same nh3 sanitiser as everything we serve, and its `text` is a
plain, Markdown-like reading of it (links as `[label](url)`, paragraphs as blank lines)
so that exports and reader-data requests stay legible. Text is never otherwise altered:
backslashes and non-ASCII characters survive byte for byte.
"""

from __future__ import annotations

import html
import re

from talkback.core.markup import link_bare_urls, render_imported_markdown, sanitize_html

_BLOCK_START = re.compile(
    r"^\s*<(p|div|ul|ol|li|blockquote|pre|h[1-6]|table|dl|hr|figure)[\s>/]", re.IGNORECASE
)
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


def from_markdown(source: str) -> tuple[str, str]:
    """(text, html) for a Markdown body (Isso, Commento), rendered as our own comments are
    but linked as the source linked it (`render_imported_markdown`)."""
    text = source.replace("\r\n", "\n").strip()
    return text, render_imported_markdown(text) if text else ""


def from_html(source: str, *, line_breaks: bool, link_urls: bool = False) -> tuple[str, str]:
    """(text, html) for an HTML body.

    `line_breaks` and `link_urls` are for WordPress, which stores comments as typed and
    formats them only when it displays them: blank lines become paragraphs and single
    newlines line breaks, and bare web and email addresses links (`make_clickable`), as
    WordPress itself would show them. The text keeps the addresses as typed.
    """
    source = source.replace("\r\n", "\n").strip()
    if not source:
        return "", ""
    safe = sanitize_html(_paragraphs(source) if line_breaks else source)
    return html_to_text(safe), link_bare_urls(safe) if link_urls else safe


def _paragraphs(source: str) -> str:
    blocks = []
    for block in _BLANK_LINES.split(source):
        block = block.strip()
        if not block:
            continue
        if _BLOCK_START.match(block):
            blocks.append(block)
        else:
            blocks.append("<p>" + block.replace("\n", "<br>\n") + "</p>")
    return "\n".join(blocks)


_HTML_WHITESPACE = re.compile(r"\s*\n\s*")
_LINK = re.compile(r'<a\b[^>]*?\bhref="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)
_BREAK = re.compile(r"\s*<br\s*/?>\s*")
_ITEM = re.compile(r"\s*<li\b[^>]*>\s*")
_BLOCK = re.compile(r"\s*</?(?:p|div|blockquote|pre|ul|ol|h[1-6]|hr|table|figure|dl)\b[^>]*>\s*")
_EMPHASIS = (
    (re.compile(r"</?(?:strong|b)>"), "**"),
    (re.compile(r"</?(?:em|i)>"), "*"),
    (re.compile(r"</?code>"), "`"),
    (re.compile(r"</?(?:del|s)>"), "~~"),
)
_TAG = re.compile(r"<[^>]*>")


def html_to_text(markup: str) -> str:
    """A plain-text reading of sanitised HTML, keeping links and emphasis as Markdown.

    It reads our sanitiser's output (a small, regular set of tags), which is why a few
    regular expressions are enough and cheap enough for a million comments.
    """
    text = _HTML_WHITESPACE.sub(" ", markup)
    text = _LINK.sub(_link, text)
    text = _BREAK.sub("\n", text)
    text = _ITEM.sub("\n- ", text)
    text = _BLOCK.sub("\n\n", text)
    for pattern, mark in _EMPHASIS:
        text = pattern.sub(mark, text)
    text = html.unescape(_TAG.sub("", text))
    text = _TRAILING_SPACE.sub("\n", text)
    return _MANY_NEWLINES.sub("\n\n", text).strip()


def _link(match: re.Match[str]) -> str:
    href, label = html.unescape(match.group(1)), match.group(2)
    return (
        label
        if not href or href == html.unescape(_TAG.sub("", label)).strip()
        else (f"[{label}]({href})")
    )
