"""An Atom document (RFC 4287) from a feed's facts, built as an XML tree with lxml.

Built as a tree, never from a string template: every text and attribute is escaped by the
serialiser, so a comment's HTML (sanitised already, carried as `type="html"` text) or an
author's name cannot break the document. Pure: the same facts give the same bytes, which
is what lets a feed be cached and tagged by what it was built from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from talkback import __version__
from talkback.comments.views import iso

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot carry. Comments may hold them (only NUL is refused at the
door, and imports bring what they find); lxml would refuse the whole feed for one."""
NOTHING_YET = datetime(1970, 1, 1, tzinfo=UTC)
"""`updated` of a feed with no entry: Atom requires one, and a fixed one keeps the bytes
(and so the ETag) of an empty feed the same until something is posted."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One comment as a feed item."""

    id: str
    title: str
    link: str
    author: str
    author_uri: str | None
    html: str
    """Sanitised HTML, as the thread page carries it."""
    published: datetime
    updated: datetime


@dataclass(frozen=True, slots=True)
class Feed:
    id: str
    title: str
    self_link: str
    alternate: str | None
    """The page a reader of the feed would visit (the article, the site), when known."""
    entries: tuple[Entry, ...]
    language: str = "en"
    """The language of its words (`xml:lang`); the comments are in whatever readers wrote."""


def render_atom(feed: Feed) -> bytes:
    """The feed as UTF-8 Atom XML, entries in the order given (newest first)."""
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    root.set(XML_LANG, feed.language)
    _text(root, "id", feed.id)
    _text(root, "title", feed.title)
    updated = max((entry.updated for entry in feed.entries), default=NOTHING_YET)
    _text(root, "updated", iso(updated))
    _link(root, "self", feed.self_link, MEDIA_TYPE)
    if feed.alternate is not None:
        _link(root, "alternate", feed.alternate, "text/html")
    generator = _text(root, "generator", "Talkback")
    generator.set("version", __version__)
    for entry in feed.entries:
        _entry(root, entry)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def _entry(parent: etree._Element, entry: Entry) -> None:
    element = etree.SubElement(parent, f"{{{ATOM}}}entry")
    _text(element, "id", entry.id)
    _text(element, "title", entry.title)
    _text(element, "published", iso(entry.published))
    _text(element, "updated", iso(entry.updated))
    author = etree.SubElement(element, f"{{{ATOM}}}author")
    _text(author, "name", entry.author)
    if entry.author_uri:
        _text(author, "uri", entry.author_uri)
    _link(element, "alternate", entry.link, "text/html")
    _text(element, "content", entry.html).set("type", "html")


def _text(parent: etree._Element, name: str, text: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM}}}{name}")
    element.text = NOT_XML.sub("", text)
    return element


def _link(parent: etree._Element, rel: str, href: str, media_type: str) -> None:
    etree.SubElement(
        parent, f"{{{ATOM}}}link", rel=rel, href=NOT_XML.sub("", href), type=media_type
    )
