"""WordPress WXR imports, on the WordPress importer's own test exports."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

from talkback.importers.options import UrlMap
from talkback.importers.wordpress import NOTE, WORDPRESS
from tests.importers.conftest import Importing, fixture

THEME = "wpimporter-theme-unit-test-data.xml"


async def test_theme_unit_test_data_imports_its_threads_and_depth(api: Importing) -> None:
    summary = await api.run(WORDPRESS, fixture(THEME))

    assert summary.threads_created == 7
    assert summary.imported == Counter({"approved": 26, "pending": 3})
    assert summary.skipped == Counter(
        {"pingback (--keep-pingbacks imports them)": 2,
         "trackback (--keep-pingbacks imports them)": 2}
    )  # fmt: skip
    rows = await api.rows()
    assert len(rows) == 29
    assert len({row.thread_id for row in rows}) == 7
    assert max(row.depth for row in rows) + 1 == 10  # the fixture counts top level as 1
    assert {row.import_source for row in rows} == {"wordpress"}
    await api.assert_counters_consistent()


async def test_theme_unit_test_data_shows_threads_through_the_api(api: Importing) -> None:
    await api.run(WORDPRESS, fixture(THEME))

    page = await api.page("/2012/01/03/template-comments", sort="oldest", limit=50)

    assert page["thread"] == {"uri": "/2012/01/03/template-comments",
                              "title": "Template: Comments", "count": 19}  # fmt: skip
    depth, node = 1, next(c for c in page["comments"] if "Depth 01" in c["html"])
    while node["replies"]:
        depth, node = depth + 1, node["replies"][0]
    assert depth == 10
    assert "Comment Depth 10" in node["html"]


async def test_reimporting_the_same_file_adds_nothing(api: Importing) -> None:
    await api.run(WORDPRESS, fixture(THEME))
    before = [(row.id, row.reply_count) for row in await api.rows()]
    versions = [thread.version for thread in await api.threads()]

    again = await api.run(WORDPRESS, fixture(THEME))

    assert again.comments_imported == 0
    assert again.threads_created == again.threads_updated == 0
    assert again.skipped["already imported"] == 29
    assert [(row.id, row.reply_count) for row in await api.rows()] == before
    assert [thread.version for thread in await api.threads()] == versions


async def test_pingbacks_and_trackbacks_are_kept_on_request(api: Importing) -> None:
    summary = await api.run(WORDPRESS, fixture(THEME), keep_pingbacks=True)

    assert summary.comments_imported == 33
    assert not summary.skipped


async def test_isso_sample_keeps_a_comment_id_repeated_in_two_posts(api: Importing) -> None:
    summary = await api.run(WORDPRESS, fixture("isso-wordpress.xml"))

    rows = await api.rows()
    assert summary.comments_imported == 8
    assert [row.import_id for row in rows].count("11") == 2
    assert {row.uri for row in rows} == {"/2014/test", "/?p=4"}
    assert max(row.depth for row in rows) + 1 == 3
    multiline = next(row for row in rows if row.author_name == "Multiline Author")
    assert multiline.author_email == "multiline@example.org"
    assert multiline.created_at.isoformat() == "2022-06-06T02:13:14+00:00"  # the GMT field
    assert multiline.html == (
        "<p>When you have a comment with multiple lines:<br>\nWordPress exports it like this.</p>"
    )
    assert all(row.ip_hash and "82.119" not in row.ip_hash for row in rows)
    await api.assert_counters_consistent()


async def test_note_comments_are_never_imported(api: Importing) -> None:
    summary = await api.run(WORDPRESS, fixture("wpimporter-wxr-with-note-comments.xml"))

    assert summary.skipped == Counter({NOTE: 2})
    [row] = await api.rows()
    assert row.text == "Comment on post Page with notes and comments"


async def test_backslashes_and_non_ascii_survive_byte_for_byte(api: Importing) -> None:
    await api.run(WORDPRESS, fixture("wpimporter-slashes.xml"))

    [row] = await api.rows()
    assert row.text == "\\o/ ¯\\_(ツ)_/¯"
    assert row.html == "<p>\\o/ ¯\\_(ツ)_/¯</p>"
    page = await api.page("/?p=1")
    assert page["comments"][0]["html"] == "<p>\\o/ ¯\\_(ツ)_/¯</p>"


async def test_accessibility_data_and_skeletal_comments(api: Importing) -> None:
    summary = await api.run(WORDPRESS, fixture("wpimporter-a11y-unit-test-data.xml"))

    assert summary.comments_imported == 25
    assert summary.skipped == Counter({"pingback (--keep-pingbacks imports them)": 4})
    rows = await api.rows()
    assert max(row.depth for row in rows) + 1 == 10
    skeletal = next(row for row in rows if row.import_id == "167")
    assert skeletal.status == "approved"  # no comment_approved: WordPress assumes approved
    assert skeletal.text == "Anonymous comment."


async def test_older_wxr_versions_and_sub_data(api: Importing) -> None:
    for name in ("wpimporter-valid-wxr-1.0.xml", "wpimporter-wxr-with-sub-data.xml",
                 "wpimporter-wxr-comprehensive.xml",
                 "wpimporter-test-serialized-comment-meta.xml"):  # fmt: skip
        summary = await api.run(WORDPRESS, fixture(name))
        assert summary.comments_imported == 1, name
    # WXR 1.1 of the same blog: the same comment 1 on the same post, so nothing new.
    newer = await api.run(WORDPRESS, fixture("wpimporter-valid-wxr-1.1.xml"))
    assert newer.skipped == Counter({"already imported": 1})
    rows = {row.uri: row for row in await api.rows()}
    assert rows["/?p=101"].text == "This is a comment with meta."  # no <link>: /?p=POST_ID
    assert rows["/comment-meta"].html.startswith("<p>Hi, this is a comment.<br>")
    assert '<a href="https://gravatar.com" rel="nofollow ugc noopener">Gravatar</a>' in (
        rows["/comment-meta"].html
    )
    assert "[Gravatar](https://gravatar.com)" in rows["/comment-meta"].text
    assert "post's comments" in rows["/?p=1"].text  # &#039; decoded


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
