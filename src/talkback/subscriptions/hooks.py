"""Where "Notify of" plugs into the process: its outbox handlers and its consumer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from talkback.subscriptions.mails import confirmation_handler, notification_handler
from talkback.subscriptions.notifications import NOTIFY_KIND, notification_consumer
from talkback.subscriptions.service import CONFIRM_KIND

if TYPE_CHECKING:
    from talkback.context import Context


def install(ctx: Context) -> None:
    ctx.outbox.handle(CONFIRM_KIND, confirmation_handler(ctx))
    ctx.outbox.handle(NOTIFY_KIND, notification_handler(ctx))
    # Notifications are stored with the comment's publication, or not at all.
    ctx.events.in_transaction(notification_consumer(ctx))
