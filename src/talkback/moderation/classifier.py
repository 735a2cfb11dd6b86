"""Toxicity scoring behind a small interface, so a site can plug in another scorer.

The shipped scorer is alt-profanity-check's offline model. Scoring one text costs about
as much as scoring a hundred (the cost is per call, and mostly Python holding the GIL),
so concurrent posts are scored together: one batch at a time goes to the model, in a worker
thread so the event loop never waits on it, and texts that arrive meanwhile wait to go
together in the next batch. Under load, batches grow instead of calls multiplying.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from functools import cache
from typing import Protocol


class Scorer(Protocol):
    async def score(self, text: str) -> float:
        """A probability in [0, 1] that the text is abusive."""
        ...


class BatchingScorer:
    """Scores texts in batches with a blocking batch function run in a thread."""

    def __init__(self, load: Callable[[], Callable[[Sequence[str]], Sequence[float]]]) -> None:
        self._load = load
        self._predict: Callable[[Sequence[str]], Sequence[float]] | None = None
        self._loading: asyncio.Future[None] | None = None
        self._pending: list[tuple[str, asyncio.Future[float]]] = []
        self._running: asyncio.Future[None] | None = None

    async def warm_up(self) -> None:
        """Load the model (about a second) before the first comment needs it."""
        if self._predict is not None:
            return
        if self._loading is None:
            self._loading = asyncio.ensure_future(self._load_in_thread())
        await asyncio.shield(self._loading)

    async def score(self, text: str) -> float:
        await self.warm_up()
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._pending.append((text, future))
        if len(self._pending) == 1 and not self._scoring():
            asyncio.get_running_loop().call_soon(self._flush)
        return await future

    def _scoring(self) -> bool:
        """Whether a batch is in flight on this loop (one left by a closed loop is not)."""
        running = self._running
        return (
            running is not None
            and not running.done()
            and running.get_loop() is asyncio.get_running_loop()
        )

    async def _load_in_thread(self) -> None:
        self._predict = await asyncio.to_thread(self._load)

    def _flush(self) -> None:
        """Send what is pending as one batch; the next goes when this one is scored."""
        batch, self._pending = self._pending, []
        # Held until done: a task nobody references may be collected mid-flight.
        self._running = asyncio.ensure_future(self._score_batch(batch))
        self._running.add_done_callback(self._batch_done)

    def _batch_done(self, _task: asyncio.Future[None]) -> None:
        self._running = None
        if self._pending:
            self._flush()

    async def _score_batch(self, batch: list[tuple[str, asyncio.Future[float]]]) -> None:
        predict = self._predict
        assert predict is not None
        try:
            scores = await asyncio.to_thread(predict, [text for text, _ in batch])
        except Exception as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), value in zip(batch, scores, strict=True):
            if not future.done():
                future.set_result(float(value))


@cache
def _load_profanity_model() -> Callable[[Sequence[str]], Sequence[float]]:
    """Loaded once per process (about a second), whatever number of apps it serves."""
    from profanity_check import predict_prob

    def predict(texts: Sequence[str]) -> Sequence[float]:
        return [float(value) for value in predict_prob(list(texts))]

    return predict


def profanity_scorer() -> BatchingScorer:
    """The shipped scorer: alt-profanity-check's model, offline."""
    return BatchingScorer(_load_profanity_model)
