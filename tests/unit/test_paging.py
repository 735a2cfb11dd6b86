"""Cursors and reply nesting."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from talkback.core.paging import Cursor, InvalidCursor, Sort, decode_cursor
from talkback.core.threads import Nestable, nest_replies


@given(
    sort=st.sampled_from(Sort),
    moment=st.datetimes(timezones=st.just(UTC)),
    score=st.integers(-(10**6), 10**6),
    comment_id=st.integers(1, 2**53),
)
def test_cursor_round_trips(sort: Sort, moment: datetime, score: int, comment_id: int) -> None:
    cursor = Cursor(sort, moment, score, comment_id)
    assert decode_cursor(cursor.encode(), sort) == cursor


@given(token=st.text(max_size=80))
def test_arbitrary_text_is_never_a_crash(token: str) -> None:
    with contextlib.suppress(InvalidCursor):
        decode_cursor(token, Sort.NEWEST)


def test_cursor_for_another_sort_is_refused() -> None:
    token = Cursor(Sort.NEWEST, datetime(2026, 1, 1, tzinfo=UTC), 0, 1).encode()
    with pytest.raises(InvalidCursor):
        decode_cursor(token, Sort.OLDEST)


def test_nest_replies_builds_trees_and_drops_orphans() -> None:
    roots: list[Nestable] = [
        {"id": 1, "parent_id": None, "replies": []},
        {"id": 2, "parent_id": None, "replies": []},
    ]
    replies: list[Nestable] = [
        {"id": 3, "parent_id": 1, "replies": []},
        {"id": 4, "parent_id": 3, "replies": []},
        {"id": 5, "parent_id": 2, "replies": []},
        {"id": 6, "parent_id": 99, "replies": []},
    ]
    nested = nest_replies(roots, replies)
    assert [r["id"] for r in nested[0]["replies"]] == [3]
    assert [r["id"] for r in nested[0]["replies"][0]["replies"]] == [4]
    assert [r["id"] for r in nested[1]["replies"]] == [5]
