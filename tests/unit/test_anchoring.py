"""Re-anchoring inline feedback after the article was edited: a table of edits."""

from __future__ import annotations

import pytest

from talkback.core.anchoring import How, Placement, Quote, locate, text_hash, utf16_length

BEFORE = "The council met on Tuesday evening. "
PASSAGE = "voted seven to five for a second review"
REST = (
    " of the river barrier. Residents on the east bank said the delay would cost them "
    "another winter of sandbags. The mayor called the vote a mistake."
)
ARTICLE = BEFORE + "Councillors " + PASSAGE + REST
AT = ARTICLE.index(PASSAGE)


def quote_of(text: str, exact: str, occurrence: int = 0, context: int = 32) -> Quote:
    """The quote as the widget takes it: the selection, 32 characters each side, offsets."""
    at = -1
    for _ in range(occurrence + 1):
        at = text.index(exact, at + 1)
    end = at + len(exact)
    return Quote(exact, text[max(0, at - context) : at], text[end : end + context], at, end)


PASSAGE_QUOTE = quote_of(ARTICLE, PASSAGE)


def placed(text: str, placement: Placement) -> str:
    assert placement.start is not None
    assert placement.end is not None
    return text[placement.start : placement.end]


def test_an_unchanged_article_places_the_passage_at_its_offsets() -> None:
    placement = locate(PASSAGE_QUOTE, ARTICLE)
    assert placement == Placement(AT, AT + len(PASSAGE), How.POSITION)


@pytest.mark.parametrize(
    "edited",
    [
        pytest.param(
            BEFORE + "After a long debate, councillors " + PASSAGE + REST, id="inserted-before"
        ),
        pytest.param(
            "Residents were angry. " + ARTICLE[len(BEFORE) :], id="sentence-replaced-before"
        ),
        pytest.param(
            REST.strip() + "\n\nIn the end councillors " + PASSAGE + ".", id="moved-paragraph"
        ),
    ],
)
def test_the_same_words_are_found_where_they_went(edited: str) -> None:
    placement = locate(PASSAGE_QUOTE, edited)
    assert placed(edited, placement) == PASSAGE
    assert placement.how is How.QUOTE


@pytest.mark.parametrize(
    ("edited_passage", "expected"),
    [
        ("voted narrowly, seven to five, for a second review",) * 2,
        ("voted seven to five for a  second review",) * 2,
        ("voted seven-to-five for a second review",) * 2,
        ("voted seven to five for a second, independent review",) * 2,
        ("voted 7 to 5 for a second review", "voted 7 to 5 for a second review"),
    ],
)
def test_a_passage_edited_inside_is_found_approximately(edited_passage: str, expected: str) -> None:
    edited = ARTICLE.replace(PASSAGE, edited_passage)
    placement = locate(PASSAGE_QUOTE, edited)
    assert placement.how is How.FUZZY
    assert placed(edited, placement) == expected


@pytest.mark.parametrize(
    "edited",
    [
        pytest.param(
            ARTICLE.replace("Councillors " + PASSAGE, "The vote was postponed"), id="deleted"
        ),
        pytest.param(
            ARTICLE.replace(PASSAGE, "voted nine to two against any change"), id="rewritten"
        ),
        pytest.param("", id="empty"),
        pytest.param("Entirely different story about a school.", id="other-story"),
    ],
)
def test_a_passage_that_is_gone_is_changed_not_guessed(edited: str) -> None:
    assert locate(PASSAGE_QUOTE, edited).how is How.CHANGED


REPEATED = (
    "Officials insist the barrier protects the bank. Engineers say the barrier protects "
    "the bank only up to a two metre flood. Critics say the barrier protects the bank "
    "from nothing at all."
)


@pytest.mark.parametrize("occurrence", [0, 1, 2])
def test_a_repeated_quote_is_told_apart_by_its_context(occurrence: int) -> None:
    quote = quote_of(REPEATED, "the barrier protects the bank", occurrence)
    edited = "Updated: " + REPEATED  # every offset moved
    placement = locate(quote, edited)
    assert placement.how is How.CONTEXT
    assert placement.start == edited.index(quote.prefix) + len(quote.prefix)


def test_a_repeated_quote_whose_context_is_gone_everywhere_is_not_guessed() -> None:
    quote = Quote("the barrier", prefix="Residents fear ", suffix=" will fail", start=3, end=14)
    assert locate(quote, REPEATED).how is How.CHANGED


def test_identical_sentences_go_to_the_copy_nearest_the_offsets() -> None:
    sentence = "Flood warnings remain in place. "
    text = sentence * 4
    quote = quote_of(text, "Flood warnings remain", occurrence=2)
    edited = "Latest: " + text
    placement = locate(quote, edited)
    assert placement.start == len("Latest: ") + 2 * len(sentence)


def test_identical_sentences_without_offsets_are_not_guessed() -> None:
    sentence = "Flood warnings remain in place. "
    quote = quote_of(sentence * 3, "Flood warnings remain", occurrence=1)
    unplaced = Quote(quote.exact, quote.prefix, quote.suffix)
    assert locate(unplaced, "Latest: " + sentence * 5).how is How.CHANGED


def test_a_short_quote_is_taken_only_with_its_context() -> None:
    quote = quote_of(ARTICLE, "five")
    with_context = "Now: " + ARTICLE
    assert placed(with_context, locate(quote, with_context)) == "five"
    elsewhere = "The five members of the committee resigned on Friday."
    assert locate(quote, elsewhere).how is How.CHANGED


# Found by bench/inline_anchoring.py's table of edits, each once placed on other words.
LONG_READ = (
    "Each deep storm costed this tired petition number 522 without another photograph. "
    "The harbour mapped that siren without each church. Its pump again repaired their "
    "concrete lane behind their private bridge. Its market flooded this frozen petition "
    "number 181 after this signal. Every angry resident closed another pump near each "
    "eastern letter."
)


def test_capitals_changed_inside_the_passage_are_still_the_passage() -> None:
    passage = "repaired their concrete lane"
    quote = quote_of(LONG_READ, passage)
    edited = LONG_READ.replace(passage, "REPAIRED their concrete lane")
    assert placed(edited, locate(quote, edited)) == "REPAIRED their concrete lane"


def test_a_word_inserted_into_a_short_passage_is_found_between_its_context() -> None:
    passage = "closed another pump"
    quote = quote_of(LONG_READ, passage)
    edited = LONG_READ.replace(passage, "closed, reluctantly, another pump")
    placement = locate(quote, edited)
    assert placement.how is How.FUZZY
    assert placed(edited, placement) == "closed, reluctantly, another pump"


def test_a_deleted_passage_is_not_moved_to_words_that_resemble_it() -> None:
    """ "tired petition number" is gone; "frozen petition number" shares most of its letters
    but none of its surroundings."""
    quote = quote_of(LONG_READ, "tired petition number")
    edited = LONG_READ.replace("this tired petition number 522 ", "")
    assert locate(quote, edited).how is How.CHANGED


def test_three_words_left_once_elsewhere_are_not_taken_for_the_deleted_passage() -> None:
    text = LONG_READ + " Its siren without each warning sounded twice."
    quote = quote_of(text, "siren without each", occurrence=0)
    edited = text.replace("The harbour mapped that siren without each church. ", "")
    assert locate(quote, edited).how is How.CHANGED


def test_a_passage_that_ends_on_a_word_it_began_with_keeps_both_ends() -> None:
    passage = "petition number 181 after this signal. Every angry resident closed another pump"
    quote = quote_of(LONG_READ, passage)
    edited = LONG_READ.replace("after this signal", "after, it seems, this signal")
    assert placed(edited, locate(quote, edited)) == passage.replace(
        "after this signal", "after, it seems, this signal"
    )


def test_an_edited_quote_saved_without_context_is_still_found_approximately() -> None:
    """API clients and imports may send the words alone: nothing beside them to check."""
    quote = Quote(PASSAGE)
    edited = ARTICLE.replace(PASSAGE, "voted seven to five for a second, independent review")
    placement = locate(quote, edited)
    assert placement.how is How.FUZZY
    assert placed(edited, placement) == "voted seven to five for a second, independent review"


def test_a_one_letter_quote_in_a_long_text_stays_bounded() -> None:
    text = "a" * 200_000
    placement = locate(Quote("a", "b", "c"), text)
    assert placement.how is How.CHANGED


def test_offsets_count_utf16_units_as_the_browser_does() -> None:
    emoji = "Flood \N{WATER WAVE}\N{WATER WAVE} update: "
    text = emoji + ARTICLE
    quote = quote_of(text, PASSAGE)
    shifted = Quote(quote.exact, quote.prefix, quote.suffix, quote.start + 2, quote.end + 2)  # type: ignore[operator]
    placement = locate(shifted, text)
    assert placement.how is How.POSITION
    assert placement.start == utf16_length(text[: text.index(PASSAGE)])
    moved = "\N{WATER WAVE}" + text
    assert locate(shifted, moved).start == utf16_length(moved[: moved.index(PASSAGE)])


def test_the_text_hash_is_sha256_of_utf8() -> None:
    assert text_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
