"""When to try a failed delivery again: exponential backoff with full jitter.

Full jitter (a random delay between 0 and the exponential cap) keeps many messages that
failed together, say while the SMTP server was down, from coming back in one burst.
"""

from __future__ import annotations

import random
from datetime import timedelta

FIRST_RETRY_SECONDS = 15.0
LONGEST_WAIT_SECONDS = 6 * 3600.0
MAX_ATTEMPTS = 15
"""About two days of trying; then the message waits as `failed` for staff to retry."""


def retry_delay(attempts: int, *, first: float = FIRST_RETRY_SECONDS) -> timedelta:
    """The wait after the `attempts`-th failed attempt (1 for the first failure)."""
    cap = min(LONGEST_WAIT_SECONDS, first * 2 ** max(0, attempts - 1))
    return timedelta(seconds=random.uniform(first / 2, max(first / 2, cap)))
