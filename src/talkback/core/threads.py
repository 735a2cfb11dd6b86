"""Thread shape: turning flat rows into the nested reply trees the API serves."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypedDict, TypeVar


class Nestable(TypedDict):
    """What nesting needs of a comment; the API's comment view has it, and more."""

    id: int
    parent_id: int | None
    replies: list[Any]


C = TypeVar("C", bound=Nestable)


def nest_replies(roots: list[C], replies: Iterable[C]) -> list[C]:
    """Attach each reply under its parent, in place, and return the roots.

    Replies are listed oldest first under every parent whatever the page's sort, so a
    conversation reads in the order it happened. `replies` must be ordered oldest first.
    A reply whose parent is not in the tree (it cannot be shown) is left out.
    """
    by_id: dict[int | None, C] = {}
    for root in roots:
        root["replies"] = []
        by_id[root["id"]] = root
    pending = list(replies)
    for reply in pending:
        reply["replies"] = []
        by_id[reply["id"]] = reply
    for reply in pending:
        parent = by_id.get(reply["parent_id"])
        if parent is not None:
            parent["replies"].append(reply)
    return roots
