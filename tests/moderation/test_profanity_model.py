"""The lean form of the shipped model gives the package's own probabilities."""

from __future__ import annotations

import random

import pytest
from profanity_check import predict_prob

from talkback.moderation.profanity_model import LinearTextModel, export_model, load_in_subprocess

WORDS = [
    "you",
    "are",
    "an",
    "idiot",
    "stupid",
    "fuck",
    "the",
    "council",
    "budget",
    "bridge",
    "shit",
    "great",
    "article",
    "thanks",
    "I",
    "disagree",
    "moron",
    "hell",
    "damn",
    "nice",
    "work",
    "Straße",
    "naïve",
    "CAPITALS",
    "don't",
    "won't",
    "2026",
    "x",
]


@pytest.fixture(scope="module")
def lean() -> LinearTextModel:
    return export_model()


def test_same_probabilities_as_the_package(lean: LinearTextModel) -> None:
    shuffle = random.Random(2026)
    texts = [
        " ".join(shuffle.choice(WORDS) for _ in range(shuffle.randint(0, 40))) for _ in range(1000)
    ] + ["", "!!!", "a b c", "FUCK!!!", "the the the", "idiot, idiot; IDIOT."]
    expected = predict_prob(texts)
    assert lean.predict(texts) == pytest.approx(list(expected), abs=1e-12)


def test_survives_its_serialised_form(lean: LinearTextModel) -> None:
    texts = ["You are a moron.", "Thanks for the careful reporting."]
    assert LinearTextModel.from_json(lean.to_json()).predict(texts) == lean.predict(texts)


def test_the_server_loads_it_from_a_child_process() -> None:
    """The worker keeps only the numbers: the package is unpickled elsewhere."""
    model = load_in_subprocess()
    assert model.predict(["You stupid idiot."])[0] > 0.75
