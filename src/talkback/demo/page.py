"""The demo's sample article page at `/`, with the comment section embedded as a publisher
would embed it: `<div id="talkback">` and the `embed.js` script tag, and the story's body
marked for inline feedback (`demo/article.py`).

The thread is drawn in the browser by the widget, from the same API every site uses; the
page's own HTML carries the thread's first page as the server renders it (`thread.html`), so
it reads without JavaScript, and the widget replaces it in place. Under the article, the
Courier's other stories show their comment counts (`count.js`); each leads to a short page
with its own thread.
"""

from __future__ import annotations

from urllib.parse import urlencode

from babel.dates import format_date
from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from talkback.comments.fragment import read_fragment
from talkback.demo.article import ARTICLE, FeedLink, render_article_page
from talkback.demo.content import DEMO_SITE, DEMO_URI
from talkback.demo.stories import MORE_STORIES, story_at
from talkback.demo.templates import demo_page_headers, templates
from talkback.errors import NotFound
from talkback.feeds.feeds import feed_path
from talkback.mail.transport import MailboxTransport
from talkback.web.deps import Ctx

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def article_page(ctx: Ctx) -> HTMLResponse:
    site = await ctx.sites.get(DEMO_SITE)
    fragment = await read_fragment(ctx, site, DEMO_URI)
    html = render_article_page(
        site.name,
        format_date(ARTICLE.published, "long", locale=site.locale),
        # The mail "Notify of" and "Sign in" send lands there while no SMTP server is set.
        mailbox=isinstance(ctx.mail.transport, MailboxTransport),
        comments=fragment.body.decode(),
        feeds=(
            FeedLink("Comments on this story", thread_feed_path(DEMO_URI)),
            FeedLink(f"All comments on {site.name}", feed_path(DEMO_SITE, "comments.atom")),
        ),
        more_stories=MORE_STORIES,
    )
    return HTMLResponse(html, headers=demo_page_headers("article.html"))


@router.get("/2026/11/{slug}", response_class=HTMLResponse)
async def story_page(ctx: Ctx, slug: str) -> HTMLResponse:
    """One of the other stories: its standfirst and its own thread, with its first page
    rendered in as on the main article."""
    story = story_at(f"/2026/11/{slug}")
    if story is None:
        raise NotFound("no such story in the demo", code="story_not_found")
    site = await ctx.sites.get(DEMO_SITE)
    fragment = await read_fragment(ctx, site, story.path)
    html = templates.get_template("demo_story.html").render(
        paper=site.name, story=story, comments=Markup(fragment.body.decode()),
        feed=FeedLink("Comments on this story", thread_feed_path(story.path)),
    )  # fmt: skip
    return HTMLResponse(html, headers=demo_page_headers("demo_story.html"))


def thread_feed_path(uri: str) -> str:
    return feed_path(DEMO_SITE, "thread.atom") + "?" + urlencode({"uri": uri})
