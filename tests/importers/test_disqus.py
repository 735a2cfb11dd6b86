"""Disqus imports, on the project's own exports (`fixtures/disqus*.xml`)."""

from __future__ import annotations

from collections import Counter

import pytest

from talkback.importers.formats.disqus import DISQUS, THREAD_DELETED
from talkback.importers.formats.safe_xml import MalformedXml
from tests.importers.conftest import Importing, own_fixture

LEDGER = "disqus.xml"
MALFORMED = "disqus-malformed.xml"
FLOOD = "/2025/05/flood-barrier"
MARKET = "/2025/06/market-day"
NO_DSQ_ID = "post without dsq:id, id derived from its content"
SKIPPED = {
    THREAD_DELETED: 1,
    "its thread is not in the file": 1,
    "its thread has no usable page address": 1,
    "post with an unreadable date": 1,
    "post with an unreadable isDeleted/isSpam flag": 1,
}


async def test_threads_posts_and_flags_map_to_statuses(api: Importing) -> None:
    summary = await api.run(DISQUS, own_fixture(LEDGER))

    assert summary.threads_created == 2
    assert summary.imported == Counter({"approved": 6, "deleted": 2, "rejected": 1})
    assert summary.skipped == Counter(SKIPPED)
    assert summary.notes == Counter({NO_DSQ_ID: 1})
    assert summary.problems == []
    rows = {row.import_id: row for row in await api.rows()}
    assert rows["7006"].status == "rejected"  # isSpam: kept, never shown
    assert rows["7006"].text == "Waterproof boots, 80% off, today only"
    assert (rows["7007"].status, rows["7007"].text, rows["7007"].html) == ("deleted", "", "")
    assert rows["7003"].status == "approved"  # isDeleted/isSpam written as 0
    assert not {"7009", "7010", "7011", "7012", "7013"} & rows.keys()
    await api.assert_counters_consistent()


async def test_replies_follow_parent_references_in_any_order(api: Importing) -> None:
    await api.run(DISQUS, own_fixture(LEDGER))

    page = await api.page(FLOOD, sort="oldest")

    assert page["thread"] == {
        "uri": FLOOD,  # tracking parameter dropped
        "title": "Will the flood barrier hold? Über-cautious or just cautious",
        "count": 5,
        # Disqus had closed it: its comments come in, and it stays closed.
        "closed": True,
        "close_message": None,
    }
    refused = await api.post("Still open?", uri=FLOOD)
    assert refused.json()["error"]["code"] == "thread_closed"
    first, placeholder, no_id = page["comments"]  # 7007, deleted without replies, is hidden
    assert first["author"]["name"] == "Hanna Kowalczyk"
    assert first["html"] == (  # CDATA and its surrounding whitespace gone, <b> not allowed
        '<p>The 1947 flood reached the church steps. See <a href="https://history.example/1947" '
        'rel="nofollow ugc noopener">the archive</a>.</p>'
    )
    [second] = first["replies"]
    assert second["html"] == "<p>И в 1968-м тоже. Вода стояла неделю.</p>"
    assert second["author"]["name"] == "Дмитрий Орлов"
    [third] = second["replies"]  # listed before its parent in the file
    assert third["html"] == (
        "Reply listed before the post it answers: fish &amp; chips on the dry side of town."
    )
    assert placeholder["status"] == "deleted"
    assert (placeholder["html"], placeholder["author"]["name"]) == ("", None)
    assert placeholder["replies"][0]["html"] == "<p>Answering a comment its author deleted.</p>"
    assert no_id["html"] == "<p>A post the export gave no dsq:id.</p>"


async def test_authors_and_addresses(api: Importing) -> None:
    await api.run(DISQUS, own_fixture(LEDGER))

    rows = {row.import_id: row for row in await api.rows()}
    hanna = rows["7001"]
    assert hanna.author_email == "hanna@mail.example"
    assert hanna.ip_hash is not None
    assert "203.0.113" not in hanna.ip_hash
    assert rows["7004"].ip_hash is None  # no ipAddress
    guest = rows["7008"]  # anonymous, with an empty <email/>
    assert (guest.author_name, guest.author_email) == ("Guest Grocer", None)


async def test_a_thread_without_a_link_is_found_by_its_identifier(api: Importing) -> None:
    await api.run(DISQUS, own_fixture(LEDGER))

    market = await api.page(MARKET)

    assert market["thread"]["title"] == "Market day moves to Saturday"
    assert [c["html"] for c in market["comments"]] == [
        "<p>Saturday suits the stallholders better.</p>"
    ]
    assert sorted(thread.uri for thread in await api.threads()) == [FLOOD, MARKET]


async def test_reimporting_adds_nothing_even_for_posts_without_an_id(api: Importing) -> None:
    await api.run(DISQUS, own_fixture(LEDGER))
    [derived] = [row for row in await api.rows() if row.author_name == "Ivo Brandt"]
    assert derived.import_id.startswith("h:")

    again = await api.run(DISQUS, own_fixture(LEDGER))

    assert again.comments_imported == 0
    assert again.skipped == Counter({**SKIPPED, "already imported": 9})
    assert [row.import_id for row in await api.rows() if row.author_name == "Ivo Brandt"] == [
        derived.import_id
    ]


async def test_malformed_file_fails_strictly_with_its_position_and_writes_nothing(
    api: Importing,
) -> None:
    with pytest.raises(MalformedXml, match=r"line 1, column 1: Start tag expected") as failure:
        await api.run(DISQUS, own_fixture(MALFORMED))

    assert "Nothing was imported" in failure.value.message
    assert "--lenient" in failure.value.message
    assert await api.rows() == []
    assert await api.threads() == []


async def test_lenient_reading_imports_the_sound_posts_and_reports_the_rest(
    api: Importing,
) -> None:
    summary = await api.run(DISQUS, own_fixture(MALFORMED), lenient=True)

    assert summary.threads_created == 1
    assert summary.imported == Counter({"approved": 2})
    assert summary.skipped == Counter(
        {"post with an unreadable date": 1, "post with an unreadable isDeleted/isSpam flag": 1}
    )
    # Positions are the file's own lines, counting the line of junk before the document.
    assert summary.problems == [
        "line 7, column 28: xmlParseEntityRef: no name",
        "line 26, column 20: AttValue: \" or ' expected",
        "line 26, column 20: attributes construct error",
        "line 26, column 20: Couldn't find end of Start Tag parent",
        "35 byte(s) before the XML document skipped",
    ]
    page = await api.page("/2025/07/heatwave", sort="oldest")
    assert page["thread"]["title"] == "Heatwave: pool  lido stay open late"  # the bare & dropped
    # The post whose <parent> lost its unquoted attribute is kept, top-level.
    assert [c["html"] for c in page["comments"]] == [
        "<p>Best news all summer.</p>", "<p>Until ten? Lovely.</p>",
    ]  # fmt: skip

    again = await api.run(DISQUS, own_fixture(MALFORMED), lenient=True)
    assert again.comments_imported == 0
    assert again.skipped["already imported"] == 2
