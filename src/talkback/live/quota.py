"""A cap on the live streams one client address holds open in this process.

Each open stream costs a file descriptor, a socket buffer and a subscription; without a
cap, one address opening thousands would use up the process's descriptors and shut
everyone else's widgets out. The cap is per process (each worker and node counts its
own); nginx's `limit_conn` (deploy/nginx/talkback.conf) caps the whole node. Readers
behind one office NAT share an address, so the default leaves room for a newsroom.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from talkback.errors import RateLimited

RETRY_SECONDS = 30
"""When a refused widget may try again: long enough for a closed tab's stream to end."""


class StreamQuota:
    def __init__(self, per_address: int) -> None:
        self.per_address = per_address
        self._open: Counter[str] = Counter()

    @contextmanager
    def hold(self, address: str) -> Iterator[None]:
        """One stream's place for `address` while the block runs; `RateLimited` (429) if
        the address already holds `per_address` of them."""
        if self._open[address] >= self.per_address:
            raise RateLimited(
                f"this address already has {self.per_address} live streams open",
                retry_after=RETRY_SECONDS,
            )
        self._open[address] += 1
        try:
            yield
        finally:
            self._open[address] -= 1
            if not self._open[address]:
                del self._open[address]
