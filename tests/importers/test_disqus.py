"""Disqus imports, including remark42's deliberately malformed samples."""

from __future__ import annotations

from collections import Counter

import pytest

from talkback.importers.disqus import DISQUS, THREAD_DELETED
from talkback.importers.safe_xml import MalformedXml
from tests.importers.conftest import Importing, fixture

REMARK42 = "remark42-migrator-disqus.xml"
PODCAST = "/p/2011/03/05/podcast-229"
EPISODE = "/2011/03/229_8880.html"


async def test_isso_sample_threads_replies_and_deleted_placeholder(api: Importing) -> None:
    summary = await api.run(DISQUS, fixture("isso-disqus.xml"))

    assert summary.threads_created == 2
    assert summary.imported == Counter({"approved": 4, "deleted": 1})
    assert summary.skipped == Counter({"its thread is not in the file": 1})
    page = await api.page("/", sort="oldest")
    assert page["thread"] == {"uri": "/", "title": "Hello, World!", "count": 3}
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


async def test_malformed_file_fails_strictly_with_its_position_and_writes_nothing(
    api: Importing,
) -> None:
    with pytest.raises(MalformedXml, match=r"line 1, column 1: Start tag expected") as failure:
        await api.run(DISQUS, fixture(REMARK42))

    assert "Nothing was imported" in failure.value.message
    assert "--lenient" in failure.value.message
    assert await api.rows() == []
    assert await api.threads() == []


async def test_lenient_reading_imports_the_sound_posts_and_reports_the_rest(
    api: Importing,
) -> None:
    summary = await api.run(DISQUS, fixture(REMARK42), lenient=True)

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

    again = await api.run(DISQUS, fixture(REMARK42), lenient=True)
    assert again.comments_imported == 0
    assert again.skipped["already imported"] == 5


async def test_deleted_thread_drops_its_posts(api: Importing) -> None:
    summary = await api.run(DISQUS, fixture("remark42-migrator-disqus-deleted-thread.xml"),
                            lenient=True)  # fmt: skip

    assert summary.threads_created == 1
    assert summary.imported == Counter({"approved": 2})
    assert summary.skipped == Counter({THREAD_DELETED: 3, "post with an unreadable date": 1})
    assert {row.uri for row in await api.rows()} == {EPISODE}


async def test_deleted_post_without_replies_is_hidden(api: Importing) -> None:
    summary = await api.run(DISQUS, fixture("remark42-migrator-disqus-deleted-post.xml"),
                            lenient=True)  # fmt: skip

    assert summary.imported == Counter({"approved": 3, "deleted": 1, "rejected": 1})
    deleted = next(row for row in await api.rows() if row.import_id == "299619020")
    assert (deleted.status, deleted.text, deleted.html) == ("deleted", "", "")
    podcast = await api.page(PODCAST)
    assert podcast["thread"]["count"] == 1
    assert len(podcast["comments"]) == 1
    await api.assert_counters_consistent()
