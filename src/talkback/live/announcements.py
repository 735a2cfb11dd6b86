"""What open widgets hear of each change: the live consumer of the change events.

Widgets only hear what a reader could see: a published comment, an edit of one, one that
appeared or went away, one pinned or featured, new vote counts, a thread closed or
reopened, a campaign's new total. Each message carries the
thread's comment count after the change, so the heading stays true without a read.
"""

from __future__ import annotations

from typing import Any

from talkback.events.changes import (
    CampaignChanged,
    ChangeEvent,
    CommentCreated,
    CommentEdited,
    CommentMarked,
    CommentStatusChanged,
    ThreadClosing,
    ThreadEvent,
    VotesChanged,
)
from talkback.events.dispatcher import AfterCommit
from talkback.live.live import Live


def live_consumer(live: Live) -> AfterCommit:
    """An after-commit consumer publishing each event readers would see to `live`."""

    async def announce(event: ChangeEvent) -> None:
        message = live_message(event)
        if message is None:
            return
        if isinstance(event, CampaignChanged):
            await live.publish_to_site(event.site_id, *message)
        elif isinstance(event, ThreadEvent):
            await live.publish(event.thread.site_id, event.thread.uri, *message)

    return announce


def live_message(event: ChangeEvent) -> tuple[str, dict[str, Any]] | None:
    """(event name, data) of the SSE message for `event`, or None when readers see no
    change (a held comment, a status change between two hidden statuses)."""
    if isinstance(event, CommentCreated):
        if not event.visible:
            return None
        return "comment.created", {"comment": event.comment, "count": event.thread.count}
    if isinstance(event, CommentEdited):
        if event.comment["status"] != "approved":
            return None
        return "comment.updated", {"comment": event.comment, "count": event.thread.count}
    if isinstance(event, CommentStatusChanged):
        if event.appeared:
            return "comment.created", {"comment": event.comment, "count": event.thread.count}
        if event.disappeared:
            shown = event.after == "deleted" and event.comment["reply_count"] > 0
            placeholder = event.comment if shown else None
            data = {"id": event.comment_id, "comment": placeholder, "count": event.thread.count}
            return "comment.deleted", data
        return None
    if isinstance(event, CommentMarked):
        if event.comment["status"] != "approved":
            return None
        return "comment.updated", {"comment": event.comment, "count": event.thread.count}
    if isinstance(event, ThreadClosing):
        return "thread.closing", {
            "closed": event.closed, "message": event.message, "count": event.thread.count,
        }  # fmt: skip
    if isinstance(event, VotesChanged):
        return "vote", {
            "id": event.comment_id, "upvotes": event.upvotes, "downvotes": event.downvotes,
            "score": event.score, "count": event.thread.count,
        }  # fmt: skip
    if isinstance(event, CampaignChanged):
        return "campaign.updated", {
            "id": event.campaign_id, "raised": event.raised, "donors": event.donors,
        }  # fmt: skip
    return None
