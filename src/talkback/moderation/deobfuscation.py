"""Undoing what readers do to slip profanity past a filter, so it can be judged as meant.

Readers write "f*ck", "f u c k", "fuuuck", "sh1t", "a$$hole" and glue a profanity to
another word ("libtard-fucker", "shitstain"). The model only knows whole words, so it scored
those as harmless. `normalised_words` reads a comment into the words it stands for; the
pipeline scores the rejoined words as a second pass beside the text as written, and the
word-list check looks them up. Pure functions, no I/O.

Cost: the checks and the second pass read each comment once (`reading` remembers the last
few), and each distinct token once per process (`_read_token`): readers use the same few
thousand words. Measured for the three uses together: 30 µs for a 60-character comment,
0.3 ms for 1,000 characters (2 ms before tokens were remembered); the model takes 30 µs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from talkback.moderation.word_list import (
    INSULTS,
    MASKS,
    SECOND_PERSON,
    compound_parts,
    listed_words,
    singular,
    unmasked,
)

INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")
SPACED_IN_TOKEN = re.compile(r"(?:[^\W\d_]([._-]))(?:[^\W\d_]\1)+[^\W\d_]")
"""Three or more single letters in one token, apart by the same one of `._-`: "s.h.i.t",
"d-i-c-k". Letters apart by single spaces ("f u c k") are joined by `_tokens`."""
ONE_LETTER_WORDS = "aiu"
"""Words of one letter that may stand before spaced letters ("you're a f u c k i n g")."""
EDGES = "\"'`.,;:?!()[]{}<>«»\u201c\u201d\u2018\u2019\u2026"
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                      "$": "s", "!": "i", "+": "t", "|": "i"})  # fmt: skip
JOINERS = re.compile("[-/\u2013\u2014]+")
RUN = re.compile(r"(\w)\1{2,}")
TOKENS_REMEMBERED = 16_384  # a few MB at most, whatever readers send
COMMENTS_REMEMBERED = 64  # the checks and the second pass of the comments being judged


@dataclass(frozen=True, slots=True)
class Reading:
    """A comment's words as meant, and the listed words among them."""

    words: tuple[str, ...]
    listed: tuple[str, ...]


@lru_cache(maxsize=COMMENTS_REMEMBERED)
def reading(text: str) -> Reading:
    """The comment read into its words: lowercase, unmasked, de-leeted, spaced letters
    joined, long runs of a letter shortened, hyphenated and closed compounds split. Words
    that were not obfuscated come out lowercased and otherwise as written. A hyphenated
    compound is looked up both by its parts and joined ("dick-head" is "dickhead")."""
    words: list[str] = []
    listed: list[str] = []
    for token in _tokens(text):
        token_words, token_listed = _read_token(token)
        words += token_words
        listed += token_listed
    return Reading(tuple(words), tuple(dict.fromkeys(listed)))


def normalised_words(text: str) -> list[str]:
    """The comment's words as meant (`reading`)."""
    return list(reading(text).words)


def deobfuscated(text: str) -> str:
    """The text the model scores in its second pass: the normalised words, rejoined."""
    return " ".join(reading(text).words)


def listed_in(text: str) -> list[str]:
    """The listed words the text uses (`word_list.py`), each once, in order of appearance."""
    return list(reading(text).listed)


def addressed_insults(text: str) -> list[str]:
    """Insults from `word_list.INSULTS` (or their plurals) in a comment that speaks to
    someone ("you worthless creep"), each once; none in one that does not."""
    words = reading(text).words
    if SECOND_PERSON.isdisjoint(words):
        return []
    found = (word if word in INSULTS else word[:-1] for word in words)
    return list(dict.fromkeys(word for word in found if word in INSULTS))


def _tokens(text: str) -> list[str]:
    """The text's tokens, with single letters written apart by single spaces joined."""
    tokens: list[str] = []
    run: list[str] = []
    for chunk in INVISIBLE.sub("", text).split(" "):
        pieces = chunk.split()
        core = pieces[0].strip(EDGES) if len(pieces) == 1 else ""
        if len(core) != 1 or not core.isalpha():
            tokens += _letters(run) + pieces
            run = []
            continue
        if pieces[0][0] != core:  # "(f": a run starts here
            tokens += _letters(run)
            run = []
        run.append(core)
        if pieces[0][-1] != core:  # "k.": a run ends here
            tokens += _letters(run)
            run = []
    return tokens + _letters(run)


def _letters(run: list[str]) -> list[str]:
    """Single letters in a row as the word they spell, when there are three or more."""
    if len(run) < 3:
        return run
    if len(run) > 3 and run[0].lower() in ONE_LETTER_WORDS:
        return [run[0], "".join(run[1:])]
    return ["".join(run)]


@lru_cache(maxsize=TOKENS_REMEMBERED)
def _read_token(token: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A token's words, and the listed words among them and among its parts joined."""
    plain = _plain(token)
    if SPACED_IN_TOKEN.fullmatch(plain):
        plain = plain[::2]
    parts = JOINERS.split(plain)
    words = tuple(word for part in parts for word in _read(part))
    joined = _read("".join(parts)) if len(parts) > 1 else []
    listed = listed_words()
    found = (word if word in listed else singular(word) for word in (*words, *joined))
    return words, tuple(word for word in found if word)


def _plain(token: str) -> str:
    """Lowercase, accents dropped ("fück"), edge punctuation stripped ("idiot!")."""
    token = token.lower()
    if not token.isascii():
        decomposed = unicodedata.normalize("NFKD", token)
        token = "".join(char for char in decomposed if not unicodedata.combining(char))
    return token.strip(EDGES)


def _read(part: str) -> list[str]:
    """One hyphen-free piece of a token as the word or words it stands for."""
    if not part:
        return []
    if any(char in MASKS for char in part[1:-1]) and (word := unmasked(part)):
        return [word]
    if any(char.isalpha() for char in part) and not part.isalpha():
        part = part.translate(LEET)
    part = _shortened(part)
    if part not in listed_words() and (parts := compound_parts(part)):
        return list(parts)
    return [part]


def _shortened(word: str) -> str:
    """A run of three or more of one letter cut to one or two: the listed spelling if one
    fits ("fuuuuck", "asssss"), else two ("soooo" to "soo")."""
    if not RUN.search(word):
        return word
    single = RUN.sub(r"\1", word)
    return single if single in listed_words() else RUN.sub(r"\1\1", word)
