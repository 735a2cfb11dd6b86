"""Wiring webhooks into a process: the in-transaction consumer and the outbox handler."""

from __future__ import annotations

from typing import TYPE_CHECKING

from talkback.webhooks.consumer import KIND, webhook_consumer
from talkback.webhooks.delivery import WebhookSender

if TYPE_CHECKING:
    from talkback.context import Context


def install(ctx: Context) -> None:
    ctx.events.in_transaction(webhook_consumer)
    ctx.outbox.handle(KIND, WebhookSender(ctx.database, ctx.settings.webhook_timeout_seconds))
