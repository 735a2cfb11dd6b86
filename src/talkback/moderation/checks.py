"""The pure checks of the pipeline. Each looks at one aspect and may return a finding.

They see a `Submission`, never the database: what needs history (duplicates, floods,
first comments, bans) is looked up by the service and handed in as facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from talkback.moderation.deobfuscation import addressed_insults, listed_in
from talkback.moderation.findings import Action, Finding
from talkback.moderation.settings import ModerationSettings

LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Submission:
    """A new or edited comment, with the signals the widget sends and facts from history."""

    text: str
    author_name: str | None = None
    honeypot: str | None = None
    form_seconds: float | None = None
    duplicate_of_recent: bool = False
    recent_by_same_author: int = 0
    has_approved_comment: bool = False


FLOOD_LIMIT = 3  # under the rate limit (5 a minute): held before refused
INSTANT_SECONDS = 1.0


def honeypot_and_timing(item: Submission, rules: ModerationSettings) -> Finding | None:
    """Bots fill hidden fields and post the moment a form appears; clients that send no
    signals are not judged here (a plain API client is judged by the other checks alone).

    Writing fast (under the site's `min_form_seconds`, 3 s by default) does not hold a
    comment on its own: people paste what they wrote elsewhere or answer in one line, and
    holding them for it treated readers as bots. It holds only when it is near-instant
    (under INSTANT_SECONDS: nobody focuses a form, writes or pastes, and sends that fast),
    or when it comes with a second sign of a script that the submission already carries:
    a link in the text (what most spam is for), or another comment by the same author
    within the minute (a script posting in series). Alone it is recorded as an approving
    finding, so moderators still see it next to the comment.
    """
    if item.honeypot:
        return Finding("honeypot", Action.REJECT, "a field hidden from people was filled in")
    seconds, limit = item.form_seconds, rules.min_form_seconds
    if seconds is None or seconds >= limit:
        return None
    written = f"written in {seconds:.2f} s, under {limit:g} s"
    if seconds < INSTANT_SECONDS:
        return Finding("form_time", Action.HOLD, f"{written}: faster than a person sends")
    if LINK.search(item.text):
        return Finding("form_time", Action.HOLD, f"{written}, with a link")
    if item.recent_by_same_author:
        return Finding("form_time", Action.HOLD, f"{written}, after another comment just now")
    return Finding("form_time", Action.APPROVE, f"{written}; not held on its own")


def links(item: Submission, rules: ModerationSettings) -> Finding | None:
    count = len(LINK.findall(item.text))
    if count > rules.max_links:
        return Finding("links", Action.HOLD, f"{count} links, more than {rules.max_links}")
    return None


def banned_words(item: Submission, rules: ModerationSettings) -> Finding | None:
    words = {word.lower() for word in WORD.findall(f"{item.text} {item.author_name or ''}")}
    hits = sorted(words.intersection(rules.banned_words))
    if hits:
        return Finding("banned_words", Action.HOLD, f"banned words: {', '.join(hits)}")
    for pattern in rules.compiled_patterns:
        if pattern.search(item.text):
            return Finding("banned_patterns", Action.HOLD, f"matches /{pattern.pattern}/")
    return None


def word_list(item: Submission, _rules: ModerationSettings) -> Finding | None:
    """Profanity and slurs from a maintained list (`word_list.py`), however spelled.

    Held, not rejected: a list cannot tell a quotation or a reader's own word for
    themselves from abuse, and a moderator can. Beside the model rather than instead of it:
    the model misses spellings it never saw, the list misses insults made of plain words.
    """
    hits = listed_in(f"{item.text} {item.author_name or ''}")
    if hits:
        return Finding("word_list", Action.HOLD, f"listed words: {', '.join(hits)}")
    return None


def personal_attack(item: Submission, _rules: ModerationSettings) -> Finding | None:
    """Plain-word insults said to someone ("you clueless buffoon"), which the model scores
    low; held for a moderator, as the same words also describe (`word_list.INSULTS`)."""
    hits = addressed_insults(item.text)
    if hits:
        return Finding("personal_attack", Action.HOLD, f"insults a person: {', '.join(hits)}")
    return None


def toxicity(score: float, rules: ModerationSettings) -> Finding | None:
    if score >= rules.reject_threshold:
        return Finding("toxicity", Action.REJECT, "abusive language", score)
    if score >= rules.hold_threshold:
        return Finding("toxicity", Action.HOLD, "possibly abusive language", score)
    return None


def duplicates_and_floods(item: Submission, _rules: ModerationSettings) -> Finding | None:
    if item.duplicate_of_recent:
        return Finding("duplicate", Action.REJECT, "the same text was posted a moment ago")
    if item.recent_by_same_author >= FLOOD_LIMIT:
        return Finding(
            "flood", Action.HOLD, f"{item.recent_by_same_author} comments in the last minute"
        )
    return None


def site_mode(item: Submission, rules: ModerationSettings) -> Finding | None:
    if rules.mode == "pre":
        return Finding("mode", Action.HOLD, "the site reviews every comment first")
    if rules.mode == "first" and not item.has_approved_comment:
        return Finding(
            "first_comment", Action.HOLD, "a first comment is reviewed before it is shown"
        )
    return None
