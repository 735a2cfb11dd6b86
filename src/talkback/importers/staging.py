"""A private scratch file between reading a source and writing the database.

Parsers append records here as they stream through a file; the writer then takes them
back one thread at a time. Holding records on disk rather than in memory keeps memory
bounded by the largest thread, not the file, and lets threads, comments and votes arrive
in any order (Disqus lists threads and posts separately; WordPress replies can precede
their parents; a donation can come before its campaign). The file lives in a temporary
directory and is removed when the import ends; IP addresses are already hashed before
they reach it.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from talkback.importers.records import (
    CampaignRecord,
    CommentRecord,
    DonationRecord,
    StaffRecord,
    ThreadRecord,
    VoteRecord,
)

_SCHEMA = """
CREATE TABLE threads (seq INTEGER PRIMARY KEY, key TEXT UNIQUE, uri TEXT, title TEXT,
                      created_at TEXT, skip TEXT, keep_empty INTEGER, close_override TEXT,
                      close_message TEXT, closed_at TEXT);
CREATE TABLE comments (seq INTEGER PRIMARY KEY, thread_key TEXT, key TEXT, record TEXT);
CREATE INDEX comments_thread ON comments (thread_key);
CREATE TABLE votes (seq INTEGER PRIMARY KEY, comment_key TEXT, record TEXT);
CREATE INDEX votes_comment ON votes (comment_key);
CREATE TABLE campaigns (seq INTEGER PRIMARY KEY, key TEXT UNIQUE, record TEXT);
CREATE TABLE donations (seq INTEGER PRIMARY KEY, campaign_key TEXT, record TEXT);
CREATE INDEX donations_campaign ON donations (campaign_key);
"""
_COMMIT_EVERY = 5000


@dataclasses.dataclass(frozen=True, slots=True)
class ThreadGroup:
    """Everything one thread uri receives: several source threads may map to one uri."""

    uri: str
    title: str | None
    created_at: datetime | None
    keep_empty: bool
    thread_keys: tuple[str, ...]
    close_override: str | None = None
    close_message: str | None = None
    closed_at: datetime | None = None


class Staging:
    def __init__(self) -> None:
        self._directory = tempfile.TemporaryDirectory(prefix="talkback-import-")
        self._db = sqlite3.connect(Path(self._directory.name) / "staging.db",
                                   check_same_thread=False)  # fmt: skip
        self._db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        self._pending = 0
        self.comment_count = 0
        self.site_settings: dict[str, Any] | None = None
        self.staff: list[StaffRecord] = []
        """A server's staff accounts, a handful: kept in memory."""
        self._comments: list[tuple[str, str, str]] = []

    def __enter__(self) -> Staging:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()
        self._directory.cleanup()

    def add_thread(self, thread: ThreadRecord) -> bool:
        """Stage a thread; the first record for a key wins. False if the key was known."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO threads (key, uri, title, created_at, skip, keep_empty, "
            "close_override, close_message, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (thread.key, thread.uri, thread.title, _iso(thread.created_at), thread.skip,
             int(thread.keep_empty), thread.close_override, thread.close_message,
             _iso(thread.closed_at)),
        )  # fmt: skip
        self._tick()
        return cursor.rowcount == 1

    def add_comment(self, comment: CommentRecord) -> None:
        self._comments.append((comment.thread_key, comment.key, _dump(comment)))
        self.comment_count += 1
        if len(self._comments) >= _COMMIT_EVERY:
            self._flush_comments()

    def _flush_comments(self) -> None:
        self._db.executemany(
            "INSERT INTO comments (thread_key, key, record) VALUES (?, ?, ?)", self._comments
        )
        self._db.commit()
        self._comments.clear()

    def add_vote(self, vote: VoteRecord) -> None:
        self._db.execute(
            "INSERT INTO votes (comment_key, record) VALUES (?, ?)",
            (vote.comment_key, _dump(vote)),
        )
        self._tick()

    def add_campaign(self, campaign: CampaignRecord) -> bool:
        """Stage a campaign; the first record for a key wins. False if the key was known."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO campaigns (key, record) VALUES (?, ?)",
            (campaign.key, _dump(campaign)),
        )
        self._tick()
        return cursor.rowcount == 1

    def add_donation(self, donation: DonationRecord) -> None:
        self._db.execute(
            "INSERT INTO donations (campaign_key, record) VALUES (?, ?)",
            (donation.campaign_key, _dump(donation)),
        )
        self._tick()

    def finish(self) -> None:
        self._flush_comments()
        self._db.commit()

    def groups(self) -> Iterator[ThreadGroup]:
        """Importable threads by uri, in the order their first record appeared."""
        uris = self._db.execute(
            "SELECT uri FROM threads WHERE skip IS NULL AND uri IS NOT NULL "
            "GROUP BY uri ORDER BY MIN(seq)"
        ).fetchall()
        for (uri,) in uris:
            rows = self._db.execute(
                "SELECT key, title, created_at, keep_empty, close_override, close_message, "
                "closed_at FROM threads WHERE uri = ? AND skip IS NULL ORDER BY seq",
                (uri,),
            ).fetchall()
            title = next((row[1] for row in rows if row[1]), None)
            times = [datetime.fromisoformat(row[2]) for row in rows if row[2]]
            closing = next((row[4:] for row in rows if row[4]), (None, None, None))
            yield ThreadGroup(
                uri=uri,
                title=title,
                created_at=min(times) if times else None,
                keep_empty=any(row[3] for row in rows),
                thread_keys=tuple(row[0] for row in rows),
                close_override=closing[0],
                close_message=closing[1],
                closed_at=datetime.fromisoformat(closing[2]) if closing[2] else None,
            )

    def comments_of(self, group: ThreadGroup) -> list[CommentRecord]:
        marks = ",".join("?" * len(group.thread_keys))
        rows = self._db.execute(
            f"SELECT record FROM comments WHERE thread_key IN ({marks}) ORDER BY seq",
            group.thread_keys,
        )
        return [_load_comment(row[0]) for row in rows]

    def votes_of(self, comment_keys: list[str]) -> Iterator[VoteRecord]:
        for start in range(0, len(comment_keys), 500):
            chunk = comment_keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT record FROM votes WHERE comment_key IN ({marks}) ORDER BY seq", chunk
            )
            for (record,) in rows:
                yield _load_vote(record)

    def campaigns(self) -> list[CampaignRecord]:
        """Staged campaigns in file order (a site has a handful, not millions)."""
        rows = self._db.execute("SELECT record FROM campaigns ORDER BY seq")
        return [_load(CampaignRecord, record) for (record,) in rows]

    def donations_of(self, campaign_key: str) -> Iterator[DonationRecord]:
        rows = self._db.execute(
            "SELECT record FROM donations WHERE campaign_key = ? ORDER BY seq", (campaign_key,)
        )
        for (record,) in rows:
            yield _load(DonationRecord, record)

    def unplaced_donations(self) -> int:
        """Staged donations whose campaign is not in the file."""
        count: int = self._db.execute(
            "SELECT COUNT(*) FROM donations d LEFT JOIN campaigns c ON c.key = d.campaign_key "
            "WHERE c.key IS NULL"
        ).fetchone()[0]
        return count

    def unplaced_comments(self) -> Iterator[tuple[str, int]]:
        """(reason, count) for staged comments whose thread cannot take them."""
        rows = self._db.execute(
            "SELECT t.skip, t.key IS NULL, t.uri IS NULL, COUNT(*) FROM comments c "
            "LEFT JOIN threads t ON t.key = c.thread_key "
            "WHERE t.key IS NULL OR t.skip IS NOT NULL OR t.uri IS NULL "
            "GROUP BY t.skip, t.key IS NULL, t.uri IS NULL"
        )
        for skip, unknown, no_uri, count in rows:
            if unknown:
                yield "its thread is not in the file", count
            elif skip:
                yield skip, count
            elif no_uri:
                yield "its thread has no usable page address", count

    def _tick(self) -> None:
        self._pending += 1
        if self._pending >= _COMMIT_EVERY:
            self._db.commit()
            self._pending = 0


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _dump(record: CommentRecord | VoteRecord | CampaignRecord | DonationRecord) -> str:
    values: dict[str, Any] = {}
    for item in dataclasses.fields(record):
        value = getattr(record, item.name)
        values[item.name] = value.isoformat() if isinstance(value, datetime) else value
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def _load_comment(text: str) -> CommentRecord:
    values = json.loads(text)
    values["created_at"] = datetime.fromisoformat(values["created_at"])
    for name in ("edited_at", "pinned_at", "featured_at"):
        if values[name]:
            values[name] = datetime.fromisoformat(values[name])
    return CommentRecord(**values)


def _load_vote(text: str) -> VoteRecord:
    values = json.loads(text)
    values["created_at"] = datetime.fromisoformat(values["created_at"])
    return VoteRecord(**values)


_TIMES = ("created_at", "starts_at", "ends_at")
_Funding = TypeVar("_Funding", CampaignRecord, DonationRecord)


def _load(kind: type[_Funding], text: str) -> _Funding:
    values = json.loads(text)
    for name in _TIMES:
        if values.get(name):
            values[name] = datetime.fromisoformat(values[name])
    return kind(**values)
