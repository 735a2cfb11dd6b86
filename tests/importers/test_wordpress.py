"""WordPress WXR imports, on the project's own exports (`fixtures/wordpress-*.xml`)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from talkback.importers.formats.wordpress import NOTE, WORDPRESS
from talkback.importers.options import UrlMap
from talkback.importers.tree import EMPTY, ORPHAN
from tests.conftest import FrozenClock
from tests.importers.conftest import STILL_OPEN, Importing, own_fixture

LEDGER = "wordpress-wxr-1.2.xml"
FOOTBRIDGE = "/2025/04/mill-street-footbridge"
PINGBACK = "pingback (--keep-pingbacks imports them)"
TRACKBACK = "trackback (--keep-pingbacks imports them)"
SLASHES = (
    r"The minutes are on \\ledger-nas\minutes\2025\04 and the pattern was ^\d{4}\\$ "
    r"""(don\'t "fix" the slashes)."""
)
OTHER_TYPES = {NOTE: 1, "comment type 'order_note'": 1, "comment type 'review'": 1}


async def by_import_id(api: Importing) -> dict[str, Any]:
    """Rows by their WordPress comment id (unique within the footbridge thread)."""
    return {row.import_id: row for row in await api.rows() if row.uri == FOOTBRIDGE}


async def test_each_status_maps_and_only_ordinary_comments_are_imported(api: Importing) -> None:
    summary = await api.run(WORDPRESS, own_fixture(LEDGER))

    assert summary.threads_created == 3
    assert summary.imported == Counter({"approved": 15, "pending": 3, "rejected": 1, "deleted": 3})
    assert summary.skipped == Counter({PINGBACK: 1, TRACKBACK: 1, **OTHER_TYPES})
    assert summary.notes == Counter({
        "unreadable wpdiscuz_votes_seperate ignored": 1,
        "approval value 'awaiting-review' imported as pending": 1,
        "no date in the export, import time used": 1,
        EMPTY: 1,
        ORPHAN: 1,
    })  # fmt: skip
    rows = await by_import_id(api)
    assert {key: rows[key].status for key in ("509", "510", "511", "512", "513", "514", "517")} == {
        "509": "pending",  # 0
        "510": "rejected",  # spam: kept, never shown
        "511": "deleted",  # trash
        "512": "deleted",  # post-trashed
        "513": "pending",  # hold
        "514": "pending",  # a value WordPress never writes
        "517": "deleted",  # approved, but its body is blank
    }  # fmt: skip
    assert rows["520"].status == "approved"  # no comment_approved: WordPress assumes approved
    assert rows["510"].text.startswith("Great bridge!!")
    assert (rows["511"].text, rows["511"].html) == ("", "")
    assert not {"507", "508", "515"} & rows.keys()  # pingback, trackback, editorial note
    await api.assert_counters_consistent()


async def test_replies_nest_six_deep_whatever_order_the_file_lists_them(api: Importing) -> None:
    await api.run(WORDPRESS, own_fixture(LEDGER))

    rows = await by_import_id(api)
    chain = [rows[str(key)] for key in range(501, 507)]
    assert [row.depth for row in chain] == [0, 1, 2, 3, 4, 5]
    assert [row.parent_id for row in chain[1:]] == [row.id for row in chain[:-1]]
    assert {row.root_id for row in chain[1:]} == {chain[0].id}
    assert [row.id for row in chain] == sorted(row.id for row in chain)  # 504 came before 503
    assert rows["518"].parent_id is None  # its parent 499 is not in the file
    page = await api.page(FOOTBRIDGE, sort="oldest", limit=50)
    assert page["thread"] == {"uri": FOOTBRIDGE, "count": 12, **STILL_OPEN,
                              "title": "Council approves the Mill Street footbridge"}  # fmt: skip
    node = next(c for c in page["comments"] if c["id"] == chain[0].id)
    for _ in range(5):
        [node] = node["replies"]
    assert node["html"] == "<p>橋の開通式はいつですか？</p>"  # noqa: RUF001
    assert node["author"]["name"] == "佐藤 花子"


async def test_bodies_keep_paragraphs_links_slashes_and_characters(api: Importing) -> None:
    await api.run(WORDPRESS, own_fixture(LEDGER))

    rows = await by_import_id(api)
    assert rows["501"].html == (
        "<p>Finally! I have walked the long way round by the weir for eleven years.<br>\n"
        'No more.</p>\n<p>The plans are <a href="https://ledger.example/docs/footbridge.pdf" '
        'rel="nofollow ugc noopener">here</a> &amp; worth a read.</p>'
    )
    assert rows["501"].text == (
        "Finally! I have walked the long way round by the weir for eleven years.\nNo more.\n\n"
        "The plans are [here](https://ledger.example/docs/footbridge.pdf) & worth a read."
    )
    assert rows["505"].text == SLASHES  # byte for byte: no slash is stripped or added
    assert rows["505"].html == f"<p>{SLASHES}</p>"
    assert rows["503"].text == "Fair. Tea at the café on the new bridge, then? ☕"
    assert rows["504"].html == "<p>Only if the café serves pierogi 🥟</p>"
    hostile = rows["516"].html
    assert "Nice try:" in hostile
    for gone in ("script", "steal", "onerror", "onclick", "javascript"):
        assert gone not in hostile, gone


async def test_authors_addresses_and_wpdiscuz_votes(api: Importing) -> None:
    await api.run(WORDPRESS, own_fixture(LEDGER))

    rows = await by_import_id(api)
    hanna = rows["501"]
    assert (hanna.author_name, hanna.author_email) == ("Hanna Kowalczyk", "hanna@mail.example")
    assert hanna.author_website == "https://hanna.example"
    assert hanna.ip_hash is not None
    assert "203.0.113" not in hanna.ip_hash  # kept only as a keyed hash
    assert rows["502"].ip_hash not in (None, hanna.ip_hash)  # ::ffff:198.51.100.77
    assert rows["502"].author_website is None  # empty
    assert rows["516"].author_website is None  # javascript: is not a website
    assert rows["505"].ip_hash is None  # no address in the export
    votes = {key: (rows[key].upvotes, rows[key].downvotes, rows[key].score)
             for key in ("501", "502", "503", "504")}  # fmt: skip
    assert votes == {
        "501": (6, 2, 4),  # separate likes and dislikes win; a negative dislike is a count
        "502": (2, 0, 2),  # unreadable separate meta: the net score
        "503": (0, 3, -3),  # a negative net score
        "504": (0, 0, 0),
    }


async def test_dates_fall_back_from_gmt_to_local_time_to_the_posts_date(
    api: Importing, frozen_clock: FrozenClock
) -> None:
    await api.run(WORDPRESS, own_fixture(LEDGER), timezone=ZoneInfo("Europe/Warsaw"))

    rows = await by_import_id(api)
    assert rows["501"].created_at.isoformat() == "2025-04-02T07:15:00+00:00"  # the GMT field
    assert rows["519"].created_at.isoformat() == "2025-04-03T10:00:00+00:00"  # zero GMT: local
    assert rows["520"].created_at.isoformat() == "2025-04-02T06:00:00+00:00"  # the post's
    [undated] = [row for row in await api.rows() if row.uri == "/?p=77"]
    assert undated.created_at == frozen_clock()  # no date anywhere: the import's time


async def test_local_times_are_read_as_utc_unless_told_otherwise(api: Importing) -> None:
    await api.run(WORDPRESS, own_fixture(LEDGER))

    assert (await by_import_id(api))["519"].created_at.isoformat() == "2025-04-03T12:00:00+00:00"


async def test_thread_addresses_come_from_the_link_the_guid_or_the_post_id(
    api: Importing,
) -> None:
    await api.run(WORDPRESS, own_fixture(LEDGER))

    titles = {thread.uri: thread.title for thread in await api.threads()}
    assert titles == {
        FOOTBRIDGE: "Council approves the Mill Street footbridge",  # its http copy joins it
        "/?page_id=42": "Letters to the editor",  # no <link>: the guid
        "/?p=77": "Q&A: the bridge budget",  # neither: /?p=POST_ID
    }  # the order note, the product review and the attachment make no thread
    rows = await api.rows()
    amp = next(row for row in rows if row.import_id == "530")
    assert amp.uri == FOOTBRIDGE
    assert sorted(row.uri for row in rows if row.import_id == "501") == [
        "/2025/04/mill-street-footbridge", "/?page_id=42",
    ]  # fmt: skip
    letters = await api.page("/?page_id=42")
    assert letters["comments"][0]["replies"][0]["author"]["name"] == "Odile Marsh"
    no_id = next(row for row in rows if row.author_name == "No Id")
    assert no_id.import_id.startswith("h:")


async def test_pingbacks_and_trackbacks_are_kept_on_request(api: Importing) -> None:
    summary = await api.run(WORDPRESS, own_fixture(LEDGER), keep_pingbacks=True)

    assert summary.comments_imported == 24
    assert summary.skipped == Counter(OTHER_TYPES)
    rows = await by_import_id(api)
    assert rows["507"].author_website == "https://walks.example/2025/04/footbridge/"
    assert rows["508"].html.startswith("<p><strong>Footbridge vote</strong>")


async def test_reimporting_the_same_file_adds_nothing(api: Importing) -> None:
    await api.run(WORDPRESS, own_fixture(LEDGER))
    before = [(row.id, row.reply_count) for row in await api.rows()]
    versions = [thread.version for thread in await api.threads()]

    again = await api.run(WORDPRESS, own_fixture(LEDGER))

    assert again.comments_imported == 0
    assert again.threads_created == again.threads_updated == 0
    assert again.skipped == Counter({"already imported": 22, PINGBACK: 1, TRACKBACK: 1,
                                     **OTHER_TYPES})  # fmt: skip
    assert [(row.id, row.reply_count) for row in await api.rows()] == before
    assert [thread.version for thread in await api.threads()] == versions


async def test_an_older_export_then_a_newer_one_of_the_same_blog(api: Importing) -> None:
    older = await api.run(WORDPRESS, own_fixture("wordpress-wxr-1.0.xml"))

    assert (older.threads_created, older.comments_imported) == (2, 2)
    rows = {row.import_id: row for row in await api.rows()}
    assert rows["3"].html == "<p>Mine came up in a fortnight.<br>What's your soil like?</p>"
    assert rows["2"].html == "<p>Lovely plot!<br><em>Where</em> exactly &amp; since when?</p>"
    assert rows["2"].text == "Lovely plot!\n*Where* exactly & since when?"
    assert rows["2"].author_email == "bert@shed.example"  # whitespace around it, no CDATA
    assert {row.uri for row in rows.values()} == {"/?p=12", "/about"}

    newer = await api.run(WORDPRESS, own_fixture("wordpress-wxr-1.1.xml"))

    assert newer.skipped == Counter({"already imported": 1})
    assert newer.imported == Counter({"approved": 2})
    assert (newer.threads_created, newer.threads_updated) == (0, 1)
    rows = {row.import_id: row for row in await api.rows()}
    assert rows["5"].parent_id == rows["3"].id  # a new reply to a comment imported before
    skeletal = rows["6"]  # only id, author and content
    assert (skeletal.status, skeletal.parent_id) == ("approved", None)
    assert skeletal.created_at.isoformat() == "2009-05-16T17:30:00+00:00"  # the post's date
    assert (await api.page("/?p=12"))["thread"]["count"] == 3
    await api.assert_counters_consistent()


WPDISCUZ = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <item>
    <title>Harbour bridge vote</title>
    <link>https://news.example/2026/harbour-bridge/</link>
    <wp:post_id>7</wp:post_id>
    <wp:comment>
      <wp:comment_id>32</wp:comment_id>
      <wp:comment_author><![CDATA[Reply writer]]></wp:comment_author>
      <wp:comment_date>2026-03-02 10:00:00</wp:comment_date>
      <wp:comment_content><![CDATA[A reply that comes before its parent.]]></wp:comment_content>
      <wp:comment_approved>1</wp:comment_approved>
      <wp:comment_parent>31</wp:comment_parent>
      <wp:commentmeta><wp:meta_key>wpdiscuz_votes</wp:meta_key>
        <wp:meta_value><![CDATA[-2]]></wp:meta_value></wp:commentmeta>
    </wp:comment>
    <wp:comment>
      <wp:comment_id>31</wp:comment_id>
      <wp:comment_author><![CDATA[First reader]]></wp:comment_author>
      <wp:comment_author_email>first@reader.example</wp:comment_author_email>
      <wp:comment_author_IP>198.51.100.4</wp:comment_author_IP>
      <wp:comment_date_gmt>2026-03-01 09:00:00</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[The bridge should open at night.]]></wp:comment_content>
      <wp:comment_approved>1</wp:comment_approved>
      <wp:comment_parent>0</wp:comment_parent>
      <wp:commentmeta><wp:meta_key><![CDATA[wpdiscuz_votes]]></wp:meta_key>
        <wp:meta_value><![CDATA[5]]></wp:meta_value></wp:commentmeta>
      <wp:commentmeta><wp:meta_key><![CDATA[wpdiscuz_votes_seperate]]></wp:meta_key>
        <wp:meta_value><![CDATA[a:2:{s:4:"like";i:7;s:7:"dislike";i:2;}]]></wp:meta_value>
      </wp:commentmeta>
    </wp:comment>
    <wp:comment>
      <wp:comment_id>33</wp:comment_id>
      <wp:comment_content><![CDATA[Buy cheap bridges.]]></wp:comment_content>
      <wp:comment_date_gmt>2026-03-03 09:00:00</wp:comment_date_gmt>
      <wp:comment_approved>spam</wp:comment_approved>
    </wp:comment>
    <wp:comment>
      <wp:comment_id>34</wp:comment_id>
      <wp:comment_content><![CDATA[Binned.]]></wp:comment_content>
      <wp:comment_date_gmt>2026-03-04 09:00:00</wp:comment_date_gmt>
      <wp:comment_approved>trash</wp:comment_approved>
    </wp:comment>
    <wp:comment>
      <wp:comment_id>35</wp:comment_id>
      <wp:comment_content><![CDATA[Waiting for a moderator.]]></wp:comment_content>
      <wp:comment_date_gmt>2026-03-05 09:00:00</wp:comment_date_gmt>
      <wp:comment_approved>0</wp:comment_approved>
      <wp:comment_parent>99</wp:comment_parent>
    </wp:comment>
  </item>
</channel>
</rss>
"""


async def test_wpdiscuz_votes_statuses_and_parents_after_children(
    api: Importing, tmp_path: Path
) -> None:
    export = tmp_path / "wpdiscuz.xml"
    export.write_text(WPDISCUZ, encoding="utf-8")

    summary = await api.run(WORDPRESS, export, timezone=ZoneInfo("Europe/Berlin"))

    assert summary.imported == Counter({"approved": 2, "rejected": 1, "deleted": 1, "pending": 1})
    assert summary.notes["reply whose parent is not in the file, made top-level"] == 1
    rows = {row.import_id: row for row in await api.rows()}
    parent, reply = rows["31"], rows["32"]
    assert (parent.upvotes, parent.downvotes, parent.score) == (7, 2, 5)
    assert (reply.upvotes, reply.downvotes, reply.score) == (0, 2, -2)
    assert reply.parent_id == parent.id
    assert parent.id < reply.id
    assert reply.created_at.isoformat() == "2026-03-02T09:00:00+00:00"  # Berlin local time
    assert rows["33"].text == "Buy cheap bridges."  # spam is kept, hidden
    assert rows["34"].text == ""
    assert rows["35"].parent_id is None
    page = await api.page("/2026/harbour-bridge")
    assert page["thread"]["count"] == 2
    [shown] = page["comments"]
    assert (shown["upvotes"], shown["downvotes"], shown["score"]) == (7, 2, 5)
    assert shown["replies"][0]["score"] == -2
    await api.assert_counters_consistent()


async def test_url_map_moves_threads_to_the_new_address(api: Importing, tmp_path: Path) -> None:
    export = tmp_path / "wpdiscuz.xml"
    export.write_text(WPDISCUZ, encoding="utf-8")

    await api.run(WORDPRESS, export, url_map=UrlMap.parse(["https://news.example/2026/=/archive/"]))

    assert {row.uri for row in await api.rows()} == {"/archive/harbour-bridge"}


async def test_a_post_whose_comments_were_closed_stays_closed(
    api: Importing, tmp_path: Path
) -> None:
    """WordPress showed such a post without its form; so does Talkback, after importing."""
    export = tmp_path / "closed.xml"
    text = own_fixture(LEDGER).read_text(encoding="utf-8")
    export.write_text(text.replace("<![CDATA[open]]>", "<![CDATA[closed]]>"), encoding="utf-8")

    await api.run(WORDPRESS, export)

    page = await api.page(FOOTBRIDGE)
    assert (page["thread"]["closed"], page["thread"]["count"]) == (True, 12)
    refused = await api.post("Late to the party", uri=FOOTBRIDGE)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "thread_closed")
