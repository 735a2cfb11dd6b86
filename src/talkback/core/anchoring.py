"""Where a reader's passage is in the article's text today, or that it is gone.

Inline feedback is anchored to words of the article (a W3C TextQuoteSelector: the quote and
a little context on each side, plus the offsets it was taken at as a hint). Newsrooms edit
articles after readers have commented on them, so the offsets go stale. The rules, from the
surest to the least sure, stop at the first that places the passage:

1. `position`: the quote is still at its offsets, with its context around it.
2. `quote`: the quote occurs once in the text, and is long enough to be told apart (24
   characters and five words), or its context agrees (words inserted before it; the
   paragraph moved).
3. `context`: the quote occurs several times; the occurrence whose surroundings agree best
   with the saved context wins, a tie going to the one nearest the offsets. When no
   occurrence's context agrees at all, nothing is guessed.
4. `fuzzy`: the quote was edited (a word inserted, punctuation or capitals changed).
   First, what lies between the saved context, when both sides are still there as they
   were and what is between them is still like the quote. Otherwise the best approximate
   match (rapidfuzz, ignoring case), near the offsets first, if it is similar enough, the
   quote long enough for similarity to mean anything, and the saved context still beside
   it (on one side; on both for a quote under 30 characters): other sentences share words
   by chance ("each angry survey", "each angry garden"), rarely their surroundings too.
   The highlight covers the matched words, trimmed of what was inserted at its ends and
   widened to whole words.
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

MIN_DISTINCT_QUOTE = 24
"""A quote this long occurring once is taken without its context agreeing: shorter ones
("the", "a claim") occur by chance in whatever text replaced the passage. Measured with
bench/inline_anchoring.py (50 articles, 30,000 edits): at 12 characters, deleted or
rewritten passages were placed on a lone copy of their words elsewhere."""
MIN_DISTINCT_WORDS = 5
"""...in words too: four words ("this northern winter number") recur in a long article."""
MIN_FUZZY_QUOTE = 20
"""Below this, an approximate match is as likely to be other words as the edited quote."""
FUZZY_THRESHOLD = 75.0
"""rapidfuzz's partial ratio (0 to 100) a match needs. Measured on the table of edits in
tests/unit/test_anchoring.py: edited quotes score 77 to 97 (numbers written as digits the
lowest), rewritten or deleted passages 46 to 51."""
FUZZY_CONTEXT = 16
"""Characters of saved context, those nearest the quote, compared with what is beside an
approximate match."""
FUZZY_CONTEXT_THRESHOLD = 85.0
"""rapidfuzz's ratio that context needs to count as still there. Measured with
bench/inline_anchoring.py's table of edits (4,200 trials, 1,261 approximate matches
checked): beside the edited passage, 100 on at least one side; beside other words that
happen to resemble the quote, at most 75 on either side. 85 leaves a letter or two of the
context itself edited."""
BETWEEN_STRETCH = 2
"""How much longer or shorter than the quote the text between its context may have become."""
BETWEEN_WORDS_KEPT = 0.5
"""The share of the quote's words that must still be between its context. Measured with
bench/inline_anchoring.py (30 articles): passages edited inside keep 0.67 to 1; sentences
rewritten between the same context keep at most 0.2."""
FUZZY_ONE_SIDE = 30
"""A shorter quote matched approximately needs its context on both sides, not one."""
MIN_FUZZY_EXTENT = 0.5
"""A match narrower than this share of the quote is a fragment of other words."""
MIN_AGREEMENT = 16
"""Characters of saved context that must still be next to a copy of the quote, on one
side, for the context to count: a space, a letter, even a word (" market") agree by
chance. Measured with bench/inline_anchoring.py: at 8, counted over both sides, copies
elsewhere of a deleted or rewritten passage were taken for it."""


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
    folded = _Folded(text)
    return [_locate(quote, text, offsets, folded) for quote in quotes]


def _locate(quote: Quote, text: str, offsets: _Offsets, folded: _Folded) -> Placement:
    hint = offsets.to_index(quote.start) if quote.start is not None else None
    if hint is not None and _at_position(quote, text, hint):
        end = hint + len(quote.exact)
        return Placement(offsets.to_utf16(hint), offsets.to_utf16(end), How.POSITION)
    occurrences = _occurrences(text, quote.exact)
    # When the words are there, the question is which copy (or none, if that cannot be
    # told); if none is the passage, it may still be there, edited, between its context.
    # An approximate match is only looked for when the words are nowhere.
    if occurrences:
        found = _exact(quote, text, hint, occurrences) or _edited_between(quote, text, folded, hint)
    else:
        found = _fuzzy(_fold(quote), folded.text, hint)
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
    if len(occurrences) == 1:
        if _distinct(exact) or _context_agrees(quote, text, occurrences[0]):
            return occurrences[0], occurrences[0] + len(exact), How.QUOTE
        return None
    candidates = [at for at in occurrences if _context_agrees(quote, text, at)]
    if not candidates:
        return None  # a common phrase, and nothing around any copy of it is what was there
    agreements = [_agreement(quote, text, at) for at in candidates]
    best = max(agreements)
    winners = [at for at, agreed in zip(candidates, agreements, strict=True) if agreed == best]
    if len(winners) > 1 and hint is None:
        return None
    at = min(winners, key=lambda at: abs(at - hint)) if hint is not None else winners[0]
    return at, at + len(exact), How.CONTEXT


def _distinct(exact: str) -> bool:
    """Long enough, in characters and in words, that one copy of it is the passage."""
    return len(exact) >= MIN_DISTINCT_QUOTE and len(exact.split()) >= MIN_DISTINCT_WORDS


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
    return sum(_sides_agreeing(quote, text, at))


def _sides_agreeing(quote: Quote, text: str, at: int) -> tuple[int, int]:
    """Characters of the saved prefix still just before `at`, and of the suffix just after
    the quote there."""
    before = text[max(0, at - len(quote.prefix)) : at]
    after_start = at + len(quote.exact)
    after = text[after_start : after_start + len(quote.suffix)]
    return _common_suffix(before, quote.prefix), _common_prefix(after, quote.suffix)


def _context_agrees(quote: Quote, text: str, at: int) -> bool:
    """The saved context is still beside the quote at `at` on at least one side, for
    MIN_AGREEMENT characters (or all of that side's, at the article's start or end). A
    quote saved without any context has nothing to disagree with."""
    if not quote.prefix and not quote.suffix:
        return True
    before, after = _sides_agreeing(quote, text, at)
    return any(
        saved and agreed >= min(MIN_AGREEMENT, saved)
        for agreed, saved in ((before, len(quote.prefix)), (after, len(quote.suffix)))
    )


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
    """The approximate match, in the case-folded quote and text (same offsets)."""
    between = _between_context(quote, text, hint)
    if between is not None:
        return *between, How.FUZZY
    exact = quote.exact
    if len(exact) < MIN_FUZZY_QUOTE:
        return None
    regions = [(0, len(text))]
    if hint is not None:  # near where it was first: of two similar sentences, the one it was
        regions.insert(0, (max(0, hint - 2 * len(exact)), hint + 3 * len(exact)))
    for low, high in regions:
        match = fuzz.partial_ratio_alignment(exact, text[low:high], score_cutoff=FUZZY_THRESHOLD)
        if match is None:
            continue
        start, end, how = _trimmed(exact, text, low + match.dest_start, low + match.dest_end)
        start, end = _whole_words(quote, text, start, end)
        if end - start >= MIN_FUZZY_EXTENT * len(exact) and _context_beside(
            quote, text, start, end
        ):
            return start, end, how
    return None


def _between_context(quote: Quote, text: str, hint: int | None) -> tuple[int, int] | None:
    """The passage as what now lies between its saved context, when both sides are still
    there as they were (FUZZY_CONTEXT characters each) and what lies between them is still
    like the quote: words inserted into a short quote make it too unlike any same-length
    window for a partial ratio, but not for this. Of several such places, the one most
    like the quote wins, a tie going to the one nearest the offsets."""
    exact = quote.exact
    prefix, suffix = quote.prefix[-FUZZY_CONTEXT:], quote.suffix[:FUZZY_CONTEXT]
    if len(prefix) < FUZZY_CONTEXT or len(suffix) < FUZZY_CONTEXT:
        return None
    found: dict[tuple[int, int], float] = {}
    for before in _occurrences(text, prefix):
        start = before + len(prefix)
        end = text.find(suffix, start, start + BETWEEN_STRETCH * len(exact) + len(suffix))
        if end == -1 or end - start < len(exact) / BETWEEN_STRETCH:
            continue
        if _words_kept(exact, text[start:end]):
            found[start, end] = fuzz.ratio(exact, text[start:end])
    if not found:
        return None
    best = max(found.values())
    winners = [span for span, score in found.items() if score == best]
    if len(winners) > 1 and hint is None:
        return None  # several such places, and nothing to choose between them
    return min(winners, key=lambda span: abs(span[0] - hint)) if hint is not None else winners[0]


WORD = re.compile(r"\w+")


def _words_kept(exact: str, between: str) -> bool:
    """At least BETWEEN_WORDS_KEPT of the quote's words are among those now between its
    context: a word edited, inserted or capitalised keeps most; a sentence rewritten
    around its context keeps few."""
    words = set(WORD.findall(exact))
    kept = words & set(WORD.findall(between))
    return bool(words) and len(kept) >= BETWEEN_WORDS_KEPT * len(words)


def _edited_between(
    quote: Quote, text: str, folded: _Folded, hint: int | None
) -> tuple[int, int, How] | None:
    """After the exact rules declined every copy of the words: the passage edited between
    its context, unless what is there is one of those copies."""
    between = _between_context(_fold(quote), folded.text, hint)
    if between is None or text[between[0] : between[1]] == quote.exact:
        return None
    return *between, How.FUZZY


def _whole_words(quote: Quote, text: str, start: int, end: int) -> tuple[int, int]:
    """A match that cuts into a word ("y volunteer" of "reportedly volunteer") is widened
    to the whole word, at the ends where the quote began or ended on a word boundary."""
    if quote.exact[:1].isalnum() and not quote.prefix[-1:].isalnum():
        while start > 0 and text[start - 1].isalnum():
            start -= 1
    if quote.exact[-1:].isalnum() and not quote.suffix[:1].isalnum():
        while end < len(text) and text[end].isalnum():
            end += 1
    return start, end


def _context_beside(quote: Quote, text: str, start: int, end: int) -> bool:
    """Whether the saved context is still next to [start, end): on one side, or on both
    for a quote under FUZZY_ONE_SIDE characters. A quote saved without context (an API
    client's, an import's) has nothing to check; one at the start or end of the article,
    only its other side."""
    prefix = quote.prefix[-FUZZY_CONTEXT:]
    suffix = quote.suffix[:FUZZY_CONTEXT]
    before = text[max(0, start - len(prefix)) : start]
    after = text[end : end + len(suffix)]
    agreeing = [
        fuzz.ratio(saved, found) >= FUZZY_CONTEXT_THRESHOLD
        for saved, found in ((prefix, before), (suffix, after))
        if saved
    ]
    if not agreeing:
        return True
    needed = 1 if len(quote.exact) >= FUZZY_ONE_SIDE else len(agreeing)
    return sum(agreeing) >= needed


EDGE = 8
"""Characters at each end of the quote looked for on their own, to find where the edited
passage begins and ends: long enough not to line up by chance near the match, short
enough that words inserted into the passage do not pull the edge inside it."""
EDGE_THRESHOLD = 60.0
MIN_SLACK = 16
"""How far beyond the match an end is looked for, at least: a word inserted into a short
quote is a large share of it."""


def _trimmed(exact: str, text: str, start: int, end: int) -> tuple[int, int, How]:
    """The passage's real extent around the match. The match is exactly as long as the
    quote, so words inserted into the passage push its first or last words outside it:
    the quote's first and last EDGE characters are looked for within half a quote of each
    end, and the match's own ends are kept where they are not found."""
    slack = max(len(exact) // 2, MIN_SLACK)
    edge = min(EDGE, len(exact) // 2)
    head = _edge(exact[:edge], text, start - slack, start + edge + slack, near=start)
    tail = _edge(exact[-edge:], text, end - edge - slack, end + slack, near=end)
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


def _edge(part: str, text: str, low: int, high: int, near: int) -> tuple[int, int] | None:
    """Where an end of the quote is in [low, high): the copy nearest `near` when the end is
    there as it was (a passage may begin and end with the same word, or an inserted word
    begin like one of its own), else the best approximate window."""
    low, high = max(0, low), min(len(text), high)
    copies = _occurrences(text[low:high], part)
    if copies:
        at = low + min(
            copies, key=lambda at: min(abs(low + at - near), abs(low + at + len(part) - near))
        )
        return at, at + len(part)
    match = fuzz.partial_ratio_alignment(part, text[low:high], score_cutoff=EDGE_THRESHOLD)
    return (low + match.dest_start, low + match.dest_end) if match is not None else None


def _fold(quote: Quote) -> Quote:
    return Quote(
        _Folded(quote.exact).text, _Folded(quote.prefix).text, _Folded(quote.suffix).text,
        quote.start, quote.end,
    )  # fmt: skip


class _Folded:
    """The text in lower case, character for character, so its offsets are the text's:
    the few characters whose lower case is longer ("İ") are kept as they are."""

    def __init__(self, text: str) -> None:
        lowered = text.lower()
        self.text = (
            lowered
            if len(lowered) == len(text)
            else "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        )


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
