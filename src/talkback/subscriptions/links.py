"""Where subscription mails point: the article on the newsroom's site, and our pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from talkback.sites.sites import Site
from talkback.subscriptions import tokens

if TYPE_CHECKING:
    from talkback.context import Context

CONFIRM_PATH = "/api/v1/subscriptions/confirm"
UNSUBSCRIBE_PATH = "/api/v1/unsubscribe"
MANAGE_PATH = "/api/v1/subscriptions/manage"


def article_url(site: Site, uri: str) -> str:
    """The article readers comment on: threads are named by path, the site's first origin
    says where that path lives (a site open to any origin has only the path to offer)."""
    origin = next((o for o in site.origins if o != "*"), "")
    return f"{origin}{uri}"


def comment_url(site: Site, uri: str, comment_id: int) -> str:
    return f"{article_url(site, uri)}#comment-{comment_id}"


def confirm_link(ctx: Context, subscription_id: int) -> str:
    return ctx.mail.link(CONFIRM_PATH, token=tokens.confirm_token(ctx.secret_key, subscription_id))


def unsubscribe_link(ctx: Context, subscription_id: int, email: str) -> str:
    token = tokens.unsubscribe_token(ctx.secret_key, subscription_id, email)
    return ctx.mail.link(UNSUBSCRIBE_PATH, token=token)


def manage_link(ctx: Context, site_id: str, email: str) -> str:
    return ctx.mail.link(MANAGE_PATH, token=tokens.manage_token(ctx.secret_key, site_id, email))
