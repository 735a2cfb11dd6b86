"""The pages subscription mails link to: confirm, unsubscribe, and manage.

Opening a link never changes anything: mail scanners and link previews fetch every URL in
a mail, so each page shows a button, and only its POST confirms or unsubscribes. The one
exception is RFC 8058 one-click unsubscribe: a mail client POSTs
`List-Unsubscribe=One-Click` to the `List-Unsubscribe` URL, which is the same POST.

The token in the URL is the only credential, so the pages send no referrer (it would
carry the token to the article's site) and are never cached. They are HTML for people,
not part of the JSON API, and are left out of the OpenAPI document.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from talkback.context import Context
from talkback.errors import NotFound
from talkback.mail.compose import language_of
from talkback.sites.sites import Site
from talkback.subscriptions import service, tokens
from talkback.subscriptions.links import (
    CONFIRM_PATH,
    MANAGE_PATH,
    UNSUBSCRIBE_PATH,
    article_url,
    manage_link,
)
from talkback.subscriptions.service import StoredSubscription
from talkback.subscriptions.texts import TEXTS
from talkback.web.deps import MAX_ID, Ctx

router = APIRouter(include_in_schema=False)

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
Token = Annotated[str, Query(max_length=500)]


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("talkback", "templates/subscriptions"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
    )


def _page(template: str, locale: str | None, status: int = 200, **values: Any) -> HTMLResponse:
    language = language_of(locale)
    html = _environment().get_template(template).render(lang=language, t=TEXTS[language], **values)
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def _problem(locale: str | None, key: str, status: int) -> HTMLResponse:
    return _page("problem.html", locale, status, problem=key)


def _described(site: Site, stored: StoredSubscription) -> dict[str, Any]:
    uri = stored.uri
    return {
        "kind": stored.kind,
        "title": (stored.title or uri) if uri else None,
        "url": article_url(site, uri) if uri else None,
    }


@router.get(CONFIRM_PATH)
async def confirm_page(ctx: Ctx, token: Token) -> HTMLResponse:
    try:
        subscription_id = tokens.confirmed_subscription(ctx.secret_key, token)
    except tokens.LinkExpired:
        return _problem(None, "expired", 410)
    except tokens.LinkInvalid:
        return _problem(None, "invalid", 400)
    stored = await service.stored_subscription(ctx, subscription_id)
    if stored is None:
        return _problem(None, "gone", 404)
    site = await ctx.sites.get(stored.site_id)
    return _page(
        "confirm.html", site.locale, site_name=site.name, subscription=_described(site, stored),
        email=stored.email, confirmed=stored.confirmed,
    )  # fmt: skip


@router.post(CONFIRM_PATH)
async def confirm(ctx: Ctx, token: Token) -> HTMLResponse:
    try:
        stored = await service.confirm(ctx, token)
    except tokens.LinkExpired:
        return _problem(None, "expired", 410)
    except tokens.LinkInvalid:
        return _problem(None, "invalid", 400)
    except NotFound:
        return _problem(None, "gone", 404)
    site = await ctx.sites.get(stored.site_id)
    return _page(
        "confirm.html", site.locale, site_name=site.name, subscription=_described(site, stored),
        email=stored.email, confirmed=True,
        manage_url=manage_link(ctx, site.id, stored.email),
    )  # fmt: skip


@router.get(UNSUBSCRIBE_PATH)
async def unsubscribe_page(ctx: Ctx, token: Token) -> HTMLResponse:
    try:
        subscription_id, email = tokens.unsubscribed(ctx.secret_key, token)
    except tokens.LinkInvalid:
        return _problem(None, "invalid", 400)
    stored = await service.stored_subscription(ctx, subscription_id)
    if stored is None or stored.email != email:
        return _page("unsubscribe.html", None, done=True, subscription=None, site_name="")
    site = await ctx.sites.get(stored.site_id)
    return _page(
        "unsubscribe.html", site.locale, done=False, site_name=site.name,
        subscription=_described(site, stored),
    )  # fmt: skip


@router.post(UNSUBSCRIBE_PATH)
async def unsubscribe(ctx: Ctx, token: Token) -> HTMLResponse:
    """The page's button and RFC 8058 one-click (`List-Unsubscribe=One-Click`) alike."""
    try:
        subscription_id, email = tokens.unsubscribed(ctx.secret_key, token)
    except tokens.LinkInvalid:
        return _problem(None, "invalid", 400)
    stored = await service.stored_subscription(ctx, subscription_id)
    await service.unsubscribe(ctx, subscription_id, email)
    locale, manage_url = None, None
    if stored is not None and stored.email == email:
        site = await ctx.sites.get(stored.site_id)
        locale, manage_url = site.locale, manage_link(ctx, site.id, email)
    return _page(
        "unsubscribe.html", locale, done=True, subscription=None, site_name="",
        manage_url=manage_url,
    )  # fmt: skip


async def _manage(ctx: Context, site_id: str, email: str, removed: bool) -> HTMLResponse:
    site = await ctx.sites.get(site_id)
    found = await service.address_subscriptions(ctx, site_id, email)
    return _page(
        "manage.html", site.locale, site_name=site.name, email=email, removed=removed,
        subscriptions=[{"id": s.id, **_described(site, s), "confirmed": s.confirmed}
                       for s in found],
    )  # fmt: skip


@router.get(MANAGE_PATH)
async def manage_page(ctx: Ctx, token: Token) -> HTMLResponse:
    try:
        site_id, email = tokens.managed(ctx.secret_key, token)
    except tokens.LinkInvalid:
        return _problem(None, "invalid", 400)
    return await _manage(ctx, site_id, email, removed=False)


@router.post(MANAGE_PATH)
async def manage_remove(
    ctx: Ctx,
    token: Token,
    subscription_id: Annotated[int, Form(ge=1, le=MAX_ID)],
) -> HTMLResponse:
    """Remove one of the address's subscriptions from its manage page."""
    try:
        site_id, email = tokens.managed(ctx.secret_key, token)
    except tokens.LinkInvalid:
        return _problem(None, "invalid", 400)
    await service.remove_for_address(ctx, site_id, email, subscription_id)
    return await _manage(ctx, site_id, email, removed=True)
