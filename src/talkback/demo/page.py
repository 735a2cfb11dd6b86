"""The demo's sample article page at `/`, with the comment section embedded as a publisher
would embed it: `<div id="talkback">` and the `embed.js` script tag, and the story's body
marked for inline feedback (`demo/article.py`).

The thread itself is drawn in the browser by the widget, from the same API every site uses.
"""

from __future__ import annotations

from babel.dates import format_date
from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from talkback.demo.article import ARTICLE, render_article_page
from talkback.demo.content import DEMO_SITE
from talkback.mail.transport import MailboxTransport
from talkback.web.deps import Ctx

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def article_page(ctx: Ctx) -> HTMLResponse:
    site = await ctx.sites.get(DEMO_SITE)
    html = render_article_page(
        site.name,
        format_date(ARTICLE.published, "long", locale=site.locale),
        # The mail "Notify of" and "Sign in" send lands there while no SMTP server is set.
        mailbox=isinstance(ctx.mail.transport, MailboxTransport),
    )
    return HTMLResponse(html)
