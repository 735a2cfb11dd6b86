"""Where a reader's passage is in the article's text today, or that it is gone.

Inline feedback is anchored to words of the article (a W3C TextQuoteSelector: the quote and
a little context on each side, plus the offsets it was taken at as a hint). Newsrooms edit
articles after readers have commented on them, so the offsets go stale. The rules, from the
surest to the least sure, stop at the first that places the passage:

1. `position`: the quote is still at its offsets, with its context around it.
2. `quote`: the quote occurs once in the text, and is long enough to be told apart, or
   its context agrees (words inserted before it; the paragraph moved).
3. `context`: the quote occurs several times; the occurrence whose surroundings agree best
   with the saved context wins, a tie going to the one nearest the offsets. When no
   occurrence's context agrees at all, nothing is guessed.
4. `fuzzy`: the quote was edited (a word inserted, punctuation changed): the best
   approximate match (rapidfuzz), near the offsets first, if it is similar enough and the
   quote long enough for similarity to mean anything. The highlight covers the matched
   words only, trimmed of what was inserted at its ends.
5. `changed`: none of these; the feedback is shown with its original quote instead.

Offsets in and out are UTF-16 code units, as the browser counts them in the article's text
(`docs/inline-feedback.md` says which text); Python counts code points, so they are
converted at the edges.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

MIN_DISTINCT_QUOTE = 12
"""A quote this long occurring once is taken without its context agreeing: shorter ones
("the", "a claim") occur by chance in whatever text replaced the passage."""
MIN_FUZZY_QUOTE = 20
"""Below this, an approximate match is as likely to be other words as the edited quote."""
FUZZY_THRESHOLD = 75.0
"""rapidfuzz's partial ratio (0 to 100) a match needs. Measured on the table of edits in
tests/unit/test_anchoring.py: edited quotes score 77 to 97 (numbers written as digits the
lowest), rewritten or deleted passages 46 to 51."""
MIN_AGREEMENT = 8
"""Characters of saved context that must still be next to a copy of the quote for the
context to count: one space or letter agrees by chance."""


ASTRAL = re.compile("[\U00010000-\U0010ffff]")
"""Characters the browser counts as two (a surrogate pair): emoji, some CJK, maths."""


class How(StrEnum):
    POSITION = "position"
    QUOTE = "quote"
    CONTEXT = "context"
    FUZZY = "fuzzy"
    CHANGED = "changed"


@dataclass(frozen=True, slots=True)
class Quote:
    """A passage as it was selected: offsets (UTF-16) only when the widget sent them."""

    exact: str
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the passage is now (UTF-16 offsets), or `how` is CHANGED and both are None."""

    start: int | None
    end: int | None
    how: How


CHANGED = Placement(None, None, How.CHANGED)


def text_hash(text: str) -> str:
    """The article text's fingerprint, as the widget computes it (SHA-256 of UTF-8)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def locate(quote: Quote, text: str) -> Placement:
    """Where `quote` is in `text` today, by the rules in this module's docstring."""
    return locate_all([quote], text)[0]


def locate_all(quotes: Iterable[Quote], text: str) -> list[Placement]:
    """`locate` for each quote, with the text's offsets worked out once."""
    offsets = _Offsets(text)
    return [_locate(quote, text, offsets) for quote in quotes]


def _locate(quote: Quote, text: str, offsets: _Offsets) -> Placement:
    hint = offsets.to_index(quote.start) if quote.start is not None else None
    if hint is not None and _at_position(quote, text, hint):
        end = hint + len(quote.exact)
        return Placement(offsets.to_utf16(hint), offsets.to_utf16(end), How.POSITION)
    occurrences = _occurrences(text, quote.exact)
    # When the words are there, the question is which copy (or none, if that cannot be
    # told); an approximate match is only looked for when they are not.
    found = _exact(quote, text, hint, occurrences) if occurrences else _fuzzy(quote, text, hint)
    if found is None:
        return CHANGED
    start, end, how = found
    return Placement(offsets.to_utf16(start), offsets.to_utf16(end), how)


def _at_position(quote: Quote, text: str, at: int) -> bool:
    """The quote is still at its offsets, with all of its context around it."""
    context = len(quote.prefix) + len(quote.suffix)
    return text.startswith(quote.exact, at) and _agreement(quote, text, at) == context


def _exact(
    quote: Quote, text: str, hint: int | None, occurrences: list[int]
) -> tuple[int, int, How] | None:
    exact = quote.exact
    agreements = [_agreement(quote, text, at) for at in occurrences]
    best = max(agreements)
    needed = min(MIN_AGREEMENT, len(quote.prefix) + len(quote.suffix))
    if len(occurrences) == 1:
        if best >= needed or len(exact) >= MIN_DISTINCT_QUOTE:
            return occurrences[0], occurrences[0] + len(exact), How.QUOTE
        return None
    if best < needed:
        return None  # a common phrase, and nothing around any copy of it is what was there
    winners = [at for at, agreed in zip(occurrences, agreements, strict=True) if agreed == best]
    if len(winners) > 1 and hint is None:
        return None
    at = min(winners, key=lambda at: abs(at - hint)) if hint is not None else winners[0]
    return at, at + len(exact), How.CONTEXT


MAX_OCCURRENCES = 1_000
"""Bounds the work a one-letter quote in a long article costs."""


def _occurrences(text: str, exact: str) -> list[int]:
    found: list[int] = []
    at = text.find(exact)
    while at != -1 and len(found) < MAX_OCCURRENCES:
        found.append(at)
        at = text.find(exact, at + 1)
    return found


def _agreement(quote: Quote, text: str, at: int) -> int:
    """How many characters of the saved context are still next to the quote at `at`."""
    before = text[max(0, at - len(quote.prefix)) : at]
    after_start = at + len(quote.exact)
    after = text[after_start : after_start + len(quote.suffix)]
    return _common_suffix(before, quote.prefix) + _common_prefix(after, quote.suffix)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])


def _fuzzy(quote: Quote, text: str, hint: int | None) -> tuple[int, int, How] | None:
    exact = quote.exact
    if len(exact) < MIN_FUZZY_QUOTE:
        return None
    regions = [(0, len(text))]
    if hint is not None:  # near where it was first: of two similar sentences, the one it was
        regions.insert(0, (max(0, hint - 2 * len(exact)), hint + 3 * len(exact)))
    for low, high in regions:
        match = fuzz.partial_ratio_alignment(exact, text[low:high], score_cutoff=FUZZY_THRESHOLD)
        if match is not None:
            return _trimmed(exact, text, low + match.dest_start, low + match.dest_end)
    return None


EDGE = 8
"""Characters at each end of the quote looked for on their own, to find where the edited
passage begins and ends: long enough not to line up by chance near the match, short
enough that words inserted into the passage do not pull the edge inside it."""
EDGE_THRESHOLD = 60.0


def _trimmed(exact: str, text: str, start: int, end: int) -> tuple[int, int, How]:
    """The passage's real extent around the match. The match is exactly as long as the
    quote, so words inserted into the passage push its first or last words outside it:
    the quote's first and last EDGE characters are looked for within half a quote of each
    end, and the match's own ends are kept where they are not found."""
    slack = len(exact) // 2
    edge = min(EDGE, len(exact) // 2)
    head = _best_window(exact[:edge], text, start - slack, start + edge + slack)
    tail = _best_window(exact[-edge:], text, end - edge - slack, end + slack)
    first = head[0] if head else start
    last = tail[1] if tail else end
    if first >= last:
        return start, end, How.FUZZY
    # An edge's match may take in the space next to the word it found.
    while first < last - 1 and text[first].isspace() and not exact[0].isspace():
        first += 1
    while last > first + 1 and text[last - 1].isspace() and not exact[-1].isspace():
        last -= 1
    return first, last, How.FUZZY


def _best_window(part: str, text: str, low: int, high: int) -> tuple[int, int] | None:
    low, high = max(0, low), min(len(text), high)
    match = fuzz.partial_ratio_alignment(part, text[low:high], score_cutoff=EDGE_THRESHOLD)
    return (low + match.dest_start, low + match.dest_end) if match is not None else None


class _Offsets:
    """Converts between the browser's UTF-16 offsets and Python's string indexes; the
    identity for text without characters outside the Basic Multilingual Plane (most)."""

    def __init__(self, text: str) -> None:
        self._astral = [match.start() for match in ASTRAL.finditer(text)]

    def to_utf16(self, index: int) -> int:
        return index + sum(1 for i in self._astral if i < index)

    def to_index(self, utf16: int) -> int:
        index, units = 0, 0
        for astral in self._astral:
            if units + (astral - index) >= utf16:
                break  # the offset is before this character
            units += astral - index + 2
            index = astral + 1
        return index + max(0, utf16 - units)
