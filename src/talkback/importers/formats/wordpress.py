"""WordPress WXR exports (WXR 1.0 to 1.2, http or https namespaces).

Mapping, per comment:
- status: `comment_approved` 1 → approved, 0/hold → pending, spam → rejected (kept, never
  shown), trash/post-trashed → deleted; a comment without the field is approved, as
  WordPress itself assumes; any other value → pending.
- type: ordinary comments (`comment_type` empty or "comment") are imported; pingbacks and
  trackbacks only with `keep_pingbacks`; WordPress 6.9 `note`s (editorial notes on blocks)
  and every other type (WooCommerce order notes, reviews, plugin logs) are skipped.
- time: `comment_date_gmt`; when it is missing or zero, `comment_date` read in the
  `timezone` option (default UTC: WXR does not record the site's zone); then the post's
  date; then the time of the import.
- votes: wpDiscuz meta, `wpdiscuz_votes_seperate` (likes and dislikes, PHP-serialized)
  or else `wpdiscuz_votes` (the net score).
- thread: the item's `<link>`, else its `<guid>`, else `/?p=POST_ID`, through `url_map`.
- inline feedback: a wpDiscuz feedback comment (meta `wpdiscuz_feedback_form_id`) is
  anchored to its form's passage in the item's `content:encoded` where that can be told
  (`formats/wpdiscuz.py`), and imported as an ordinary comment, counted, where not.
Bodies are HTML with WordPress's bare newlines and bare addresses, formatted as WordPress
showed them (paragraphs, and links by `make_clickable`), see `bodies.from_html`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from talkback import clock
from talkback.importers.bodies import from_html
from talkback.importers.dates import parse_local
from talkback.importers.fields import clean, derived_id, website
from talkback.importers.formats.php_serialized import NotSerializedArray, parse_flat_array
from talkback.importers.formats.safe_xml import child_text, iter_events, local_name, release
from talkback.importers.formats.wpdiscuz import FORM_META, place_feedback
from talkback.importers.options import UTC_ZONE, ImportOptions
from talkback.importers.progress import CountingReader, Progress
from talkback.importers.records import CommentRecord, ThreadRecord
from talkback.importers.run import Source
from talkback.importers.staging import Staging
from talkback.importers.summary import ImportSummary

SOURCE = "wordpress"
_STATUS = {"1": "approved", "approve": "approved", "0": "pending", "hold": "pending",
           "spam": "rejected", "trash": "deleted", "post-trashed": "deleted"}  # fmt: skip
_ITEM_FIELDS = frozenset(
    {"title", "link", "guid", "post_id", "post_date", "post_date_gmt", "comment_status"}
)
NOTE = "WordPress note (editorial, never public)"
_CONTENT_NAMESPACE = "{http://purl.org/rss/1.0/modules/content/}"


@dataclass
class _Item:
    """The item being read; its fields come before its comments in every WXR version."""

    key: str
    element: etree._Element
    fields: dict[str, str] = field(default_factory=dict)
    content: str = ""
    feedback: list[tuple[CommentRecord, str]] = field(default_factory=list)
    """wpDiscuz feedback comments and their form ids, held until the item ends: whether a
    form can be told from the export depends on all of the post's feedback."""


def read_wordpress(
    path: Path, options: ImportOptions, sink: Staging, summary: ImportSummary, progress: Progress
) -> None:
    with path.open("rb") as raw:
        source = CountingReader(raw, progress, skip_to_markup=options.lenient)
        items = 0
        item: _Item | None = None
        for _, element in iter_events(source, lenient=options.lenient, summary=summary):
            name = local_name(element)
            if name == "item":
                if item is None or item.element is not element:
                    items += 1
                    item = _Item(f"item:{items}", element)
                place_feedback(item.content, item.feedback, options.wpdiscuz_forms, summary)
                for record, _ in item.feedback:
                    sink.add_comment(record)
                sink.add_thread(_thread(item, options))
                release(element)  # and, before it, the channel's own elements
                item = None
                continue
            content = name == "encoded" and str(element.tag).startswith(_CONTENT_NAMESPACE)
            if name not in _ITEM_FIELDS and name != "comment" and not content:
                continue
            parent = element.getparent()
            if parent is None or local_name(parent) != "item":
                continue
            if item is None or item.element is not parent:
                items += 1
                item = _Item(f"item:{items}", parent)
            if name == "comment":
                found = _comment(element, item, options, summary)
                if found is not None:
                    record, form_id = found
                    if form_id is None:
                        sink.add_comment(record)
                    else:
                        item.feedback.append((record, form_id))
                release(element)
            elif content:
                item.content = element.text or ""
            else:
                item.fields[name] = element.text or ""
        if source.skipped_bytes:
            summary.problem(f"{source.skipped_bytes} byte(s) before the XML document skipped")


def _thread(item: _Item, options: ImportOptions) -> ThreadRecord:
    post_id = clean(item.fields.get("post_id"))
    address = clean(item.fields.get("link")) or clean(item.fields.get("guid"))
    if address is None and post_id:
        address = f"/?p={post_id}"
    created = parse_local(item.fields.get("post_date_gmt"), UTC_ZONE) or parse_local(
        item.fields.get("post_date"), options.timezone
    )
    return ThreadRecord(
        key=item.key,
        uri=options.thread_uri(address),
        title=clean(item.fields.get("title")),
        created_at=created,
        # WordPress showed a post whose comments are closed without its form.
        close_override="closed" if clean(item.fields.get("comment_status")) == "closed" else None,
    )


def _comment(
    element: etree._Element, item: _Item, options: ImportOptions, summary: ImportSummary
) -> tuple[CommentRecord, str | None] | None:
    """The comment's record, and the wpDiscuz feedback form it answers, if any."""
    values: dict[str, str] = {}
    meta: dict[str, str] = {}
    for child in element:
        name = local_name(child)
        if name == "commentmeta":
            key = clean(child_text(child, "meta_key"))
            if key:
                meta[key] = child_text(child, "meta_value") or ""
        else:
            values[name] = child.text or ""
    kind = (clean(values.get("comment_type")) or "comment").lower()
    if kind == "note":
        summary.skip(NOTE)
        return None
    if kind in ("pingback", "trackback") and not options.keep_pingbacks:
        summary.skip(f"{kind} (--keep-pingbacks imports them)")
        return None
    if kind not in ("comment", "pingback", "trackback"):
        summary.skip(f"comment type {kind!r}")
        return None
    approved = clean(values.get("comment_approved"))
    status = "approved" if approved is None else _STATUS.get(approved.lower())
    if status is None:
        summary.note(f"approval value {approved!r} imported as pending")
        status = "pending"
    created = (
        parse_local(values.get("comment_date_gmt"), UTC_ZONE)
        or parse_local(values.get("comment_date"), options.timezone)
        or parse_local(item.fields.get("post_date_gmt"), UTC_ZONE)
        or parse_local(item.fields.get("post_date"), options.timezone)
    )
    if created is None:
        summary.note("no date in the export, import time used")
        created = clock.now()
    text, html = from_html(values.get("comment_content") or "", line_breaks=True, link_urls=True)
    author = clean(values.get("comment_author"))
    comment_id = clean(values.get("comment_id")) or derived_id(
        item.key, author, values.get("comment_date_gmt"), text
    )
    parent = clean(values.get("comment_parent"))
    upvotes, downvotes = _wpdiscuz_votes(meta, summary)
    record = CommentRecord(
        thread_key=item.key,
        key=comment_id,
        import_source=SOURCE,
        import_id=comment_id,
        parent_key=None if parent in (None, "0") else parent,
        status=status,
        text=text,
        html=html,
        created_at=created,
        author_name=author,
        author_email=clean(values.get("comment_author_email")),
        author_website=website(values.get("comment_author_url")),
        ip_hash=options.hash_ip(values.get("comment_author_IP")),
        upvotes=upvotes,
        downvotes=downvotes,
    )
    return record, clean(meta.get(FORM_META))


def _wpdiscuz_votes(meta: dict[str, str], summary: ImportSummary) -> tuple[int, int]:
    """(upvotes, downvotes) from wpDiscuz meta. Dislikes are taken as a magnitude: some
    wpDiscuz versions store them as a negative number."""
    separate = meta.get("wpdiscuz_votes_seperate")
    if separate:
        try:
            counts = parse_flat_array(separate)
            like, dislike = counts.get("like", 0), counts.get("dislike", 0)
            if isinstance(like, int) and isinstance(dislike, int):
                return max(like, 0), abs(dislike)
        except NotSerializedArray:
            pass
        summary.note("unreadable wpdiscuz_votes_seperate ignored")
    net = (meta.get("wpdiscuz_votes") or "").strip()
    if net.lstrip("-").isdigit():
        score = int(net)
        return max(score, 0), max(-score, 0)
    return 0, 0


WORDPRESS = Source(SOURCE, read_wordpress)
