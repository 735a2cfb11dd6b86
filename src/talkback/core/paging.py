"""Sort orders and opaque keyset cursors for thread pages.

Keyset paging keeps the cost of a page independent of its depth in the thread: page 500
costs what page 1 costs. Every order ends in the comment id, so ties are broken the same
way on every read and no comment appears on two pages or on none.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Sort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    MOST_VOTED = "most_voted"


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Cursor:
    """The sort key of the last comment on the previous page."""

    sort: Sort
    created_at: datetime
    score: int
    comment_id: int

    def encode(self) -> str:
        payload = [self.sort.value, self.created_at.isoformat(), self.score, self.comment_id]
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, sort: Sort) -> Cursor:
    """Parse a cursor made by `Cursor.encode` for the same sort order."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        sort_name, created, score, comment_id = json.loads(raw)
        moment = datetime.fromisoformat(created)
        cursor = Cursor(Sort(sort_name), moment, int(score), int(comment_id))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise InvalidCursor("cursor is not one this server issued") from exc
    if cursor.sort is not sort:
        raise InvalidCursor("cursor belongs to another sort order")
    if cursor.created_at.tzinfo is None:
        raise InvalidCursor("cursor is not one this server issued")
    return cursor
