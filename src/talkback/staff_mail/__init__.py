"""Mail to staff and about the mail: moderator alerts, password reset, the outbox page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from talkback.staff_mail import alert_mail, reset_links
from talkback.staff_mail.alert_digest import alert_consumer

if TYPE_CHECKING:
    from talkback.context import Context


def install(ctx: Context) -> None:
    """Queue moderator alerts with the changes that cause them; register the handlers."""
    ctx.events.in_transaction(alert_consumer(ctx))
    alert_mail.install(ctx)
    reset_links.install(ctx)
