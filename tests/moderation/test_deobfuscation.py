"""Reading comments as meant, and the word-list and insult checks built on it (no model).

Profanity and slurs below are test data: the spellings readers use to slip past a filter.
"""

from __future__ import annotations

import pytest

from talkback.moderation import checks
from talkback.moderation.deobfuscation import deobfuscated, listed_in
from talkback.moderation.findings import Action
from talkback.moderation.pipeline import toxicity_score
from talkback.moderation.settings import ModerationSettings

RULES = ModerationSettings().with_compiled_patterns()


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("f*ck this", "fuck this"),
        ("What a load of sh!t.", "what a load of shit"),
        ("a$$hole", "asshole"),
        ("sh1t", "shit"),
        ("f u c k off", "fuck off"),
        ("F.U.C.K this", "fuck this"),
        ("The ref is a d-i-c-k.", "the ref is a dick"),
        ("you are a f u c k i n g clown", "you are a fucking clown"),
        ("Fuuuuuck off", "fuck off"),
        ("Sooooo good", "soo good"),
        ("you libtard-fucker", "you libtard fucker"),
        ("shitstain", "shit stain"),
        ("Fück", "fuck"),
        ("sh\u200bit", "shit"),
    ],
)
def test_obfuscated_words_are_read_as_meant(written: str, meant: str) -> None:
    assert deobfuscated(written) == meant


@pytest.mark.parametrize(
    "text",
    [
        "The 2024 budget passed its 3rd reading.",
        "Dick Whitaker asked about the drainage.",
        "The consultation was a cock-up.",
        "She graduated summa cum laude.",
        "The class assessment starts on Monday.",
        "A chink in the armour of the bill.",
        "The gay marriage vote, the Nazi-era archive, the rape trial: all covered fairly.",
        "Damn, what a hell of a match.",
        "Plan A B C of the council.",
        "Scunthorpe and Penistone are towns.",
    ],
)
def test_civil_words_a_crude_filter_trips_on_are_not_listed(text: str) -> None:
    assert listed_in(text) == []
    assert checks.word_list(checks.Submission(text), RULES) is None


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("f**k off", "fuck"),
        ("You stupid c*nt.", "cunt"),
        ("Dick-head councillor", "dickhead"),
        ("Cock-sucker.", "cocksucker"),
        ("n1gg3r", "nigger"),
        ("Send the wetbacks back.", "wetback"),
        ("sh!t-for-brains", "shit"),
    ],
)
def test_listed_words_are_found_however_spelled(text: str, word: str) -> None:
    assert word in listed_in(text)
    finding = checks.word_list(checks.Submission(text), RULES)
    assert finding is not None
    assert finding.action is Action.HOLD


def test_the_author_name_is_checked_too() -> None:
    assert checks.word_list(checks.Submission("Hello", author_name="Sh1tlord"), RULES)


def test_plain_insults_are_held_only_when_said_to_someone() -> None:
    said = checks.personal_attack(checks.Submission("You clueless buffoon."), RULES)
    assert said is not None
    assert said.action is Action.HOLD
    assert said.reason == "insults a person: buffoon"
    for text in ("I felt like an idiot.", "Mission creep is the risk.", "A clown at the fair."):
        assert checks.personal_attack(checks.Submission(text), RULES) is None


class Recording:
    """A scorer that remembers what it was asked and scores listed profanity high."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def score(self, text: str) -> float:
        self.asked.append(text)
        return 0.99 if "fuck" in text.split() else 0.05

    async def warm_up(self) -> None:
        """Nothing to load."""


async def test_the_scorer_sees_the_text_as_meant_only_when_it_differs() -> None:
    scorer = Recording()
    assert await toxicity_score("Go f u c k yourself.", scorer) == 0.99
    assert scorer.asked == ["Go f u c k yourself.", "go fuck yourself"]
    scorer.asked.clear()
    assert await toxicity_score("The bridge opens in May!", scorer) == 0.05
    assert scorer.asked == ["The bridge opens in May!"]
