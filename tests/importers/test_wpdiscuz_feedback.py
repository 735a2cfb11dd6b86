"""wpDiscuz inline feedback in a WordPress export, imported as anchored comments
(`fixtures/wordpress-wpdiscuz-feedback.xml`, with wpDiscuz's form table beside it)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from talkback.cli.main import app
from talkback.importers.formats.wordpress import WORDPRESS
from talkback.importers.formats.wpdiscuz import (
    NOT_PLACED,
    PLACED,
    place_feedback,
    read_forms_table,
)
from talkback.importers.records import CommentRecord, ImportFailed
from talkback.importers.summary import ImportSummary
from talkback.importers.writer import ALREADY_IMPORTED
from tests.api.conftest import SITE
from tests.importers.conftest import Importing, own_fixture

EXPORT = "wordpress-wpdiscuz-feedback.xml"
FORMS = "wordpress-wpdiscuz-forms.tsv"
LIBRARY = "/2025/06/library-sundays"
PLOTS = "/2025/06/allotment-waiting-list"
PAGE_AS_A_THEME_SHOWS_IT = (
    "Carter Lane library to open on Sundays\nBy Odile Marsh · 2 June 2025\n"
    "The library on Carter Lane will open on Sundays from September, the trustees agreed on "
    "Monday, after a petition signed by 1,140 residents.\n"
    "Doors will open from 11\xa0am to 4\xa0pm, with two paid staff and a rota of volunteers.\n"
    "The first hour will be kept for a quiet hour for readers & students, with the café "
    "closed until noon.\nShare this story"
)
FIRST_PARAGRAPH = (
    "The library on Carter Lane will open on Sundays from September, the trustees agreed on "
    "Monday, after a petition signed by 1,140 residents."
)
SHORTCODE_WORDS = ("wpdiscuz", "k3v9q2x7ma", "opened=", "[/", "<em>", "&amp;", "&nbsp;")


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def thread_of(api: Importing, uri: str) -> list[dict[str, Any]]:
    """Every comment and reply of a thread, as readers get them."""
    page = await api.page(uri, sort="oldest", limit=50)
    found: list[dict[str, Any]] = []

    def walk(comments: list[dict[str, Any]]) -> None:
        for comment in comments:
            found.append(comment)
            walk(comment["replies"])

    walk(page["comments"])
    return found


def saying(comments: list[dict[str, Any]], words: str) -> dict[str, Any]:
    [comment] = [comment for comment in comments if words in comment["html"]]
    return comment


async def test_feedback_is_anchored_to_its_form_passage_as_readers_see_it(
    api: Importing,
) -> None:
    summary = await api.run(WORDPRESS, own_fixture(EXPORT), wpdiscuz_forms=read_forms_table(
        own_fixture(FORMS)))  # fmt: skip

    assert summary.notes == Counter({PLACED: 4, NOT_PLACED: 2})
    library = await thread_of(api, LIBRARY)
    opening_hours = saying(library, "Yes, if the children's")["anchor"]
    assert opening_hours == {
        "exact": "Doors will open from 11\xa0am to 4\xa0pm",
        "prefix": f"{FIRST_PARAGRAPH}\n\n\n\n"[-32:],  # the paragraphs' newlines stay
        "suffix": ", with two paid staff and a rota",
        "start": utf16(f"\n{FIRST_PARAGRAPH}\n\n\n\n"),
        "end": utf16(f"\n{FIRST_PARAGRAPH}\n\n\n\nDoors will open from 11\xa0am to 4\xa0pm"),
        "question": "Would you use the library on a Sunday?",
    }
    quiet = saying(library, "The quiet hour is the ")["anchor"]
    assert {key: quiet[key] for key in ("exact", "prefix", "suffix", "question")} == {
        "exact": "a quiet hour for readers & students",  # across <em>, entity decoded
        "prefix": "The first hour will be kept for ",
        "suffix": ", with the café closed until noo",
        "question": 'Is a "quiet hour" worth keeping?',
    }
    assert quiet["end"] - quiet["start"] == utf16(quiet["exact"])
    assert saying(library, "Keep the café open and")["anchor"] == quiet  # one passage, two readers
    assert "text_hash" not in quiet  # the post's text is not the page's


async def test_unplaceable_feedback_is_an_ordinary_comment_and_counted(api: Importing) -> None:
    summary = await api.run(WORDPRESS, own_fixture(EXPORT), wpdiscuz_forms=read_forms_table(
        own_fixture(FORMS)))  # fmt: skip

    library = await thread_of(api, LIBRARY)
    reply = saying(library, "Agreed, exams start in")
    assert "anchor" not in reply  # a reply to feedback never carries one
    assert reply["parent_id"] == saying(library, "The quiet hour is the ")["id"]
    assert "anchor" not in saying(library, "Will the Sunday bus ru")  # its form left the post
    assert "anchor" not in saying(library, "Good news for the town")  # never feedback
    assert summary.notes[NOT_PLACED] == 2
    assert summary.imported == Counter({"approved": 7})


async def test_a_post_with_one_form_needs_no_table_and_offsets_count_utf16(
    api: Importing,
) -> None:
    summary = await api.run(WORDPRESS, own_fixture(EXPORT))

    plots = await thread_of(api, PLOTS)
    anchor = saying(plots, "Four years and counting")["anchor"]
    assert anchor["exact"] == "Forty-two households are still waiting for a plot 🌱"
    assert anchor["end"] - anchor["start"] == len(anchor["exact"]) + 1  # the emoji is two
    assert anchor["question"] == "Have you been on the waiting list?"
    assert anchor["prefix"] == "e closes at the end of the month. "[-32:]
    # Two forms and no table: wpDiscuz's ids cannot be told apart, so nothing is guessed.
    library = await thread_of(api, LIBRARY)
    assert not any("anchor" in comment for comment in library)
    assert summary.notes == Counter({PLACED: 1, NOT_PLACED: 5})


async def test_shortcodes_never_reach_what_readers_are_shown(api: Importing) -> None:
    await api.run(WORDPRESS, own_fixture(EXPORT), wpdiscuz_forms=read_forms_table(
        own_fixture(FORMS)))  # fmt: skip

    for uri in (LIBRARY, PLOTS):
        for comment in await thread_of(api, uri):
            shown = " ".join(str(value) for value in comment.get("anchor", {}).values())
            for word in SHORTCODE_WORDS:
                assert word not in shown + comment["html"], (word, comment)


async def test_a_second_import_adds_nothing_and_keeps_the_anchors(api: Importing) -> None:
    forms = read_forms_table(own_fixture(FORMS))
    await api.run(WORDPRESS, own_fixture(EXPORT), wpdiscuz_forms=forms)
    before = await api.page(LIBRARY, sort="oldest", limit=50)

    again = await api.run(WORDPRESS, own_fixture(EXPORT), wpdiscuz_forms=forms)

    assert again.comments_imported == 0
    assert again.skipped == Counter({ALREADY_IMPORTED: 7})
    assert await api.page(LIBRARY, sort="oldest", limit=50) == before
    await api.assert_counters_consistent()


def test_the_forms_table_is_read_from_a_dump_with_or_without_a_header(tmp_path: Path) -> None:
    bare = tmp_path / "bare.csv"
    bare.write_text("41,k3v9q2x7ma\n\n42,p8d2w5n1zc\n", encoding="utf-8")
    broken = tmp_path / "broken.tsv"
    broken.write_text("id\tunique_id\nforty-one\tk3v9q2x7ma\n", encoding="utf-8")

    assert read_forms_table(own_fixture(FORMS)) == {
        "41": "k3v9q2x7ma", "42": "p8d2w5n1zc", "58": "w4t3rb8tts", "77": "r0emov3dxx"
    }  # fmt: skip
    assert read_forms_table(bare) == {"41": "k3v9q2x7ma", "42": "p8d2w5n1zc"}
    with pytest.raises(ImportFailed, match="row 1"):
        read_forms_table(broken)


def test_the_command_line_says_how_many_feedbacks_it_could_not_place(
    runner: CliRunner,
) -> None:
    path = str(own_fixture(EXPORT))

    first = runner.invoke(app, ["import", "wordpress", path, "--site", "news"], terminal_width=200)
    second = runner.invoke(app, ["import", "wordpress", path, "--site", "news"], terminal_width=200)

    assert first.exit_code == 0, first.output
    assert re.search(rf"note: {re.escape(NOT_PLACED)} +│ 5 ", first.output), first.output
    assert re.search(rf"note: {re.escape(PLACED)} +│ 1 ", first.output)
    assert second.exit_code == 0, second.output
    assert "comments imported" not in second.output


def test_the_command_line_places_every_feedback_given_the_forms_table(
    runner: CliRunner,
) -> None:
    path, forms = str(own_fixture(EXPORT)), str(own_fixture(FORMS))
    answer = runner.invoke(
        app, ["import", "wordpress", path, "--site", "news", "--wpdiscuz-forms", forms],
        terminal_width=200,
    )  # fmt: skip
    assert answer.exit_code == 0, answer.output
    placed = re.search(rf"note: {re.escape(PLACED)} +│ (\d+) ", answer.output)
    not_placed = re.search(rf"note: {re.escape(NOT_PLACED)} +│ (\d+) ", answer.output)
    assert placed is not None, answer.output
    assert not_placed is not None
    assert (int(placed.group(1)), int(not_placed.group(1))) == (4, 2)
    missing = runner.invoke(
        app, ["import", "wordpress", path, "--site", "news", "--wpdiscuz-forms", "/nonexistent"]
    )
    assert missing.exit_code != 0
    assert "cannot read the wpDiscuz forms table" in missing.output


async def test_imported_passages_are_grouped_and_found_in_the_page_a_theme_renders(
    api: Importing,
) -> None:
    await api.run(WORDPRESS, own_fixture(EXPORT), wpdiscuz_forms=read_forms_table(
        own_fixture(FORMS)))  # fmt: skip

    inline = await api.client.get(f"/api/v1/{SITE}/inline", params={"uri": LIBRARY})
    located = await api.client.post(
        f"/api/v1/{SITE}/inline/locate",
        params={"uri": LIBRARY},
        json={"text": PAGE_AS_A_THEME_SHOWS_IT},
    )

    assert inline.status_code == 200, inline.text
    passages = inline.json()["passages"]
    assert [(p["anchor"]["exact"][:20], p["count"]) for p in passages] == [
        ("Doors will open from", 1),
        ("a quiet hour for rea", 2),
    ]
    assert located.status_code == 200, located.text
    placements = located.json()["placements"]
    for passage, placement in zip(passages, placements, strict=True):
        assert placement["id"] == passage["id"]
        assert placement["how"] in ("quote", "context")  # the offsets were only a hint
        found = PAGE_AS_A_THEME_SHOWS_IT[placement["start"] : placement["end"]]
        assert found == passage["anchor"]["exact"]


def feedback_record(key: str, parent: str | None = None) -> CommentRecord:
    return CommentRecord(
        thread_key="item:1", key=key, import_source="wordpress", import_id=key,
        parent_key=parent, status="approved", text="Yes.", html="<p>Yes.</p>",
        created_at=datetime(2025, 6, 2, tzinfo=UTC),
    )  # fmt: skip


def test_a_form_is_named_by_its_shortcode_id_and_a_table_naming_another_wins() -> None:
    content = (
        "<p>Before. [wpdiscuz-feedback id='only' question='Agree?']The one passage"
        "[/wpdiscuz-feedback] After.</p>"
    )
    by_uid, by_table, elsewhere = (feedback_record(k) for k in ("1", "2", "3"))
    summary = ImportSummary("wordpress")

    place_feedback(
        content,
        [(by_uid, "only"), (by_table, "41"), (elsewhere, "77")],
        {"41": "only", "77": "in-another-post"},
        summary,
    )

    assert by_uid.anchor is not None
    assert by_uid.anchor["exact"] == "The one passage"
    assert by_table.anchor == by_uid.anchor
    assert elsewhere.anchor is None  # the post's only form is not the one the table names
    assert summary.notes == Counter({PLACED: 2, NOT_PLACED: 1})
