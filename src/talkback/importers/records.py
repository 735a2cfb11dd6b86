"""What every parser produces: threads, comments, votes (and, from Talkback's own export,
campaigns and donations) in one neutral shape.

Keys are the source's own identifiers, only meaningful inside one import: a comment names
its thread by the thread's key and its parent by the parent's key. Statuses are already
ours (`core/statuses.py`), IP addresses already hashed, bodies already converted to the stored
text and sanitised HTML, times timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from talkback.comments.views import PassageAnchor
from talkback.core.funding_rules import CampaignTerms
from talkback.errors import TalkbackError


class ImportFailed(TalkbackError):
    """The source cannot be imported as it is; nothing was written."""

    code = "import_failed"


@dataclass(slots=True)
class ThreadRecord:
    """A page comments hang under. `uri` is normalised; `skip` names why its comments
    cannot be imported (deleted in the source, no usable address), or is None."""

    key: str
    uri: str | None
    title: str | None = None
    created_at: datetime | None = None
    skip: str | None = None
    keep_empty: bool = False
    # A moderator's closing of the thread (only Talkback's own export carries it).
    close_override: str | None = None
    close_message: str | None = None
    closed_at: datetime | None = None


@dataclass(slots=True)
class CommentRecord:
    thread_key: str
    key: str
    import_source: str
    import_id: str
    parent_key: str | None
    status: str
    text: str
    html: str
    created_at: datetime
    author_name: str | None = None
    author_email: str | None = None
    author_website: str | None = None
    ip_hash: str | None = None
    reader_id: str | None = None
    avatar: str | None = None
    anchor: PassageAnchor | None = None
    edited_at: datetime | None = None
    upvotes: int = 0
    downvotes: int = 0
    score: int | None = None
    # Editors' choices and the staff badge (only Talkback's own export carries them).
    pinned_at: datetime | None = None
    featured_at: datetime | None = None
    author_badge: str | None = None
    # Columns only Talkback's own export carries (moderation verdict, toxicity, reports).
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class VoteRecord:
    """One reader's vote; only Talkback's own export knows voters."""

    comment_key: str
    voter: str
    value: int
    created_at: datetime


@dataclass(slots=True)
class CampaignRecord:
    """A funding campaign of Talkback's own export: its terms (amounts in the currency's
    minor unit), dates and state. Its totals are not carried: they are recounted from the
    donations once imported."""

    key: str
    terms: CampaignTerms
    starts_at: datetime | None
    ends_at: datetime | None
    status: str
    is_current: bool
    donor_wall: bool
    created_at: datetime


@dataclass(slots=True)
class DonationRecord:
    """One gift, naming its campaign by the campaign's key; (provider, provider_ref) is its
    identity everywhere, so it is never counted twice."""

    campaign_key: str
    amount_minor: int
    currency: str
    refunded_minor: int
    provider: str
    provider_ref: str
    created_at: datetime
    payment_ref: str | None = None
    donor_name: str | None = None
    donor_email: str | None = None
    message: str | None = None
    message_status: str | None = None
    message_moderation: Any = None  # the screening verdict as stored, passed through
    note: str | None = None
    recorded_by: str | None = None


@dataclass(slots=True)
class StaffRecord:
    """A staff account from a Talkback export; its address is its identity."""

    email: str
    name: str | None
    role: str
    password_hash: str
    must_change_password: bool
    created_at: datetime
