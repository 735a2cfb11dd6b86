"""Imported comments show what their source system showed: WordPress made bare addresses
links when it displayed a comment (`make_clickable`), so an imported one shows them as
links, with the `rel` of a comment posted here.

The other sources need nothing of the kind: Disqus exports the HTML it showed, links
made; Isso and Commento keep Markdown that they rendered with autolinking, as our
renderer does (`bodies.from_markdown`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from talkback.importers.formats.isso import ISSO
from talkback.importers.formats.wordpress import WORDPRESS
from tests.importers.conftest import Importing

PAGE = "/2025/05/bridge-opening"
WXR = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>The Ledger</title>
  <link>https://ledger.example</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <item>
    <title>The bridge opens</title>
    <link>https://ledger.example{page}/</link>
    <wp:post_id>7</wp:post_id>
    <wp:post_type>post</wp:post_type>
    <wp:status>publish</wp:status>
    <wp:comment>
      <wp:comment_id>1</wp:comment_id>
      <wp:comment_author>Ines</wp:comment_author>
      <wp:comment_date_gmt>2025-05-01 10:00:00</wp:comment_date_gmt>
      <wp:comment_content><![CDATA[{body}]]></wp:comment_content>
      <wp:comment_approved>1</wp:comment_approved>
      <wp:comment_parent>0</wp:comment_parent>
    </wp:comment>
  </item>
</channel>
</rss>
"""
PASTED = (
    "The minutes: https://ledger.example/minutes?year=2025&part=2. Mirror at "
    "www.minutes-archive.com, questions to clerk@ledger-news.com.\n"
    'Not these: setup.py, example.com, <a href="https://a.example/">a link</a> and '
    "<code>https://in.code.example/</code>"
)
LINK = re.compile(r'<a href="([^"]*)" rel="([^"]*)">([^<]*)</a>')


async def import_wordpress(api: Importing, tmp_path: Path, body: str) -> dict[str, object]:
    export = tmp_path / "wordpress.xml"
    export.write_text(WXR.format(page=PAGE, body=body), encoding="utf-8")
    summary = await api.run(WORDPRESS, export)
    assert summary.imported["approved"] == 1
    [comment] = (await api.page(PAGE))["comments"]
    assert isinstance(comment, dict)
    return comment


async def test_a_pasted_wordpress_address_shows_as_a_link(api: Importing, tmp_path: Path) -> None:
    comment = await import_wordpress(api, tmp_path, PASTED)

    links = LINK.findall(str(comment["html"]))
    assert [(href, label) for href, _, label in links] == [
        ("https://ledger.example/minutes?year=2025&amp;part=2",
         "https://ledger.example/minutes?year=2025&amp;part=2"),
        ("http://www.minutes-archive.com", "www.minutes-archive.com"),
        ("mailto:clerk@ledger-news.com", "clerk@ledger-news.com"),
        ("https://a.example/", "a link"),
    ]  # fmt: skip
    assert {rel for _, rel, _ in links} == {"nofollow ugc noopener"}
    assert "<code>https://in.code.example/</code>" in str(comment["html"])
    assert "setup.py, example.com" in str(comment["html"])


async def test_an_imported_link_is_the_link_a_new_comment_gets(
    api: Importing, tmp_path: Path
) -> None:
    address = "https://ledger.example/minutes?year=2025&part=2"
    imported = await import_wordpress(api, tmp_path, f"See {address} for the vote.")
    posted = (await api.posted(f"See {address} for the vote.", uri=PAGE))["comment"]
    assert LINK.findall(str(imported["html"])) == LINK.findall(str(posted["html"]))
    assert LINK.findall(str(imported["html"]))


async def test_the_text_keeps_the_addresses_as_typed(api: Importing, tmp_path: Path) -> None:
    await import_wordpress(api, tmp_path, "Mirror at www.minutes-archive.com today")
    [row] = [row for row in await api.rows() if row.uri == PAGE]
    assert row.text == "Mirror at www.minutes-archive.com today"


async def test_isso_markdown_is_linked_as_isso_linked_it(api: Importing, tmp_path: Path) -> None:
    """Isso's autolinking knew addresses with a scheme or "www." and emails; a file name
    or a bare domain stayed text there, though our own renderer links bare domains."""
    export = tmp_path / "isso.json"
    text = "Run setup.py (see example.com), or read https://docs.example/setup and www.python.org"
    comment = {"id": 1, "author": "Ines", "email": "", "website": "", "remote_addr": "0.0.0.0",
               "created": "2025-05-01 10:00:00", "text": text}  # fmt: skip
    export.write_text(json.dumps([{"id": PAGE, "title": "Bridge", "comments": [comment]}]))
    await api.run(ISSO, export)

    [shown] = (await api.page(PAGE))["comments"]
    assert [label for _, _, label in LINK.findall(shown["html"])] == [
        "https://docs.example/setup",
        "www.python.org",
    ]
    assert "setup.py (see example.com)" in shown["html"]
