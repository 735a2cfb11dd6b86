"""Rendered thread pages, kept per process and keyed by the thread's version.

Every change to a thread bumps `threads.version`, so a cached page is never stale: a read
looks the version up (one indexed row) and either finds the page's bytes here or builds
them. Nothing needs invalidating across processes or nodes. The cache is bounded by the
bytes it holds, since one page of a busy thread can weigh a hundred small ones.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RenderedPage:
    etag: str
    body: bytes


class PageCache:
    """A least-recently-used map from page key to rendered page, at most `capacity` bytes."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._size = 0
        self._pages: OrderedDict[Hashable, RenderedPage] = OrderedDict()

    def get(self, key: Hashable) -> RenderedPage | None:
        page = self._pages.get(key)
        if page is not None:
            self._pages.move_to_end(key)
        return page

    def put(self, key: Hashable, page: RenderedPage) -> None:
        if len(page.body) > self._capacity:
            return
        previous = self._pages.pop(key, None)
        if previous is not None:
            self._size -= len(previous.body)
        self._pages[key] = page
        self._size += len(page.body)
        while self._size > self._capacity:
            _, evicted = self._pages.popitem(last=False)
            self._size -= len(evicted.body)
