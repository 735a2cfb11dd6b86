"""Undoing what readers do to slip profanity past a filter, so it can be judged as meant.

Readers write "f*ck", "f u c k", "fuuuck", "sh1t", "a$$hole" and glue a profanity to
another word ("libtard-fucker", "shitstain"). The model only knows whole words, so it scored
those as harmless. `normalised_words` reads a comment into the words it stands for; the
pipeline scores the rejoined words as a second pass beside the text as written, and the
word-list check looks them up. Pure functions, no I/O: a comment's words are read in
microseconds.
"""

from __future__ import annotations

import re
import unicodedata

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
SPACED_LETTERS = re.compile(
    r"(?<![\w*#@$!])[^\W\d_]([ .\-_])(?:[^\W\d_]\1){1,}[^\W\d_](?![\w*#@$!])", re.UNICODE
)
"""Three or more single letters apart by one separator, the same each time: "f u c k",
"s.h.i.t", "d-i-c-k"."""
ONE_LETTER_WORDS = "aiu"
"""Words of one letter that may stand before spaced letters ("you're a f u c k i n g")."""
TOKEN = re.compile(r"[^\s]+")
EDGES = "\"'`.,;:?!()[]{}<>«»\u201c\u201d\u2018\u2019\u2026"
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                      "$": "s", "!": "i", "+": "t", "|": "i"})  # fmt: skip
JOINERS = re.compile("[-/\u2013\u2014]+")
RUN = re.compile(r"(\w)\1{2,}")


def normalised_words(text: str) -> list[str]:
    """The comment's words as meant: lowercase, unmasked, de-leeted, spaced letters joined,
    long runs of a letter shortened, hyphenated and closed compounds split. Words that
    were not obfuscated come out lowercased and otherwise as written."""
    text = SPACED_LETTERS.sub(_joined, INVISIBLE.sub("", text))
    words: list[str] = []
    for token in TOKEN.findall(text):
        for part in JOINERS.split(_plain(token)):
            words += _read(part)
    return words


def deobfuscated(text: str) -> str:
    """The text the model scores in its second pass: the normalised words, rejoined."""
    return " ".join(normalised_words(text))


def listed_in(text: str) -> list[str]:
    """The listed words the text uses (`word_list.py`), each once, in order of appearance.

    A hyphenated compound counts both by its parts and joined ("dick-head" is "dickhead").
    """
    words = normalised_words(text)
    for token in TOKEN.findall(text):
        parts = JOINERS.split(_plain(token))
        if len(parts) > 1:
            words += _read("".join(parts))
    listed = listed_words()
    found = [word if word in listed else singular(word) for word in words]
    return list(dict.fromkeys(word for word in found if word))


def addressed_insults(text: str) -> list[str]:
    """Insults from `word_list.INSULTS` (or their plurals) in a comment that speaks to
    someone ("you worthless creep"), each once; none in one that does not."""
    words = normalised_words(text)
    if SECOND_PERSON.isdisjoint(words):
        return []
    found = (word if word in INSULTS else word[:-1] for word in words)
    return list(dict.fromkeys(word for word in found if word in INSULTS))


def _joined(match: re.Match[str]) -> str:
    letters = "".join(char for char in match.group(0) if char.isalpha())
    if match.group(1) == " " and len(letters) > 3 and letters[0].lower() in ONE_LETTER_WORDS:
        return f"{letters[0]} {letters[1:]}"
    return letters


def _plain(token: str) -> str:
    """Lowercase, accents dropped ("fück"), edge punctuation stripped ("idiot!")."""
    decomposed = unicodedata.normalize("NFKD", token.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).strip(EDGES)


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
