"""The demo's sample article page at `/`, with the comment section embedded as a publisher
would embed it: `<div id="talkback">` and the `embed.js` script tag, nothing else.

The thread itself is drawn in the browser by the widget, from the same API every site uses.
"""

from __future__ import annotations

from babel.dates import format_date
from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader

from talkback.demo.content import ARTICLE, DEMO_SITE
from talkback.mail.transport import MailboxTransport
from talkback.web.deps import Ctx

router = APIRouter(include_in_schema=False)

templates = Environment(
    loader=PackageLoader("talkback", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


@router.get("/", response_class=HTMLResponse)
async def article_page(ctx: Ctx) -> HTMLResponse:
    site = await ctx.sites.get(DEMO_SITE)
    html = templates.get_template("article.html").render(
        paper=site.name,
        article=ARTICLE,
        published=format_date(ARTICLE.published, "long", locale=site.locale),
        # The mail "Notify of" and "Sign in" send lands there while no SMTP server is set.
        mailbox=isinstance(ctx.mail.transport, MailboxTransport),
    )
    return HTMLResponse(html)
