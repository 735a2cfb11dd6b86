"""The public shape of a comment, identical for every reader (so pages can be cached)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NotRequired, overload

from sqlalchemy import Select, select
from typing_extensions import TypedDict

from talkback.core.statuses import CommentStatus
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
    comments.c.pinned_at,
    comments.c.featured_at,
    comments.c.author_badge,
)


class CommentAuthor(TypedDict):
    """Who wrote a comment, as readers see it. `name` is null for an anonymous guest (the
    widget says "Anonymous"); `avatar` is a short keyed hash seed the widget draws from,
    so no email leaves the server. Both are null on a deleted placeholder."""

    name: str | None
    avatar: str | None
    website: NotRequired[str]
    """Only when the author gave one."""
    badge: NotRequired[str]
    """"staff" (an admin) or "moderator": only on comments written by a reader signed in
    with a staff member's address, stamped when it was written."""


class PassageAnchor(TypedDict):
    """The passage of the article an inline comment is about (W3C TextQuoteSelector), as
    `comments.schemas.Anchor` stores it: offsets only when the widget sent them."""

    exact: str
    prefix: str
    suffix: str
    start: NotRequired[int]
    end: NotRequired[int]
    text_hash: NotRequired[str]
    question: NotRequired[str]


class PublicComment(TypedDict):
    """A comment as every reader sees it, placeholders included: the same for everyone,
    so pages can be cached. `replies` is filled on thread pages (oldest first) and empty
    elsewhere."""

    # Declared in the order `comment_view` builds them: answers are serialised in this
    # order, and they must stay the same bytes as the cached pages.
    id: int
    parent_id: int | None
    author: CommentAuthor
    html: str
    """Sanitised HTML; empty on a deleted placeholder."""
    created_at: str
    edited_at: str | None
    status: CommentStatus
    upvotes: int
    downvotes: int
    score: int
    reply_count: int
    """Visible direct replies."""
    replies: list[PublicComment]
    anchor: NotRequired[PassageAnchor]
    """Only on inline feedback, and never on a placeholder."""
    pinned: NotRequired[bool]
    """Only when a moderator pinned it: first in every sort, on the first page."""
    featured: NotRequired[bool]
    """Only when a moderator featured it (the "Featured" badge and filter)."""


def select_public() -> Select[Any]:
    return select(*PUBLIC_COLUMNS)


@overload
def iso(moment: datetime) -> str: ...
@overload
def iso(moment: datetime | None) -> str | None: ...
def iso(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with a Z, the API's one time format."""
    if moment is None:
        return None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def public_comment(row: Any) -> PublicComment:
    """A comment as the API shows it, from a row of exactly PUBLIC_COLUMNS."""
    return comment_view(*row)


def public_comment_of(row: Any) -> PublicComment:
    """A comment as the API shows it, from any row that has PUBLIC_COLUMNS among others."""
    return comment_view(*(getattr(row, column.name) for column in PUBLIC_COLUMNS))


def comment_view(
    comment_id: int,
    parent_id: int | None,
    status: CommentStatus,
    author_name: str | None,
    author_website: str | None,
    avatar: str,
    html: str,
    anchor: PassageAnchor | None,
    created_at: datetime,
    edited_at: datetime | None,
    upvotes: int,
    downvotes: int,
    score: int,
    reply_count: int,
    pinned_at: datetime | None = None,
    featured_at: datetime | None = None,
    author_badge: str | None = None,
) -> PublicComment:
    """A comment as the API shows it, from the values of PUBLIC_COLUMNS in their order;
    a deleted placeholder keeps only its place.

    Positional, so a thread page builds each view straight from a row's values, without
    looking every column up by name.
    """
    deleted = status == "deleted"
    author: CommentAuthor = {
        "name": None if deleted else author_name,
        "avatar": None if deleted else avatar,
    }
    if author_website and not deleted:
        author["website"] = author_website
    if author_badge and not deleted:
        author["badge"] = author_badge
    view: PublicComment = {
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
    if pinned_at is not None and not deleted:
        view["pinned"] = True
    if featured_at is not None and not deleted:
        view["featured"] = True
    return view
