"""Reading untrusted XML as a stream, safely.

Exports come from other systems and sometimes from strangers, so the parser never expands
entities, never loads a DTD and never touches the network, and a document whose DOCTYPE
declares entities or points to an external DTD is refused outright: no WordPress or
Disqus export has one, and they are how "billion laughs" bombs and file-disclosure
(XXE) attacks work. Elements arrive one at a time; callers clear what they have used so a
file of any size is read in bounded memory.

Strict reading fails on the first well-formedness error, naming its line and column.
Lenient reading lets libxml2 recover (skipping garbage before the document, repairing
what it can) and records every error it recovered from in the summary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO, Literal

from lxml import etree

from talkback.importers.progress import CountingReader
from talkback.importers.records import ImportFailed
from talkback.importers.summary import ImportSummary

_POSITION_SUFFIX = re.compile(r", line \d+, column \d+$")


class UnsafeXml(ImportFailed):
    code = "unsafe_xml"


class MalformedXml(ImportFailed):
    code = "malformed_xml"


def iter_events(
    source: BinaryIO | CountingReader,
    *,
    lenient: bool,
    summary: ImportSummary,
    events: tuple[Literal["start", "end"], ...] = ("end",),
) -> Iterator[tuple[str, etree._Element]]:
    """(event, element) pairs in document order, after the safety checks."""
    parser = etree.iterparse(
        source,
        events=events,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        recover=lenient,
    )
    checked = False
    try:
        for event, element in parser:
            if not checked:
                refuse_unsafe_doctype(element)
                checked = True
            yield event, element
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        line += _lines_skipped(source)
        message = _POSITION_SUFFIX.sub("", exc.msg or str(exc))
        where = f"line {line}, column {column}: {message}"
        if not lenient:
            raise MalformedXml(
                f"not well-formed XML at {where}. Nothing was imported; "
                "--lenient imports the sound parts and reports the rest."
            ) from exc
        summary.problem(where)
    if lenient:
        skipped = _lines_skipped(source)
        for entry in parser.error_log:
            summary.problem(f"line {entry.line + skipped}, column {entry.column}: {entry.message}")


def _lines_skipped(source: BinaryIO | CountingReader) -> int:
    """Lines dropped before the document, so positions name the file's own lines."""
    return source.skipped_lines if isinstance(source, CountingReader) else 0


def refuse_unsafe_doctype(element: etree._Element) -> None:
    docinfo = element.getroottree().docinfo
    if docinfo.system_url or docinfo.public_id:
        raise UnsafeXml(
            f"the file refers to an external DTD ({docinfo.system_url or docinfo.public_id}); "
            "exports never do and it will not be loaded, so the file is refused. "
            "Nothing was imported"
        )
    dtd = docinfo.internalDTD
    if dtd is None:
        return
    names = [str(entity.name) for entity in dtd.iterentities()]
    if names:
        shown = ", ".join(sorted(names)[:5])
        raise UnsafeXml(
            f"the file's DOCTYPE declares entities ({shown}); exports never do, and entity "
            "expansion is how XML bombs and file-disclosure attacks work, so the file is "
            "refused. Nothing was imported"
        )


_LOCAL_NAMES: dict[str, str] = {}


def local_name(element: etree._Element) -> str:
    """The tag without its namespace: WXR alone has used four namespace URIs over time."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = tag.rpartition("}")[2]
        if len(_LOCAL_NAMES) < 1024:  # a hostile file may invent endless tag names
            _LOCAL_NAMES[tag] = name
    return name


def child_text(element: etree._Element, name: str) -> str | None:
    """Text of the first child with local name `name` (CDATA included), or None."""
    for child in element:
        if local_name(child) == name:
            return child.text or ""
    return None


def release(element: etree._Element) -> None:
    """Free an element that has been used, and the already-used siblings before it."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]
