"""Rendered thread pages, kept per process and keyed by the thread's version.

Every change to a thread bumps `threads.version`, so a cached page is never stale: a read
looks the version up (one indexed row) and either finds the page's bytes here or builds
them. Nothing needs invalidating across processes or nodes.
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
    """A bounded least-recently-used map from page key to rendered page."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._pages: OrderedDict[Hashable, RenderedPage] = OrderedDict()

    def get(self, key: Hashable) -> RenderedPage | None:
        page = self._pages.get(key)
        if page is not None:
            self._pages.move_to_end(key)
        return page

    def put(self, key: Hashable, page: RenderedPage) -> None:
        if self._capacity == 0:
            return
        self._pages[key] = page
        self._pages.move_to_end(key)
        while len(self._pages) > self._capacity:
            self._pages.popitem(last=False)
