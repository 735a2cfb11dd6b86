"""What a node may assume about a thread's version without asking the database."""

from __future__ import annotations

import pytest

from talkback.comments import thread_states
from talkback.comments.thread_states import ThreadState, ThreadStates

STATE = ThreadState(id=1, version=3, title="t", count=2)
A = ("news", "/a")
B = ("news", "/b")


def test_a_fresh_state_is_recalled() -> None:
    states = ThreadStates()
    states.remember(A, STATE, states.generation(A))
    assert states.recall(A) == (True, STATE)
    assert states.recall(B) == (False, None)


def test_an_absent_thread_is_remembered_as_absent() -> None:
    states = ThreadStates()
    states.remember(A, None, 0)
    assert states.recall(A) == (True, None)


def test_a_change_makes_the_state_unknown() -> None:
    states = ThreadStates()
    states.remember(A, STATE, 0)
    states.forget("news", "/a")
    assert states.recall(A) == (False, None)


def test_a_lookup_that_raced_a_change_is_not_stored() -> None:
    states = ThreadStates()
    generation = states.generation(A)
    states.forget("news", "/a")  # a change lands while the lookup is in flight
    states.remember(A, STATE, generation)
    assert states.recall(A) == (False, None)


def test_states_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    states = ThreadStates()
    states.remember(A, STATE, 0)
    monkeypatch.setattr(thread_states, "FRESH_SECONDS", -1.0)
    assert states.recall(A) == (False, None)


def test_an_expired_state_answers_while_one_reader_looks_it_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [100.0]
    monkeypatch.setattr("talkback.comments.thread_states.time.monotonic", lambda: now[0])
    states = ThreadStates()
    states.remember(A, STATE, states.generation(A))
    assert states.recall_or_refresh(A) == (True, STATE, False)
    now[0] += thread_states.FRESH_SECONDS + 0.1
    assert states.recall_or_refresh(A) == (True, STATE, True)  # this one looks it up
    assert states.recall_or_refresh(A) == (True, STATE, False)  # the others wait for it
    states.remember(A, STATE, states.generation(A))
    assert states.recall_or_refresh(A) == (True, STATE, False)
    now[0] += thread_states.STALE_SECONDS + 0.1
    assert states.recall_or_refresh(A) == (False, None, False)  # too old to answer


def test_a_change_is_never_answered_from_an_expired_state(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [100.0]
    monkeypatch.setattr("talkback.comments.thread_states.time.monotonic", lambda: now[0])
    states = ThreadStates()
    states.remember(A, STATE, states.generation(A))
    now[0] += thread_states.FRESH_SECONDS + 0.1
    states.forget("news", "/a")
    assert states.recall_or_refresh(A) == (False, None, False)
