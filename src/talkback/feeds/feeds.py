"""The three feeds as Atom bytes with an ETag, cached like thread pages.

A thread's feed is keyed by the thread's version and a site's by the sum of its threads'
versions (`reads.SITE_VERSION`): the bytes are built once per change and kept in the page
cache, and a feed reader polling with `If-None-Match` is answered from the key alone.
A reader's replies span threads no version covers, so that feed is built on each request
(one indexed statement) and tagged by its bytes: a poll still costs no transfer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Coroutine, Hashable, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from talkback import __version__
from talkback.comments.page_cache import RenderedPage
from talkback.comments.pages import etag_matches, recall, thread_state
from talkback.context import Context
from talkback.feeds import reads
from talkback.feeds.atom import Entry, Feed, render_atom
from talkback.feeds.keys import replies_feed_key
from talkback.feeds.words import feed_words
from talkback.sites.sites import Site

TAG_DATE = "2026"
"""The date part of every feed and entry id (RFC 4151 tag URIs): fixed for good, since an
id must never change."""


async def site_feed(ctx: Context, site: Site, if_none_match: str | None = None) -> RenderedPage:
    """The newest published comments of the whole site."""
    count, total = await reads.site_version(ctx, site.id)
    key = ("atom site", __version__, *_shown(site), count, total)

    async def build() -> bytes:
        rows = await reads.site_comments(ctx, site.id)
        words = feed_words(site.locale)
        return render_atom(
            Feed(
                id=_tag(ctx, f"{site.id}/comments"),
                title=words.site.format(name=site.name),
                language=words.language,
                self_link=ctx.mail.link(feed_path(site.id, "comments.atom")),
                alternate=_home(site),
                entries=_entries(ctx, site, rows),
            )
        )

    return await _cached(ctx, key, build, if_none_match)


async def thread_feed(
    ctx: Context, site: Site, uri: str, if_none_match: str | None = None
) -> RenderedPage:
    """The newest published comments of one article's thread (an empty feed until the
    first one, so a reader may subscribe before anyone has commented)."""
    state = await thread_state(ctx, site, uri)
    key = ("atom thread", __version__, *_shown(site), uri, state)

    async def build() -> bytes:
        rows = await reads.thread_comments(ctx, state.id) if state else []
        words = feed_words(site.locale)
        title = (state.title if state else None) or uri
        return render_atom(
            Feed(
                id=_tag(ctx, f"{site.id}/thread:{quote(uri, safe='/?=&')}"),
                title=words.thread.format(title=title),
                language=words.language,
                self_link=ctx.mail.link(feed_path(site.id, "thread.atom"), uri=uri),
                alternate=_article(site, uri),
                entries=_entries(ctx, site, rows),
            )
        )

    return await _cached(ctx, key, build, if_none_match)


async def replies_feed(
    ctx: Context, site: Site, reader_id: str, if_none_match: str | None = None
) -> RenderedPage:
    """The newest published replies to the reader's comments, on any of the site's threads."""
    key = replies_feed_key(ctx.secret_key, site.id, reader_id)
    rows = await ctx.shared_reads.read(
        ("replies feed", site.id, reader_id),
        lambda: reads.replies_to_reader(ctx, site.id, reader_id),
    )
    words = feed_words(site.locale)
    body = render_atom(
        Feed(
            id=_tag(ctx, f"{site.id}/replies/{hashlib.blake2b(key.encode()).hexdigest()[:24]}"),
            title=words.replies.format(name=site.name),
            language=words.language,
            self_link=ctx.mail.link(replies_feed_path(site.id, key)),
            alternate=_home(site),
            entries=_entries(ctx, site, rows),
        )
    )
    etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
    if if_none_match is not None and etag_matches(if_none_match, etag):
        return RenderedPage(etag=etag, body=b"")
    return RenderedPage(etag=etag, body=body)


def feed_path(site_id: str, name: str) -> str:
    return f"/api/v1/{site_id}/feeds/{name}"


def replies_feed_path(site_id: str, key: str) -> str:
    return feed_path(site_id, f"replies/{key}.atom")


async def _cached(
    ctx: Context,
    key: Hashable,
    build: Callable[[], Coroutine[Any, Any, bytes]],
    if_none_match: str | None,
) -> RenderedPage:
    etag, known = recall(ctx, key, if_none_match)
    if known is not None:
        return known
    body: bytes = await ctx.shared_reads.read(("feed", key), build)
    page = RenderedPage(etag=etag, body=body)
    ctx.pages.put(key, page)
    return page


def _entries(ctx: Context, site: Site, rows: Sequence[Any]) -> tuple[Entry, ...]:
    words = feed_words(site.locale)
    return tuple(
        Entry(
            id=_tag(ctx, f"{site.id}/comment/{row.id}"),
            title=words.entry.format(
                author=row.author_name or words.anonymous, title=row.title or row.uri
            ),
            link=f"{_article(site, row.uri)}#comment-{row.id}",
            author=row.author_name or words.anonymous,
            author_uri=row.author_website,
            html=row.html,
            published=row.created_at,
            updated=row.edited_at or row.created_at,
        )
        for row in rows
    )


def _shown(site: Site) -> tuple[str, str, tuple[str, ...], str]:
    """What a feed shows of its site, so a renamed site, a new origin or another language
    is a new feed."""
    return site.id, site.name, site.origins, site.locale


def _tag(ctx: Context, specific: str) -> str:
    host = urlsplit(ctx.mail.public_url).hostname or "localhost"
    return f"tag:{host},{TAG_DATE}:{specific}"


def _home(site: Site) -> str | None:
    """The site's own address: its first allowed origin that names one."""
    return next((origin for origin in site.origins if origin != "*"), None)


def _article(site: Site, uri: str) -> str:
    """The article's address; only its path when the site names no origin of its own."""
    return (_home(site) or "") + uri
