"""Each check of the pipeline on its own, and how findings combine (no model, no I/O)."""

from __future__ import annotations

from dataclasses import fields

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

    async def warm_up(self) -> None:
        """Nothing to load."""


def rules(**changes: object) -> ModerationSettings:
    return validated_changes(RULES, dict(changes))


def test_honeypot_rejects_and_a_near_instant_form_is_held() -> None:
    caught = checks.honeypot_and_timing(checks.Submission("hi", honeypot="http://x"), RULES)
    assert caught is not None
    assert caught.action is Action.REJECT
    rushed = checks.honeypot_and_timing(checks.Submission("hi", form_seconds=0.4), RULES)
    assert rushed is not None
    assert rushed.action is Action.HOLD
    assert checks.honeypot_and_timing(checks.Submission("hi"), RULES) is None


def test_fast_writing_alone_is_recorded_but_does_not_hold() -> None:
    """A reader who pastes a comment written elsewhere sends it within seconds."""
    pasted = checks.honeypot_and_timing(checks.Submission("hi", form_seconds=1.5), RULES)
    assert pasted is not None
    assert pasted.check == "form_time"
    assert pasted.action is Action.APPROVE
    unhurried = checks.Submission("hi", form_seconds=3.0)
    assert checks.honeypot_and_timing(unhurried, RULES) is None


@pytest.mark.parametrize(
    "item",
    [
        checks.Submission("cheap pills at https://spam.example", form_seconds=1.5),
        checks.Submission("cheap pills at www.spam.example", form_seconds=2.9),
        checks.Submission("another one", form_seconds=1.5, recent_by_same_author=1),
    ],
    ids=["link", "bare-link", "second-post-in-a-minute"],
)
def test_fast_writing_with_another_sign_of_a_script_is_held(item: checks.Submission) -> None:
    finding = checks.honeypot_and_timing(item, RULES)
    assert finding is not None
    assert finding.action is Action.HOLD


def test_a_site_without_the_timing_rule_judges_no_speed() -> None:
    off = rules(min_form_seconds=0)
    item = checks.Submission("see https://a.example", form_seconds=0.1, recent_by_same_author=2)
    assert checks.honeypot_and_timing(item, off) is None


def test_a_lower_threshold_holds_only_what_is_under_it() -> None:
    quick = rules(min_form_seconds=0.5)
    assert checks.honeypot_and_timing(checks.Submission("hi", form_seconds=0.6), quick) is None
    held = checks.honeypot_and_timing(checks.Submission("hi", form_seconds=0.4), quick)
    assert held is not None
    assert held.action is Action.HOLD


async def test_a_fast_but_otherwise_clean_comment_is_approved_with_the_finding_kept() -> None:
    verdict = await judge(checks.Submission("hi", form_seconds=1.2), RULES, FixedScorer(0.01))
    assert verdict.status == "approved"
    assert verdict.reasons == ()
    assert [(f["check"], f["verdict"]) for f in verdict.stored()] == [("form_time", "approved")]


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
    held = checks.toxicity(0.9, RULES)
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
    verdict = await judge(item, rules(max_links=1), FixedScorer(0.9))
    assert verdict.status == "rejected"
    assert [f["check"] for f in verdict.stored()] == ["honeypot", "links", "toxicity"]
    assert verdict.toxicity == 0.9
    assert verdict.reasons == ("automated",)  # what decided it, the trap unnamed


async def test_the_reasons_of_a_hold_are_the_checks_that_held_it_once_each() -> None:
    item = checks.Submission("see https://a.example https://b.example", form_seconds=1.5)
    verdict = await judge(item, rules(max_links=1, mode="pre"), FixedScorer(0.9))
    assert verdict.status == "pending"
    assert verdict.reasons == ("form_time", "links", "toxicity", "mode")


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


def test_stored_rules_name_every_rule_and_read_back_as_they_were() -> None:
    changed = rules(mode="first", hold_threshold=0.5, banned_words=["Scoundrel"], max_links=1)
    stored = changed.stored()
    assert list(stored) == [
        f.name for f in fields(ModerationSettings) if f.name != "compiled_patterns"
    ]
    assert ModerationSettings.from_site(stored) == changed
