"""A thread's first page as an HTML fragment, for readers without JavaScript and crawlers.

Rendered from the very page the widget reads first (`pages.read_page`, newest first), so
the two never disagree and the fragment costs no query of its own: its key and ETag are
derived from the page's, which change with the thread's version. A publisher includes
it in the article (a server-side include, or fetched by the CMS when it publishes) inside
the comments container, and the widget replaces it in place when it loads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, PackageLoader

from talkback.comments.page_cache import RenderedPage
from talkback.comments.pages import PageRequest, read_page, recall
from talkback.context import Context
from talkback.sites.sites import Site


@dataclass(frozen=True, slots=True)
class Words:
    """What the fragment says, in one language; the widget's own catalogues are
    JavaScript, so these few sentences are kept here for the server."""

    count: tuple[str, str]
    """One comment, several comments; `{n}` the number."""
    anonymous: str
    deleted: str
    closed: str
    more: str
    feed: str
    staff: str
    moderator: str
    pinned: str
    featured: str


ENGLISH = Words(
    count=("{n} Comment", "{n} Comments"),
    anonymous="Anonymous",
    deleted="This comment was deleted.",
    closed="This discussion is closed.",
    more="Only the newest comments are shown here: turn on JavaScript to read them all.",
    feed="Follow these comments (Atom feed)",
    staff="Staff",
    moderator="Moderator",
    pinned="Pinned",
    featured="Featured",
)
WORDS = {
    "en": ENGLISH,
    "de": Words(
        count=("{n} Kommentar", "{n} Kommentare"),
        anonymous="Anonym",
        deleted="Dieser Kommentar wurde gelöscht.",
        closed="Diese Diskussion ist geschlossen.",
        more="Hier stehen nur die neuesten Kommentare: Mit JavaScript lesen Sie alle.",
        feed="Diesen Kommentaren folgen (Atom-Feed)",
        staff="Redaktion",
        moderator="Moderation",
        pinned="Angeheftet",
        featured="Empfohlen",
    ),
}
"""By language, as the widget has catalogues: others read English throughout."""

templates = Environment(
    loader=PackageLoader("talkback", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
TEMPLATE = templates.get_template("thread_fragment.html")


async def read_fragment(
    ctx: Context, site: Site, uri: str, if_none_match: str | None = None
) -> RenderedPage:
    """The fragment's bytes and ETag; an empty body means "not modified"."""
    page = await read_page(ctx, site, PageRequest(uri))
    key = ("thread.html", page.etag, site.locale)
    etag, known = recall(ctx, key, if_none_match)
    if known is not None:
        return known
    fragment = RenderedPage(etag=etag, body=render_fragment(ctx, site, json.loads(page.body)))
    ctx.pages.put(key, fragment)
    return fragment


def render_fragment(ctx: Context, site: Site, page: dict[str, Any]) -> bytes:
    """A thread page (as `/comments` answers it) as HTML in the site's language."""
    locale = site.locale

    def day(moment: str) -> str:
        return format_date(datetime.fromisoformat(moment), "long", locale=locale)

    def number(n: int) -> str:
        return format_decimal(n, locale=locale)

    feed_url = ctx.mail.link(f"/api/v1/{site.id}/feeds/thread.atom", uri=page["thread"]["uri"])
    words = WORDS.get(locale.split("_")[0].split("-")[0], ENGLISH)
    html = TEMPLATE.render(
        page=page, words=_as_mapping(words), feed_url=feed_url, day=day, number=number
    )
    return html.encode()


def _as_mapping(words: Words) -> dict[str, Any]:
    """The words by name, so the template can also look a badge's up by its value."""
    return {name: getattr(words, name) for name in Words.__slots__}
