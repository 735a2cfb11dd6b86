"""When a thread takes no more comments or votes: a moderator's word, else the site's clock.

Pure, so the thread page, the cached reads, posting and voting all decide the same way
from the same facts, and tests decide it in microseconds.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

CloseOverride = Literal["closed", "open"]
"""A moderator's word on one thread: closed, or reopened (against the site's clock)."""
CLOSE_OVERRIDES: tuple[CloseOverride, ...] = ("closed", "open")
MAX_AUTO_CLOSE_DAYS = 3650
MAX_CLOSE_MESSAGE = 500


def is_closed(
    override: str | None, created_at: datetime | None, auto_close_days: int | None, now: datetime
) -> bool:
    """Closed when a moderator closed it, or, unless a moderator reopened it, once the
    site's `auto_close_days` have passed since the thread's first comment (its creation).
    No days (None or 0) means threads never close by themselves."""
    if override == "closed":
        return True
    if override == "open" or not auto_close_days or created_at is None:
        return False
    return now >= created_at + timedelta(days=auto_close_days)
