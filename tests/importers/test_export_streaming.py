"""`talkback export` and `talkback reader export` stream their output with a progress bar
on standard error: the output is complete and the same as the whole document, and the
memory an export takes does not grow with the site."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest
from typer.testing import CliRunner

from talkback.cli.main import app
from talkback.export import site as site_export
from talkback.export.site import export_site
from talkback.importers.formats.wordpress import WORDPRESS
from talkback.readers.data import export_reader_data, write_reader_data
from talkback.sites.sites import load_site
from tests.api.conftest import SITE
from tests.importers.conftest import Importing

EMAIL = "ines@readers.example"
HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<title>The Ledger</title><wp:wxr_version>1.2</wp:wxr_version>
"""
ITEM = """<item><title>Story {post}</title><link>https://ledger.example/story-{post}/</link>
<wp:post_id>{post}</wp:post_id><wp:post_type>post</wp:post_type><wp:status>publish</wp:status>
{comments}</item>
"""
COMMENT = """<wp:comment><wp:comment_id>{id}</wp:comment_id>
<wp:comment_author>Ines</wp:comment_author><wp:comment_author_email>{email}</wp:comment_author_email>
<wp:comment_date_gmt>2025-05-01 10:{minute:02d}:00</wp:comment_date_gmt>
<wp:comment_content>{body}</wp:comment_content><wp:comment_approved>1</wp:comment_approved>
<wp:comment_parent>0</wp:comment_parent></wp:comment>
"""


def wordpress_export(path: Path, *, posts: int, per_post: int, first_id: int = 0) -> Path:
    """A WXR file of `posts` stories with `per_post` long comments each, all by Ines."""
    items = []
    for post in range(1, posts + 1):
        comments = "".join(
            COMMENT.format(id=post * 10_000 + first_id + n, email=EMAIL, minute=n % 60,
                           body=f"Comment {n} on story {post}. " + "A long paragraph. " * 100)
            for n in range(per_post)
        )  # fmt: skip
        items.append(ITEM.format(post=post, comments=comments))
    path.write_text(HEAD + "".join(items) + "</channel></rss>\n", encoding="utf-8")
    return path


def test_export_streams_every_record_with_a_progress_bar(runner: CliRunner, tmp_path: Path) -> None:
    export = wordpress_export(tmp_path / "wp.xml", posts=3, per_post=40)
    assert runner.invoke(app, ["import", "wordpress", str(export), "--site", "news"]).exit_code == 0

    result = runner.invoke(app, ["export", "--site", "news"], terminal_width=200)

    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = [line.get("type") for line in lines[1:]]
    assert (kinds.count("site"), kinds.count("thread"), kinds.count("comment")) == (1, 3, 120)
    assert "exporting (records)" in result.stderr
    assert "124/124" in result.stderr  # the site, 3 threads and 120 comments
    assert "exported 3 threads, 120 comments" in result.stderr


def test_reader_export_streams_the_same_document(runner: CliRunner, tmp_path: Path) -> None:
    export = wordpress_export(tmp_path / "wp.xml", posts=2, per_post=30)
    assert runner.invoke(app, ["import", "wordpress", str(export), "--site", "news"]).exit_code == 0
    output = tmp_path / "ines.json"

    to_stdout = runner.invoke(app, ["reader", "export", EMAIL, "--site", "news"])
    to_file = runner.invoke(
        app, ["reader", "export", EMAIL, "--site", "news", "--output", str(output)]
    )

    assert to_stdout.exit_code == 0, to_stdout.output
    document = json.loads(to_stdout.stdout)
    assert len(document["comments"]) == 60
    assert document["votes"] == document["reports"] == document["donations"] == []
    assert "60/60" in to_stdout.stderr
    assert to_file.exit_code == 0, to_file.output
    assert json.loads(output.read_text(encoding="utf-8"))["comments"] == document["comments"]
    assert not output.with_name("ines.json.partial").exists()


async def test_the_streamed_reader_document_is_the_apis_to_the_byte(api: Importing) -> None:
    token = await api.reader_token()
    first = await api.posted("Ines's first comment", email=EMAIL, author_name="Ines",
                             headers={"X-Talkback-Reader": token})  # fmt: skip
    await api.posted("Ines again", email=EMAIL.upper(), headers={"X-Talkback-Reader": token})
    other = await api.posted("Someone else")
    assert (await api.vote(other["comment"]["id"], 1, token)).status_code == 200
    assert (await api.vote(first["comment"]["id"], -1)).status_code == 200  # not hers
    site = await load_site(api.context.database, SITE)
    chunks: list[str] = []

    await write_reader_data(api.context, site, EMAIL, chunks.append)

    whole = await export_reader_data(api.context, site, EMAIL)
    whole["exported_at"] = json.loads("".join(chunks))["exported_at"]
    assert "".join(chunks) == json.dumps(whole, ensure_ascii=False, indent=2) + "\n"
    assert len(whole["comments"]) == 2
    assert len(whole["votes"]) == 1


async def peak_export_memory(api: Importing) -> tuple[int, int]:
    """(records written, peak bytes traced) of one site export whose lines are dropped."""
    written = 0

    def drop(line: str) -> None:
        nonlocal written
        written += 1

    tracemalloc.start()
    try:
        await export_site(api.context, SITE, drop)
        return written, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def test_export_memory_does_not_grow_with_the_site(
    api: Importing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of 20 rows: a thread four times as long must not take four times the memory
    (each comment is about 2 kB, so holding a thread or the output would show plainly)."""
    monkeypatch.setattr(site_export, "PAGE", 20)
    await api.run(WORDPRESS, wordpress_export(tmp_path / "small.xml", posts=1, per_post=100))
    await peak_export_memory(api)  # warm up: compiled statements, connections
    small_records, small_peak = await peak_export_memory(api)
    more = wordpress_export(tmp_path / "more.xml", posts=1, per_post=300, first_id=100)
    await api.run(WORDPRESS, more)
    large_records, large_peak = await peak_export_memory(api)

    assert (small_records, large_records) == (103, 403)  # header, site, thread, comments
    assert large_peak < small_peak * 1.5, (small_peak, large_peak)
