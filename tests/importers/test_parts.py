"""The pure pieces importers share: vote meta, thread ordering, bodies, JSON streaming."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from talkback.importers.bodies import from_html, html_to_text
from talkback.importers.formats import json_stream
from talkback.importers.formats.json_stream import JsonStream, MalformedJson
from talkback.importers.formats.php_serialized import NotSerializedArray, parse_flat_array
from talkback.importers.options import UrlMap
from talkback.importers.records import CommentRecord
from talkback.importers.tree import CYCLE, DUPLICATE, ORPHAN, plan_thread

START = datetime(2026, 1, 1, tzinfo=UTC)


def test_wpdiscuz_vote_meta_is_read_by_utf8_byte_lengths() -> None:
    assert parse_flat_array('a:2:{s:4:"like";i:3;s:7:"dislike";i:-1;}') == {
        "like": 3, "dislike": -1,
    }  # fmt: skip
    assert parse_flat_array('a:1:{s:3:"key";s:13:"¯\\_(ツ)_/¯";}') == {"key": "¯\\_(ツ)_/¯"}


@pytest.mark.parametrize(
    "value",
    [
        'O:8:"stdClass":0:{}',
        'a:1:{s:4:"like";a:0:{}}',
        'a:1:{s:9:"like";i:1;}',
        'a:1:{s:4:"like";i:1;}junk',
        "a:2:{}",
    ],
)
def test_anything_but_a_flat_array_is_refused(value: str) -> None:
    with pytest.raises(NotSerializedArray):
        parse_flat_array(value)


def comment(
    key: str, parent: str | None = None, minutes: int = 0, text: str = "x"
) -> CommentRecord:
    return CommentRecord(
        thread_key="t", key=key, import_source="test", import_id=key, parent_key=parent,
        status="approved", text=text, html=f"<p>{text}</p>" if text else "",
        created_at=START + timedelta(minutes=minutes),
    )  # fmt: skip


def test_parents_come_before_replies_and_otherwise_time_order_holds() -> None:
    plan = plan_thread([comment("c", "b", 1), comment("b", "a", 5), comment("z", None, 2),
                        comment("a", None, 3)])  # fmt: skip

    assert [c.key for c in plan.comments] == ["z", "a", "b", "c"]


def test_orphans_cycles_duplicates_and_empty_bodies_are_settled() -> None:
    plan = plan_thread([
        comment("a", "missing"), comment("b", "c"), comment("c", "b"), comment("a", None),
        comment("d", None, text=""),
    ])  # fmt: skip

    assert plan.notes[ORPHAN] == 1
    assert plan.notes[CYCLE] == 1
    assert plan.skipped[DUPLICATE] == 1
    assert {c.key: c.status for c in plan.comments}["d"] == "deleted"
    assert sorted(c.key for c in plan.comments) == ["a", "b", "c", "d"]


def test_a_very_deep_chain_needs_no_recursion() -> None:
    chain = [comment(str(n), str(n - 1) if n else None, minutes=-n) for n in range(5000)]

    assert [c.key for c in plan_thread(chain).comments][:3] == ["0", "1", "2"]


def test_wordpress_bodies_get_paragraphs_and_keep_their_characters() -> None:
    text, html = from_html("Line one\nline two\n\nSecond <a href='http://x.example/'>link</a>",
                           line_breaks=True)  # fmt: skip

    assert html == (
        '<p>Line one<br>\nline two</p>\n<p>Second <a href="http://x.example/" '
        'rel="nofollow ugc noopener">link</a></p>'
    )
    assert text == "Line one\nline two\n\nSecond [link](http://x.example/)"
    assert from_html("<script>alert(1)</script>", line_breaks=False) == ("", "")
    assert html_to_text("<ul><li>one</li><li>two</li></ul>") == "- one\n- two"


def test_url_map_rewrites_prefixes_longest_first() -> None:
    mapping = UrlMap.parse(["https://old.example/=https://new.example/",
                            "https://old.example/blog/=/news/"])  # fmt: skip

    assert mapping.apply("https://old.example/blog/x") == "/news/x"
    assert mapping.apply("https://old.example/about") == "https://new.example/about"


def test_json_is_streamed_in_small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_stream, "_CHUNK", 4)
    document = '{"version": 1, "comments": [{"a": "ü"}, 12345, [1, 2]], "other": {"x": null}}'

    members = list(JsonStream(io.StringIO(document)).object_members(frozenset({"comments"})))

    assert members == [("version", 1), ("comments", {"a": "ü"}), ("comments", 12345),
                       ("comments", [1, 2]), ("other", {"x": None})]  # fmt: skip
    with pytest.raises(MalformedJson, match="near character"):
        list(JsonStream(io.StringIO("[1, 2")).array_items())
