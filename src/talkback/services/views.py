"""The public shape of a comment, identical for every reader (so pages can be cached)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from talkback.store.tables import comments

PUBLIC_COLUMNS = (
    comments.c.id,
    comments.c.parent_id,
    comments.c.status,
    comments.c.author_name,
    comments.c.author_website,
    comments.c.avatar,
    comments.c.html,
    comments.c.anchor,
    comments.c.created_at,
    comments.c.edited_at,
    comments.c.upvotes,
    comments.c.downvotes,
    comments.c.score,
    comments.c.reply_count,
)


def select_public() -> Select[Any]:
    return select(*PUBLIC_COLUMNS)


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with a Z, the API's one time format."""
    if moment is None:
        return None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def public_comment(row: Any) -> dict[str, Any]:
    """A comment as the API shows it; a deleted placeholder keeps only its place."""
    deleted = row.status == "deleted"
    author: dict[str, Any] = {
        "name": None if deleted else row.author_name,
        "avatar": None if deleted else row.avatar,
    }
    if row.author_website and not deleted:
        author["website"] = row.author_website
    view: dict[str, Any] = {
        "id": row.id,
        "parent_id": row.parent_id,
        "author": author,
        "html": "" if deleted else row.html,
        "created_at": iso(row.created_at),
        "edited_at": iso(row.edited_at),
        "status": row.status,
        "upvotes": row.upvotes,
        "downvotes": row.downvotes,
        "score": row.score,
        "reply_count": row.reply_count,
        "replies": [],
    }
    if row.anchor and not deleted:
        view["anchor"] = row.anchor
    return view
