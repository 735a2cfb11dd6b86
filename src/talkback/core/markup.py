"""Comment text → safe HTML, done once at write time so reads never render.

Markdown is parsed with raw HTML off (so `<script>` arrives as text) and the result still
goes through the nh3 sanitiser: the parser is not a security boundary, the sanitiser is.
"""

from __future__ import annotations

import nh3
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


def render_markdown(text: str) -> str:
    """Render a comment's Markdown source to the HTML we store and serve."""
    return sanitize_html(_markdown.render(text))


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
