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
    """A comment as the API shows it, from a row of exactly PUBLIC_COLUMNS."""
    return comment_view(*row)


def public_comment_of(row: Any) -> dict[str, Any]:
    """A comment as the API shows it, from any row that has PUBLIC_COLUMNS among others."""
    return comment_view(*(getattr(row, column.name) for column in PUBLIC_COLUMNS))


def comment_view(
    comment_id: int,
    parent_id: int | None,
    status: str,
    author_name: str | None,
    author_website: str | None,
    avatar: str,
    html: str,
    anchor: Any,
    created_at: datetime,
    edited_at: datetime | None,
    upvotes: int,
    downvotes: int,
    score: int,
    reply_count: int,
) -> dict[str, Any]:
    """A comment as the API shows it, from the values of PUBLIC_COLUMNS in their order;
    a deleted placeholder keeps only its place.

    Positional, so a thread page builds each view straight from a row's values, without
    looking every column up by name.
    """
    deleted = status == "deleted"
    author: dict[str, Any] = {
        "name": None if deleted else author_name,
        "avatar": None if deleted else avatar,
    }
    if author_website and not deleted:
        author["website"] = author_website
    view: dict[str, Any] = {
        "id": comment_id,
        "parent_id": parent_id,
        "author": author,
        "html": "" if deleted else html,
        "created_at": iso(created_at),
        "edited_at": iso(edited_at),
        "status": status,
        "upvotes": upvotes,
        "downvotes": downvotes,
        "score": score,
        "reply_count": reply_count,
        "replies": [],
    }
    if anchor and not deleted:
        view["anchor"] = anchor
    return view
