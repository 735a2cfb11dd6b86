"""The shipped toxicity model, offline, scoring our own examples in batches."""

from __future__ import annotations

import asyncio

from talkback.moderation.classifier import profanity_scorer

ABUSIVE = [
    "You are an idiot and everyone on this council is a moron.",
    "Shut up, you stupid clown.",
]
CIVIL = [
    "The barrier should go ahead; the flood maps from 2024 make that clear.",
    "I disagree with the delay, but I understand why they want a second review.",
]


async def test_abusive_text_scores_high_and_civil_text_low() -> None:
    scorer = profanity_scorer()
    scores = await asyncio.gather(*(scorer.score(text) for text in ABUSIVE + CIVIL))
    assert all(score > 0.75 for score in scores[: len(ABUSIVE)]), scores
    assert all(score < 0.3 for score in scores[len(ABUSIVE) :]), scores
