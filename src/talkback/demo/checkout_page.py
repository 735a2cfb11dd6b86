"""The demo's test checkout page: pay (nothing) and go back to the article.

Mounted only when demo payments are on and no Stripe key is set. Paying hands a signed
`checkout.session.completed` event to the same code as Stripe's webhook.
"""

from __future__ import annotations

import json
import re
import time
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse

from talkback.core import money
from talkback.demo.templates import demo_page_headers, templates
from talkback.funding.demo_checkout import (
    DEMO_PROVIDER,
    PATH,
    completed_event,
    read_demo_checkout,
)
from talkback.funding.donations import gift_recorded
from talkback.funding.stripe_events import receive_stripe_webhook
from talkback.funding.stripe_gateway import sign_payload, webhook_secret
from talkback.web.deps import Ctx

router = APIRouter(include_in_schema=False)

HOST = re.compile(r"[A-Za-z0-9.:\[\]-]+")
"""A host (and port) that can stand in a policy as it is: no space, `;` or quote."""
Token = Annotated[str, Query(max_length=4000)]


@router.get(PATH, response_class=HTMLResponse)
async def demo_checkout_page(ctx: Ctx, token: Token) -> HTMLResponse:
    """The payment page, or, once this session is paid, a note that the gift was made
    (reopening the link from history must not look like an offer to pay again)."""
    session_id, request = read_demo_checkout(ctx.secret_key, token)
    site = await ctx.sites.get(request.metadata["talkback_site"])
    html = templates.get_template("demo_checkout.html").render(
        paid=await gift_recorded(ctx, site, DEMO_PROVIDER, session_id),
        return_url=request.success_url,
        token=token,
        product=request.product_name,
        amount=money.format_money(request.amount_minor, request.currency, site.locale),
        donor_name=request.metadata.get("donor_name"),
        message=request.metadata.get("message"),
        cancel_url=request.cancel_url,
        session_id=session_id,
    )
    # Paying redirects to the page the reader gave from, which form-action must allow.
    back = urlsplit(request.success_url)
    form_action = "'self'"
    if back.scheme in ("http", "https") and HOST.fullmatch(back.netloc):
        form_action += f" {back.scheme}://{back.netloc}"
    return HTMLResponse(
        html, headers=demo_page_headers("demo_checkout.html", form_action=form_action)
    )


@router.post(PATH)
async def demo_checkout_pay(
    ctx: Ctx, token: Annotated[str, Form(max_length=4000)]
) -> RedirectResponse:
    """Record the gift as Stripe's webhook would, then back to the article. Paying twice
    (a double click, the back button) counts once: the session id is the same."""
    session_id, request = read_demo_checkout(ctx.secret_key, token)
    body = json.dumps(completed_event(session_id, request), separators=(",", ":")).encode()
    secret = webhook_secret(ctx.settings, ctx.secret_key)
    signature = sign_payload(body, secret, int(time.time())) if secret else None
    await receive_stripe_webhook(ctx, body, signature)
    return RedirectResponse(request.success_url, status_code=303)
