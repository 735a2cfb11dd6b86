"""Each check of the pipeline on its own, and how findings combine (no model, no I/O)."""

from __future__ import annotations

import pytest

from talkback.errors import Invalid
from talkback.moderation import checks
from talkback.moderation.findings import Action
from talkback.moderation.pipeline import judge
from talkback.moderation.settings import ModerationSettings, validated_changes

RULES = ModerationSettings().with_compiled_patterns()


class FixedScorer:
    """A scorer returning one score, to test routing without the model."""

    def __init__(self, score: float) -> None:
        self.value = score

    async def score(self, text: str) -> float:
        return self.value


def rules(**changes: object) -> ModerationSettings:
    return validated_changes(RULES, dict(changes))


def test_honeypot_rejects_and_a_rushed_form_is_held() -> None:
    caught = checks.honeypot_and_timing(checks.Submission("hi", honeypot="http://x"), RULES)
    assert caught is not None
    assert caught.action is Action.REJECT
    rushed = checks.honeypot_and_timing(checks.Submission("hi", form_seconds=0.4), RULES)
    assert rushed is not None
    assert rushed.action is Action.HOLD
    assert checks.honeypot_and_timing(checks.Submission("hi"), RULES) is None


def test_too_many_links_are_held() -> None:
    text = " ".join(f"https://example.org/{n}" for n in range(4))
    assert checks.links(checks.Submission(text), RULES) is not None
    assert checks.links(checks.Submission(text), rules(max_links=4)) is None


def test_banned_words_match_whole_words_in_any_case() -> None:
    strict = rules(banned_words=["Scam"], banned_patterns=[r"buy\s+now"])
    assert checks.banned_words(checks.Submission("what a SCAM this is"), strict) is not None
    assert checks.banned_words(checks.Submission("scampi for dinner"), strict) is None
    assert checks.banned_words(checks.Submission("Buy   now!"), strict) is not None


def test_toxicity_thresholds_route_hold_and_reject() -> None:
    assert checks.toxicity(0.5, RULES) is None
    held = checks.toxicity(0.8, RULES)
    assert held is not None
    assert held.action is Action.HOLD
    rejected = checks.toxicity(0.99, RULES)
    assert rejected is not None
    assert rejected.action is Action.REJECT


def test_modes() -> None:
    assert checks.site_mode(checks.Submission("x"), rules(mode="pre")) is not None
    first = rules(mode="first")
    assert checks.site_mode(checks.Submission("x"), first) is not None
    known = checks.Submission("x", has_approved_comment=True)
    assert checks.site_mode(known, first) is None


async def test_the_most_severe_finding_wins_and_all_are_kept() -> None:
    item = checks.Submission("see https://a.example https://b.example", honeypot="bot")
    verdict = await judge(item, rules(max_links=1), FixedScorer(0.8))
    assert verdict.status == "rejected"
    assert [f["check"] for f in verdict.stored()] == ["honeypot", "links", "toxicity"]
    assert verdict.toxicity == 0.8


@pytest.mark.parametrize(
    "changes",
    [
        {"mode": "never"},
        {"hold_threshold": 1.5},
        {"hold_threshold": 0.9, "reject_threshold": 0.5},
        {"max_links": -1},
        {"banned_patterns": ["(unclosed"]},
        {"banned_words": [""]},
        {"colour": "blue"},
    ],
)
def test_bad_settings_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(Invalid):
        validated_changes(RULES, changes)
