"""Toxicity scoring behind a small interface, so a deployment can plug in another scorer.

The shipped scorer is alt-profanity-check's offline model in its lean form
(`profanity_model.py`): about 30 µs a text, so it runs on the event loop, where a hop to a
worker thread would cost more than the scoring. Texts that arrive in the same turn of the
loop (concurrent posts) are scored together in one call, and the model loads (in a child
process, about two seconds) in a thread while the server starts, never on a request.
"""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import Callable, Sequence
from functools import cache
from typing import Protocol, runtime_checkable

from talkback.moderation.profanity_model import load_in_subprocess
from talkback.observability.metrics import record_scoring_batch


@runtime_checkable
class Scorer(Protocol):
    """What `TALKBACK_SCORER` names a factory of (docs/moderation.md).

    Both methods run on the server's event loop: a scorer that computes for more than a
    fraction of a millisecond, or waits on a service, must hand that work to a thread or
    await it, or every request waits with it.
    """

    async def score(self, text: str) -> float:
        """A probability in [0, 1] that the text is abusive."""
        ...

    async def warm_up(self) -> None:
        """Load what scoring needs; awaited at startup and by /ready, so the first comment
        never pays for it. Returns at once once loaded."""
        ...


class ScorerNotFound(RuntimeError):
    """`TALKBACK_SCORER` does not name a factory of a scorer."""


class BatchingScorer:
    """Scores the texts of one turn of the event loop in one call of a batch function.

    `load` may block (it runs in a thread); the function it returns must be quick, as it
    runs on the event loop.
    """

    def __init__(self, load: Callable[[], Callable[[Sequence[str]], Sequence[float]]]) -> None:
        self._load = load
        self._predict: Callable[[Sequence[str]], Sequence[float]] | None = None
        self._loading: asyncio.Future[None] | None = None
        self._pending: list[tuple[str, asyncio.Future[float]]] = []

    async def warm_up(self) -> None:
        """Load the model (about two seconds) before the first comment needs it."""
        if self._predict is not None:
            return
        if self._loading is None:
            self._loading = asyncio.ensure_future(self._load_in_thread())
        await asyncio.shield(self._loading)

    async def score(self, text: str) -> float:
        await self.warm_up()
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._pending.append((text, future))
        if len(self._pending) == 1:
            asyncio.get_running_loop().call_soon(self._flush)
        return await future

    async def _load_in_thread(self) -> None:
        self._predict = await asyncio.to_thread(self._load)

    def _flush(self) -> None:
        """Score what is pending as one batch."""
        batch, self._pending = self._pending, []
        predict = self._predict
        assert predict is not None
        started = time.perf_counter()
        try:
            scores = predict([text for text, _ in batch])
        except Exception as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        record_scoring_batch(len(batch), time.perf_counter() - started)
        for (_, future), value in zip(batch, scores, strict=True):
            if not future.done():
                future.set_result(float(value))


@cache
def _load_profanity_model() -> Callable[[Sequence[str]], Sequence[float]]:
    """Loaded once per process, whatever number of apps it serves."""
    return load_in_subprocess().predict


def profanity_scorer() -> BatchingScorer:
    """The shipped scorer: alt-profanity-check's model, offline."""
    return BatchingScorer(_load_profanity_model)


def scorer_from_setting(spec: str | None) -> Scorer:
    """The scorer a deployment chose: `module:attribute` names a callable taking no
    arguments (a class or a function) that returns a `Scorer`; unset, the shipped one.
    A wrong name fails when the server starts, not on the first comment."""
    if not spec:
        return profanity_scorer()
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ScorerNotFound(f"TALKBACK_SCORER={spec!r}: write it as module:attribute")
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise ScorerNotFound(f"TALKBACK_SCORER={spec!r}: {exc}") from exc
    scorer = factory()
    if not isinstance(scorer, Scorer):
        raise ScorerNotFound(
            f"TALKBACK_SCORER={spec!r} made a {type(scorer).__name__}, which lacks "
            "`async score(text) -> float` or `async warm_up()`"
        )
    return scorer
