"""Comment text → safe HTML, done once at write time so reads never render.

Markdown is parsed with raw HTML off (so `<script>` arrives as text) and the result still
goes through the nh3 sanitiser: the parser is not a security boundary, the sanitiser is.
"""

from __future__ import annotations

import html as entities
import re

import nh3
from linkify_it import LinkifyIt
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {"p", "br", "a", "em", "strong", "del", "s", "code", "pre", "blockquote",
     "ul", "ol", "li", "hr"}
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
LINK_REL = "nofollow ugc noopener"

_markdown = (
    MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    .enable(["linkify", "strikethrough"])
    .disable(["heading", "lheading", "image", "html_block", "html_inline"])
)


# The same Markdown without our linkify, for sources whose own autolinking was narrower.
_markdown_without_linkify = (
    MarkdownIt("commonmark", {"html": False, "typographer": False})
    .enable(["strikethrough"])
    .disable(["heading", "lheading", "image", "html_block", "html_inline"])
)


def render_markdown(text: str) -> str:
    """Render a comment's Markdown source to the HTML we store and serve."""
    return sanitize_html(_markdown.render(text))


def render_imported_markdown(text: str) -> str:
    """Markdown from Isso or Commento, with links where their autolinking made them
    (addresses with a scheme or "www.", email addresses, `link_bare_urls`): ours also
    links bare domains, and "setup.py" was text on their pages."""
    return link_bare_urls(sanitize_html(_markdown_without_linkify.render(text)))


def sanitize_html(html: str) -> str:
    """Reduce arbitrary HTML to the small set a comment may use (also for imported bodies)."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


# What WordPress's make_clickable links when it displays a comment (and Isso's and
# Commento's autolinking when they render): addresses with a scheme (those our sanitiser
# keeps), addresses starting "www.", and email addresses. A bare "example.com" stays text
# there, and so here: "setup.py" is text, not Paraguay.
_CLICKABLE_SCHEMES = frozenset({"http:", "https:", "mailto:"})
_NO_LINKS_INSIDE = frozenset({"a", "code", "pre"})
# Splits *sanitised* HTML (a small, regular set of tags, attributes quoted) into its tags
# and the text between them; the addresses themselves are found by linkify-it.
_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"</?([a-z0-9]+)")
_linkify = LinkifyIt()


def link_bare_urls(safe_html: str) -> str:
    """Sanitised HTML with the bare web and email addresses in its text made links, as
    WordPress showed them (never inside a link or code); links get the `rel` of ours."""
    pieces = _TAG.split(safe_html)
    inside = 0
    for index, piece in enumerate(pieces):
        if index % 2:
            name = _TAG_NAME.match(piece)
            if name and name.group(1) in _NO_LINKS_INSIDE and not piece.endswith("/>"):
                inside += -1 if piece.startswith("</") else 1
        elif piece and inside == 0:
            pieces[index] = _link_text(piece)
    return sanitize_html("".join(pieces))


def _link_text(escaped: str) -> str:
    text = entities.unescape(escaped)
    found = [
        match
        for match in _linkify.match(text) or []
        if match.schema in _CLICKABLE_SCHEMES
        or (not match.schema and match.raw.lower().startswith("www."))
    ]
    if not found:
        return escaped
    linked, done = [], 0
    for match in found:
        linked.append(entities.escape(text[done : match.index]))
        href, label = entities.escape(match.url), entities.escape(match.raw)
        linked.append(f'<a href="{href}">{label}</a>')
        done = match.last_index
    linked.append(entities.escape(text[done:]))
    return "".join(linked)
