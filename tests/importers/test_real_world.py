"""The additional layer: real exports from other projects' test suites, kept beside the
repository in ../shared/fixtures (see its SOURCES.md). Each test skips, with its reason in
the summary, when that folder is absent; the project's own fixtures test every importer
without it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from talkback.export.site import export_site
from talkback.importers.formats.commento import COMMENTO
from talkback.importers.formats.disqus import DISQUS, THREAD_DELETED
from talkback.importers.formats.isso import ISSO
from talkback.importers.formats.safe_xml import MalformedXml
from talkback.importers.formats.talkback_jsonl import TALKBACK
from talkback.importers.formats.wordpress import NOTE, WORDPRESS
from tests.api.conftest import SITE
from tests.importers.conftest import STILL_OPEN, Importing, shared_fixture

THEME = "wpimporter-theme-unit-test-data.xml"
REMARK42 = "remark42-migrator-disqus.xml"
PODCAST = "/p/2011/03/05/podcast-229"
EPISODE = "/2011/03/229_8880.html"


async def test_theme_unit_test_data_imports_its_threads_and_depth(api: Importing) -> None:
    summary = await api.run(WORDPRESS, shared_fixture(THEME))

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
    await api.run(WORDPRESS, shared_fixture(THEME))

    page = await api.page("/2012/01/03/template-comments", sort="oldest", limit=50)

    assert page["thread"] == {"uri": "/2012/01/03/template-comments",
                              "title": "Template: Comments", "count": 19, **STILL_OPEN}  # fmt: skip
    depth, node = 1, next(c for c in page["comments"] if "Depth 01" in c["html"])
    while node["replies"]:
        depth, node = depth + 1, node["replies"][0]
    assert depth == 10
    assert "Comment Depth 10" in node["html"]


async def test_reimporting_the_theme_data_adds_nothing(api: Importing) -> None:
    await api.run(WORDPRESS, shared_fixture(THEME))
    before = [(row.id, row.reply_count) for row in await api.rows()]
    versions = [thread.version for thread in await api.threads()]

    again = await api.run(WORDPRESS, shared_fixture(THEME))

    assert again.comments_imported == 0
    assert again.threads_created == again.threads_updated == 0
    assert again.skipped["already imported"] == 29
    assert [(row.id, row.reply_count) for row in await api.rows()] == before
    assert [thread.version for thread in await api.threads()] == versions


async def test_theme_data_pingbacks_and_trackbacks_are_kept_on_request(api: Importing) -> None:
    summary = await api.run(WORDPRESS, shared_fixture(THEME), keep_pingbacks=True)

    assert summary.comments_imported == 33
    assert not summary.skipped


async def test_isso_sample_keeps_a_comment_id_repeated_in_two_posts(api: Importing) -> None:
    summary = await api.run(WORDPRESS, shared_fixture("isso-wordpress.xml"))

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
    summary = await api.run(WORDPRESS, shared_fixture("wpimporter-wxr-with-note-comments.xml"))

    assert summary.skipped == Counter({NOTE: 2})
    [row] = await api.rows()
    assert row.text == "Comment on post Page with notes and comments"


async def test_backslashes_and_non_ascii_survive_byte_for_byte(api: Importing) -> None:
    await api.run(WORDPRESS, shared_fixture("wpimporter-slashes.xml"))

    [row] = await api.rows()
    assert row.text == "\\o/ ¯\\_(ツ)_/¯"
    assert row.html == "<p>\\o/ ¯\\_(ツ)_/¯</p>"
    page = await api.page("/?p=1")
    assert page["comments"][0]["html"] == "<p>\\o/ ¯\\_(ツ)_/¯</p>"


async def test_accessibility_data_and_skeletal_comments(api: Importing) -> None:
    summary = await api.run(WORDPRESS, shared_fixture("wpimporter-a11y-unit-test-data.xml"))

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
        summary = await api.run(WORDPRESS, shared_fixture(name))
        assert summary.comments_imported == 1, name
    # WXR 1.1 of the same blog: the same comment 1 on the same post, so nothing new.
    newer = await api.run(WORDPRESS, shared_fixture("wpimporter-valid-wxr-1.1.xml"))
    assert newer.skipped == Counter({"already imported": 1})
    rows = {row.uri: row for row in await api.rows()}
    assert rows["/?p=101"].text == "This is a comment with meta."  # no <link>: /?p=POST_ID
    assert rows["/comment-meta"].html.startswith("<p>Hi, this is a comment.<br>")
    assert '<a href="https://gravatar.com" rel="nofollow ugc noopener">Gravatar</a>' in (
        rows["/comment-meta"].html
    )
    assert "[Gravatar](https://gravatar.com)" in rows["/comment-meta"].text
    assert "post's comments" in rows["/?p=1"].text  # &#039; decoded


async def test_isso_sample_threads_replies_and_deleted_placeholder(api: Importing) -> None:
    summary = await api.run(DISQUS, shared_fixture("isso-disqus.xml"))

    assert summary.threads_created == 2
    assert summary.imported == Counter({"approved": 4, "deleted": 1})
    assert summary.skipped == Counter({"its thread is not in the file": 1})
    page = await api.page("/", sort="oldest")
    assert page["thread"] == {"uri": "/", "title": "Hello, World!", "count": 3, **STILL_OPEN}
    first, placeholder = page["comments"]
    assert first["author"]["name"] == "peter"
    assert first["replies"][0]["html"] == "<p>Hello, World.</p>"
    assert placeholder["status"] == "deleted"
    assert placeholder["html"] == ""
    assert placeholder["author"]["name"] is None
    assert placeholder["replies"][0]["html"] == "<p>Hello, World.</p>"
    untitled = await api.page("/blog/2013/02/12/redacted/index.html")
    assert untitled["thread"]["title"] is None
    assert untitled["thread"]["count"] == 1
    await api.assert_counters_consistent()


async def test_remark42_malformed_file_fails_strictly_with_its_position(
    api: Importing,
) -> None:
    with pytest.raises(MalformedXml, match=r"line 1, column 1: Start tag expected") as failure:
        await api.run(DISQUS, shared_fixture(REMARK42))

    assert "Nothing was imported" in failure.value.message
    assert "--lenient" in failure.value.message
    assert await api.rows() == []
    assert await api.threads() == []


async def test_remark42_lenient_reading_imports_the_sound_posts(
    api: Importing,
) -> None:
    summary = await api.run(DISQUS, shared_fixture(REMARK42), lenient=True)

    assert summary.threads_created == 2
    assert summary.imported == Counter({"approved": 4, "rejected": 1})
    assert summary.skipped == Counter({"post with an unreadable date": 1})
    assert summary.notes == Counter({"post without dsq:id, id derived from its content": 1})
    assert any(problem.startswith("line 147, column 24") for problem in summary.problems)
    assert "1 byte(s) before the XML document skipped" in summary.problems
    podcast = await api.page(PODCAST, sort="oldest")
    assert podcast["thread"]["title"] == "Радио-Т: Радио-Т 229"  # noqa: RUF001
    assert podcast["thread"]["count"] == 2
    assert "Microsoft показал проводник" in podcast["comments"][1]["html"]
    episode = await api.page(EPISODE, sort="oldest")
    assert [c["author"]["name"] for c in episode["comments"]] == ["No Username", "Blah Noname"]
    spam = next(row for row in await api.rows() if row.import_id == "299986073")
    assert spam.status == "rejected"

    again = await api.run(DISQUS, shared_fixture(REMARK42), lenient=True)
    assert again.comments_imported == 0
    assert again.skipped["already imported"] == 5


async def test_remark42_deleted_thread_drops_its_posts(api: Importing) -> None:
    summary = await api.run(DISQUS, shared_fixture("remark42-migrator-disqus-deleted-thread.xml"),
                            lenient=True)  # fmt: skip

    assert summary.threads_created == 1
    assert summary.imported == Counter({"approved": 2})
    assert summary.skipped == Counter({THREAD_DELETED: 3, "post with an unreadable date": 1})
    assert {row.uri for row in await api.rows()} == {EPISODE}


async def test_remark42_deleted_post_without_replies_is_hidden(api: Importing) -> None:
    summary = await api.run(DISQUS, shared_fixture("remark42-migrator-disqus-deleted-post.xml"),
                            lenient=True)  # fmt: skip

    assert summary.imported == Counter({"approved": 3, "deleted": 1, "rejected": 1})
    deleted = next(row for row in await api.rows() if row.import_id == "299619020")
    assert (deleted.status, deleted.text, deleted.html) == ("deleted", "", "")
    podcast = await api.page(PODCAST)
    assert podcast["thread"]["count"] == 1
    assert len(podcast["comments"]) == 1
    await api.assert_counters_consistent()


async def test_isso_sample_generic_json(api: Importing) -> None:
    summary = await api.run(ISSO, shared_fixture("isso-generic.json"))

    assert summary.imported == Counter({"approved": 2})
    threads = {thread.uri: thread.title for thread in await api.threads()}
    assert threads == {"/posts/0001": "Test post", "/posts/0007": "Nat & Miguel"}
    rows = await api.rows()
    assert rows[0].created_at.isoformat() == "2005-02-24T04:03:37+00:00"
    assert rows[1].author_email == "105421439@87750645.com"
    assert rows[0].author_email is None
    assert (await api.run(ISSO, shared_fixture("isso-generic.json"))).comments_imported == 0


async def test_remark42_commento_export(api: Importing) -> None:
    summary = await api.run(COMMENTO, shared_fixture("remark42-migrator-commento.json"))

    assert summary.threads_created == 2
    assert summary.imported == Counter({"approved": 3})
    page = await api.page("/blog/post/1")
    [comment] = page["comments"]
    assert comment["author"]["name"] == "User5276"
    assert comment["created_at"] == "2021-03-17T12:09:47.722Z"
    assert comment["replies"][0]["author"]["name"] == "Saturnin Uf"
    guest = (await api.page("/blog/post/2"))["comments"][0]
    assert guest["author"]["name"] is None
    assert guest["upvotes"] == 1
    rows = await api.rows()
    assert max(row.depth for row in rows) + 1 == 2
    assert (await api.run(COMMENTO, shared_fixture("remark42-migrator-commento.json"))).skipped == (
        Counter({"already imported": 3})
    )


async def test_remark42_commento_export_whose_comments_are_all_empty(api: Importing) -> None:
    summary = await api.run(COMMENTO, shared_fixture("remark42-api-commento.json"))

    assert summary.imported == Counter({"deleted": 7})
    assert summary.notes == Counter({"empty body, kept as deleted": 7})
    rows = await api.rows()
    assert len(rows) == 7
    assert sum(row.parent_id is not None for row in rows) == 2
    assert all(row.author_email is None for row in rows)  # "undefined" is not an address
    page = await api.page("/example")
    assert page["thread"]["count"] == 0
    assert page["comments"] == []
    await api.assert_counters_consistent()


async def test_theme_data_moves_to_a_fresh_database_identically(
    api: Importing, fresh_api: Importing, tmp_path: Path
) -> None:
    await api.run(WORDPRESS, shared_fixture(THEME))
    chunks: list[str] = []
    await export_site(api.context, SITE, chunks.append)
    export = tmp_path / "theme.jsonl"
    export.write_text("".join(chunks), encoding="utf-8")

    summary = await fresh_api.run(TALKBACK, export)

    assert summary.comments_imported == 29
    moved: list[str] = []
    await export_site(fresh_api.context, SITE, moved.append)
    assert "".join(moved).splitlines()[1:] == "".join(chunks).splitlines()[1:]
    await fresh_api.assert_counters_consistent()
