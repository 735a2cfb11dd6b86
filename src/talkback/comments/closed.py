"""The one refusal of a closed thread, shared by posting, replying and voting."""

from __future__ import annotations

from datetime import datetime

from talkback import clock
from talkback.core.closing import is_closed
from talkback.errors import Conflict
from talkback.sites.sites import Site

DEFAULT_MESSAGE = "this thread is closed for new comments"


def refuse_if_closed(
    site: Site, override: str | None, created_at: datetime | None, message: str | None
) -> None:
    """Raise 409 `thread_closed` when the thread takes nothing new now, with the
    moderator's message (shown by the widget) when there is one; the write job that asks
    rolls back."""
    if is_closed(override, created_at, site.auto_close_days, clock.now()):
        raise Conflict(message or DEFAULT_MESSAGE, code="thread_closed")
