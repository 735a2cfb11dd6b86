"""Putting one thread's imported comments in an order the database can take.

Exports list replies before their parents, repeat ids, point at parents that are not in
the file, and (rarely) loop. `plan_thread` settles all of that in memory for one thread,
without I/O, so the writer can insert every parent before its replies.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from talkback.importers.fields import derived_id
from talkback.importers.records import CommentRecord

ORPHAN = "reply whose parent is not in the file, made top-level"
CYCLE = "reply cycle broken, comment made top-level"
EMPTY = "empty body, kept as deleted"
DUPLICATE = "duplicate comment id in the same thread"
MAX_IMPORT_ID = 128  # the column's width; longer ids are replaced by a stable digest


@dataclass
class ThreadPlan:
    """The thread's comments, each parent before its replies, otherwise oldest first
    (ties in file order), so ids grow with time as they do for comments posted here."""

    comments: list[CommentRecord]
    skipped: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)


def plan_thread(records: list[CommentRecord]) -> ThreadPlan:
    plan = ThreadPlan([])
    by_key: dict[str, CommentRecord] = {}
    seen_origins: set[tuple[str, str]] = set()
    for record in records:
        if len(record.import_id) > MAX_IMPORT_ID:
            record.import_id = derived_id(record.import_id)
        origin = (record.import_source, record.import_id)
        if record.key in by_key or origin in seen_origins:
            plan.skipped[DUPLICATE] += 1
            continue
        by_key[record.key] = record
        seen_origins.add(origin)
        empty = not record.text.strip() and not record.html.strip()
        if empty and record.status in ("approved", "pending"):
            record.status = "deleted"
            plan.notes[EMPTY] += 1
    for record in by_key.values():
        if record.parent_key is not None and (
            record.parent_key == record.key or record.parent_key not in by_key
        ):
            record.parent_key = None
            plan.notes[ORPHAN] += 1
    _break_cycles(by_key, plan)
    chronological = sorted(by_key.values(), key=lambda record: record.created_at)
    plan.comments = list(_parents_first(chronological))
    return plan


def _break_cycles(by_key: dict[str, CommentRecord], plan: ThreadPlan) -> None:
    settled: set[str] = set()
    for start in by_key.values():
        path: list[CommentRecord] = []
        on_path: set[str] = set()
        node: CommentRecord | None = start
        while node is not None and node.key not in settled:
            if node.key in on_path:
                node.parent_key = None
                plan.notes[CYCLE] += 1
                break
            path.append(node)
            on_path.add(node.key)
            node = by_key[node.parent_key] if node.parent_key is not None else None
        settled.update(on_path)


def _parents_first(ordered: list[CommentRecord]) -> Iterator[CommentRecord]:
    """Records in the given order, except that a reply waits for its parent and then
    follows it directly (with its own waiting replies after it, depth first)."""
    emitted: set[str] = set()
    waiting: dict[str, list[CommentRecord]] = {}
    for record in ordered:
        if record.parent_key is not None and record.parent_key not in emitted:
            waiting.setdefault(record.parent_key, []).append(record)
            continue
        stack = [iter([record])]
        while stack:
            current = next(stack[-1], None)
            if current is None:
                stack.pop()
                continue
            emitted.add(current.key)
            yield current
            children = waiting.pop(current.key, None)
            if children:
                stack.append(iter(children))
