"""Which change events become which webhook events, and what their JSON says.

A webhook event is named as receivers subscribe to it (`comment.created`…). Its `data`
holds what the public may see anyway (the comment's public view, the thread's uri and
count) and the facts of the change (statuses, report reason, amounts): never a
reader's email address, IP hash or the private text of a donor's note.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from talkback.comments.views import PublicComment, iso
from talkback.events.changes import (
    ChangeEvent,
    CommentCreated,
    CommentReported,
    CommentStatusChanged,
    DonationChanged,
    ThreadRef,
)

EVENT_NAMES = (
    "comment.created",
    "comment.approved",
    "comment.rejected",
    "comment.deleted",
    "report.created",
    "donation.created",
    "donation.refunded",
)
"""What an endpoint can subscribe to; `ping` (the admin's "Send test event") goes to an
endpoint whatever it subscribed to."""
PING = "ping"
REJECTED = frozenset({"rejected", "spam"})


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    name: str
    site_id: str
    data: dict[str, Any]


def webhook_event(event: ChangeEvent) -> WebhookEvent | None:
    """The webhook event a change is, if any (votes, edits, rewrites are none)."""
    match event:
        case CommentCreated(thread=thread, comment=comment):
            return _comment_event("comment.created", thread, comment, status=comment["status"])
        case CommentStatusChanged(thread=thread, before=before, comment=comment):
            name = _status_event(before, event.after)
            if name is None:
                return None
            return _comment_event(name, thread, comment, before=before, after=event.after)
        case CommentReported(thread=thread):
            data = {
                "thread": _thread(thread), "comment_id": event.comment_id,
                "reason": event.reason, "open_reports": event.open_reports,
            }  # fmt: skip
            return WebhookEvent("report.created", thread.site_id, data)
        case DonationChanged():
            name = "donation.created" if event.change == "received" else "donation.refunded"
            donation = {
                "id": event.donation_id, "amount_minor": event.amount_minor,
                "refunded_minor": event.refunded_minor, "currency": event.currency,
            }  # fmt: skip
            return WebhookEvent(name, event.site_id, {"donation": donation})
    return None


def _status_event(before: str, after: str) -> str | None:
    if before == after:
        return None
    if after == "approved":
        return "comment.approved"
    if after in REJECTED and before not in REJECTED:
        return "comment.rejected"
    if after == "deleted":
        return "comment.deleted"
    return None


def _comment_event(
    name: str, thread: ThreadRef, comment: PublicComment, **facts: str
) -> WebhookEvent:
    public = {key: value for key, value in comment.items() if key != "replies"}
    data = {"thread": _thread(thread), "comment": public, **facts}
    return WebhookEvent(name, thread.site_id, data)


def _thread(thread: ThreadRef) -> dict[str, Any]:
    return {"uri": thread.uri, "count": thread.count}


def envelope(name: str, site_id: str, data: dict[str, Any], created: datetime) -> dict[str, Any]:
    """What the outbox row keeps; the delivery adds `id` (the row's `message_id`) first."""
    return {"type": name, "created": iso(created), "site": site_id, "data": data}


def body_of(delivery_id: str, stored: dict[str, Any]) -> bytes:
    """The exact bytes sent, the same on every retry of one delivery."""
    return json.dumps({"id": delivery_id, **stored}, separators=(",", ":")).encode()
