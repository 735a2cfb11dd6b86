"""Rate limits with the `limits` library: in memory on one node, in Redis across nodes.

With a Redis broker the counters live in Redis (its database number included in the URL),
so every worker and node counts against the same limit; `talkback serve` refuses several
workers with `memory://` for this among other reasons. `TALKBACK_RATE_LIMITS=off` turns
them off (benchmarks and load tests); nothing else does.
"""

from __future__ import annotations

import math
import time

import redis.asyncio as redis
from limits import RateLimitItem, parse_many
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from talkback.errors import RateLimited
from talkback.live.brokers import is_shared

POSTS_PER_READER = "5/minute;40/hour"
POSTS_PER_SITE = "600/minute"
VOTES_PER_READER = "60/minute"
# Each checkout is a call to Stripe made on a reader's behalf; a script must not turn us
# into a generator of sessions.
CHECKOUTS_PER_READER = "10/minute;60/hour"


class RateLimits:
    def __init__(self, broker_url: str, enabled: bool) -> None:
        self.enabled = enabled
        self._pool: redis.ConnectionPool | None = None
        if is_shared(broker_url):
            # redis-py's asyncio client (already used for live updates), on a pool of ours
            # so that closing the app closes its connections. The pool decides where the
            # counters go; the scheme only picks the `limits` storage class.
            self._pool = redis.ConnectionPool.from_url(broker_url)
            storage = storage_from_string(
                "async+redis+unix://" if broker_url.startswith("unix://") else "async+redis://",
                implementation="redispy",
                connection_pool=self._pool,  # type: ignore[arg-type]  # passed through
            )
        else:
            storage = storage_from_string("async+memory://")
        self._limiter = MovingWindowRateLimiter(storage)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()

    async def check(self, rules: str, *identifiers: str, what: str) -> None:
        """Count one more `what` against every rule for `identifiers`, or raise RateLimited."""
        if not self.enabled:
            return
        for item in parse_many(rules):
            if not await self._limiter.hit(item, *identifiers):
                raise RateLimited(
                    f"too many {what}; please wait a moment and try again",
                    retry_after=await self._seconds_until_free(item, *identifiers),
                )

    async def _seconds_until_free(self, item: RateLimitItem, *identifiers: str) -> int:
        stats = await self._limiter.get_window_stats(item, *identifiers)
        return max(1, math.ceil(stats.reset_time - time.time()))
