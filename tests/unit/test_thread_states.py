"""What a node may assume about a thread's version without asking the database."""

from __future__ import annotations

import pytest

from talkback.comments import thread_states
from talkback.comments.thread_states import ThreadState, ThreadStates

STATE = ThreadState(id=1, version=3, title="t", count=2)


def test_a_fresh_state_is_recalled() -> None:
    states = ThreadStates()
    states.remember("news /a", STATE, states.generation("news /a"))
    assert states.recall("news /a") == (True, STATE)
    assert states.recall("news /b") == (False, None)


def test_an_absent_thread_is_remembered_as_absent() -> None:
    states = ThreadStates()
    states.remember("news /a", None, 0)
    assert states.recall("news /a") == (True, None)


def test_an_event_makes_the_state_unknown() -> None:
    states = ThreadStates()
    states.remember("news /a", STATE, 0)
    states.forget("news /a")
    assert states.recall("news /a") == (False, None)


def test_a_lookup_that_raced_an_event_is_not_stored() -> None:
    states = ThreadStates()
    generation = states.generation("news /a")
    states.forget("news /a")  # an event arrives while the lookup is in flight
    states.remember("news /a", STATE, generation)
    assert states.recall("news /a") == (False, None)


def test_states_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    states = ThreadStates()
    states.remember("news /a", STATE, 0)
    monkeypatch.setattr(thread_states, "FRESH_SECONDS", -1.0)
    assert states.recall("news /a") == (False, None)
