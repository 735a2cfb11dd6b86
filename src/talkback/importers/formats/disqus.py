"""Disqus XML exports: `<thread>` and `<post>` elements side by side under `<disqus>`.

Posts name their thread and parent by `dsq:id`. A post is approved unless flagged:
`isSpam` → rejected (kept, never shown), `isDeleted` → deleted (a placeholder if replies
hang under it). Posts of a thread marked `isDeleted` are dropped, as are posts whose
thread is not in the file or has no address. A post without `dsq:id` gets an id derived
from its content, so re-importing stays idempotent. A post whose date or flags cannot be
read is skipped and counted, in strict and lenient reading alike; strictness is about
the XML itself (see `safe_xml`).
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from talkback.importers.bodies import from_html
from talkback.importers.dates import parse_iso
from talkback.importers.fields import clean, derived_id, flag
from talkback.importers.formats.safe_xml import child_text, iter_events, local_name, release
from talkback.importers.options import ImportOptions
from talkback.importers.progress import CountingReader, Progress
from talkback.importers.records import CommentRecord, ThreadRecord
from talkback.importers.run import Source
from talkback.importers.staging import Staging
from talkback.importers.summary import ImportSummary

SOURCE = "disqus"
THREAD_DELETED = "its thread is deleted in Disqus"


def read_disqus(
    path: Path, options: ImportOptions, sink: Staging, summary: ImportSummary, progress: Progress
) -> None:
    with path.open("rb") as raw:
        source = CountingReader(raw, progress, skip_to_markup=options.lenient)
        for _, element in iter_events(source, lenient=options.lenient, summary=summary):
            name = local_name(element)
            if name not in ("thread", "post"):
                continue
            parent = element.getparent()
            if parent is not None and parent.getparent() is not None:
                continue  # a post's own <thread dsq:id=…/> reference
            # No parent: a top-level element whose end lxml reported late (it does so for
            # an element holding a start tag that recovery repaired), after `release` of a
            # later sibling had detached it. Its own children are intact: read it.
            if name == "thread":
                thread = _thread(element, options)
                if thread is not None:
                    sink.add_thread(thread)
            elif name == "post":
                post = _post(element, options, summary)
                if post is not None:
                    sink.add_comment(post)
            release(element)
        if source.skipped_bytes:
            summary.problem(f"{source.skipped_bytes} byte(s) before the XML document skipped")


def _dsq_id(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    for name, value in element.attrib.items():
        if str(name).endswith("}id"):
            return clean(str(value))
    return None


def _child(element: etree._Element, name: str) -> etree._Element | None:
    for child in element:
        if local_name(child) == name:
            return child
    return None


def _thread(element: etree._Element, options: ImportOptions) -> ThreadRecord | None:
    key = _dsq_id(element)
    if key is None:
        return None
    deleted = flag(child_text(element, "isDeleted"))
    address = clean(child_text(element, "link")) or clean(child_text(element, "id"))
    return ThreadRecord(
        key=key,
        uri=options.thread_uri(address),
        title=clean(child_text(element, "title")),
        created_at=parse_iso(child_text(element, "createdAt")),
        skip=THREAD_DELETED if deleted else None,
        # Disqus showed a closed thread without its form: it stays closed here.
        close_override="closed" if flag(child_text(element, "isClosed")) else None,
    )


def _post(
    element: etree._Element, options: ImportOptions, summary: ImportSummary
) -> CommentRecord | None:
    created = parse_iso(child_text(element, "createdAt"))
    if created is None:
        summary.skip("post with an unreadable date")
        return None
    deleted, spam = flag(child_text(element, "isDeleted")), flag(child_text(element, "isSpam"))
    if deleted is None or spam is None:
        summary.skip("post with an unreadable isDeleted/isSpam flag")
        return None
    author = _child(element, "author")
    name = clean(child_text(author, "name")) if author is not None else None
    email = clean(child_text(author, "email")) if author is not None else None
    message = child_text(element, "message") or ""
    thread_key = _dsq_id(_child(element, "thread")) or ""
    post_id = _dsq_id(element)
    if post_id is None:
        post_id = derived_id(thread_key, child_text(element, "createdAt"), name, email, message)
        summary.note("post without dsq:id, id derived from its content")
    text, html = from_html(message, line_breaks=False)
    return CommentRecord(
        thread_key=thread_key,
        key=post_id,
        import_source=SOURCE,
        import_id=post_id,
        parent_key=_dsq_id(_child(element, "parent")),
        status="deleted" if deleted else "rejected" if spam else "approved",
        text=text,
        html=html,
        created_at=created,
        author_name=name,
        author_email=email,
        ip_hash=options.hash_ip(child_text(element, "ipAddress")),
    )


DISQUS = Source(SOURCE, read_disqus)
