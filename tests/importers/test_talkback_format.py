"""Talkback's own export format: a site moved to a fresh database comes out identical."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import pytest

from talkback.importers.records import ImportFailed
from talkback.importers.talkback_jsonl import TALKBACK
from talkback.importers.wordpress import WORDPRESS
from talkback.services.export import export_site
from tests.api.conftest import ARTICLE, SITE
from tests.conftest import FrozenClock
from tests.importers.conftest import Importing, fixture

SORTS = ("newest", "oldest", "most_voted")


async def exported(api: Importing) -> str:
    buffer = io.StringIO()
    await export_site(api.context, SITE, buffer.write)
    return buffer.getvalue()


async def page_bytes(api: Importing, uri: str, sort: str) -> bytes:
    response = await api.client.get(
        f"/api/v1/{SITE}/comments", params={"uri": uri, "sort": sort, "limit": 100}
    )
    assert response.status_code == 200
    return response.content


async def build_site(api: Importing, clock: FrozenClock) -> None:
    """Imported comments, then native ones: replies, an edit, a placeholder, votes."""
    await api.run(WORDPRESS, fixture("wpimporter-theme-unit-test-data.xml"))
    reader = await api.reader_token()
    as_reader = {"X-Talkback-Reader": reader}
    anchor = {"exact": "barrier", "prefix": "the ", "suffix": " is"}
    first = await api.posted(
        "The river barrier **works**.", author_name="Eve", email="eve@reader.example",
        headers=as_reader, anchor=anchor,
    )  # fmt: skip
    clock.advance(seconds=5)
    reply = await api.posted("Not in March it didn't.", parent_id=first["comment"]["id"])
    clock.advance(seconds=5)
    doomed = await api.posted("I will think better of this.")
    clock.advance(seconds=5)
    await api.posted("Kept under a deleted comment.", parent_id=doomed["comment"]["id"])
    edited = await api.client.patch(
        f"/api/v1/{SITE}/comments/{reply['comment']['id']}",
        json={"text": "Not in March, it didn't."},
        headers={"X-Edit-Token": reply["edit_token"]},
    )
    assert edited.status_code == 200, edited.text
    deleted = await api.client.delete(
        f"/api/v1/{SITE}/comments/{doomed['comment']['id']}",
        headers={"X-Edit-Token": doomed["edit_token"]},
    )
    assert deleted.status_code == 204
    assert (await api.vote(reply["comment"]["id"], 1, reader)).status_code == 200
    assert (await api.vote(reply["comment"]["id"], -1)).status_code == 200


async def test_export_lines_are_documented_records(
    api: Importing, frozen_clock: FrozenClock
) -> None:
    await build_site(api, frozen_clock)

    lines = [json.loads(line) for line in (await exported(api)).splitlines()]

    header = lines[0]
    assert header["format"] == "talkback-export"
    assert header["version"] == 1
    assert header["site"] == SITE
    kinds = Counter(line["type"] for line in lines[1:])
    assert kinds == Counter({"site": 1, "thread": 8, "comment": 33, "vote": 2})
    native = next(line for line in lines if line.get("author", {}).get("name") == "Eve")
    assert native["origin"] == {"source": "talkback", "id": f"{SITE}/{native['id']}"}
    assert native["anchor"] == {"exact": "barrier", "prefix": "the ", "suffix": " is"}
    imported = next(line for line in lines[1:] if line["type"] == "comment")
    assert imported["origin"]["source"] == "wordpress"


async def test_a_site_moved_to_a_fresh_database_is_identical(
    api: Importing, fresh_api: Importing, frozen_clock: FrozenClock, tmp_path: Path
) -> None:
    await build_site(api, frozen_clock)
    original = await exported(api)
    export = tmp_path / "news.jsonl"
    export.write_text(original, encoding="utf-8")

    summary = await fresh_api.run(TALKBACK, export)

    assert summary.threads_created == 8
    assert summary.comments_imported == 33
    assert summary.votes_imported == 2
    assert summary.notes[f"site {SITE!r} created from the export's settings"] == 1
    assert await exported(fresh_api) == original
    uris = [thread.uri for thread in await api.threads()]
    assert ARTICLE in uris
    for uri in uris:
        for sort in SORTS:
            assert await page_bytes(fresh_api, uri, sort) == await page_bytes(api, uri, sort)
    await fresh_api.assert_counters_consistent()

    again = await fresh_api.run(TALKBACK, export)
    assert again.comments_imported == 0
    assert again.votes_imported == 0
    assert await exported(fresh_api) == original


async def test_restoring_an_export_into_its_own_site_adds_nothing(
    api: Importing, frozen_clock: FrozenClock, tmp_path: Path
) -> None:
    await build_site(api, frozen_clock)
    original = await exported(api)
    export = tmp_path / "news.jsonl"
    export.write_text(original, encoding="utf-8")

    summary = await api.run(TALKBACK, export)

    assert summary.comments_imported == 0
    assert summary.skipped["already imported"] == 33
    assert summary.notes[f"site {SITE!r} exists: its settings were kept"] == 1
    assert await exported(api) == original


async def test_unknown_record_types_are_skipped_and_bad_lines_refused(
    api: Importing, tmp_path: Path
) -> None:
    header = '{"format":"talkback-export","version":1,"site":"news"}\n'
    thread = '{"type":"thread","uri":"/a","title":"A","created_at":"2026-01-01T00:00:00Z"}\n'
    future = '{"type":"donation","amount":500,"currency":"EUR"}\n'
    export = tmp_path / "future.jsonl"
    export.write_text(header + thread + future, encoding="utf-8")

    summary = await api.run(TALKBACK, export)

    assert summary.skipped == Counter({"record type 'donation' (not known to this version)": 1})
    assert [t.uri for t in await api.threads()] == ["/a"]

    broken = tmp_path / "broken.jsonl"
    broken.write_text(header + thread.replace("/a", "/b") + "{not json\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="line 3 is not a JSON object"):
        await api.run(TALKBACK, broken)
    assert [t.uri for t in await api.threads()] == ["/a"]
    lenient = await api.run(TALKBACK, broken, lenient=True)
    assert lenient.problems == ["line 3: not a JSON object"]
    assert [t.uri for t in await api.threads()] == ["/a", "/b"]

    newer = tmp_path / "newer.jsonl"
    newer.write_text(header.replace('"version":1', '"version":2'), encoding="utf-8")
    with pytest.raises(ImportFailed, match="version 2"):
        await api.run(TALKBACK, newer)
