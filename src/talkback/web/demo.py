"""The demo's sample article page at `/`, with its comment thread rendered on the server.

The thread is read through the same cached page the API serves, so the article shows
exactly what the widget would. The widget issue will replace this server-rendered thread
with the `<script>` embed; the article around it stays.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from babel.dates import format_date, format_datetime, format_timedelta
from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader

from talkback import clock
from talkback.core.paging import Sort
from talkback.demo import ARTICLE, DEMO_SITE, DEMO_URI
from talkback.services.pages import PageRequest, read_page
from talkback.web.deps import Ctx

router = APIRouter(include_in_schema=False)

THREAD_LIMIT = 50

templates = Environment(
    loader=PackageLoader("talkback", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


@router.get("/", response_class=HTMLResponse)
async def article_page(ctx: Ctx) -> HTMLResponse:
    site = await ctx.sites.get(DEMO_SITE)
    page = await read_page(ctx, site, PageRequest(DEMO_URI, Sort.NEWEST, limit=THREAD_LIMIT))
    thread: dict[str, Any] = json.loads(page.body)
    now = clock.now()

    def ago(created_at: str) -> str:
        return format_timedelta(_parse(created_at) - now, add_direction=True, locale=site.locale)

    def full_time(created_at: str) -> str:
        return format_datetime(_parse(created_at), "medium", locale=site.locale) + " UTC"

    html = templates.get_template("article.html").render(
        paper=site.name,
        article=ARTICLE,
        published=format_date(ARTICLE.published, "long", locale=site.locale),
        thread=thread["thread"],
        comments=thread["comments"],
        more=thread["next_cursor"] is not None,
        ago=ago,
        full_time=full_time,
    )
    return HTMLResponse(html)


def _parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment)
