"""The lines of a Talkback export (docs/export-format.md): a header, then one record a line,
each named by its `type`, keys in the order they are written.

Times are ISO 8601 UTC with microseconds, amounts integers of the currency's minor unit.
Stored JSON (the site's moderation settings, a comment's anchor and verdict, a donor
message's verdict) is written as it is stored.
"""

from __future__ import annotations

from typing import Literal

from pydantic import JsonValue
from typing_extensions import TypedDict

from talkback.core.funding_rules import CampaignTerms
from talkback.core.statuses import CampaignStatus, CommentStatus
from talkback.funding.donations import DonationDetails


class ExportHeader(TypedDict):
    format: str
    version: int
    site: str
    exported_at: str
    generator: str


class SiteLine(TypedDict):
    type: Literal["site"]
    id: str
    name: str
    origins: list[str]
    locale: str
    edit_window_seconds: int
    moderation: dict[str, JsonValue]
    guest_identity: str
    created_at: str
    auto_close_days: int | None
    """Threads close this many days after their first comment (null: never)."""


class StaffLine(TypedDict):
    """A staff account (staff serve every site of a server, so every site's export carries
    them): a site moved to a new server keeps its moderators, their roles and passwords."""

    type: Literal["staff"]
    email: str
    name: str | None
    role: str
    """`admin` or `moderator`."""
    password_hash: str
    """Argon2id, as stored: the export is as private as a database backup."""
    must_change_password: bool
    created_at: str


class ThreadLine(TypedDict):
    type: Literal["thread"]
    uri: str
    title: str | None
    created_at: str
    comment_count: int
    close_override: str | None
    """A moderator's word: "closed", "open" (reopened), or null (the site's clock)."""
    close_message: str | None
    closed_at: str | None


class Author(TypedDict):
    name: str | None
    email: str | None
    website: str | None
    reader_id: str | None
    ip_hash: str | None
    avatar: str
    badge: str | None
    """"staff" or "moderator": the author wrote it signed in with a staff address."""


class VoteCounts(TypedDict):
    up: int
    down: int
    score: int


class Screening(TypedDict):
    """The moderation verdict as stored, the toxicity score, and how often readers
    reported the comment."""

    verdict: JsonValue
    toxicity: float | None
    report_count: int


class Origin(TypedDict):
    """Where the comment first came from: `talkback` and `<site>/<id>` when it was posted
    here, else the source and id it was imported with (so a second import adds nothing)."""

    source: str
    id: str


class CommentLine(TypedDict):
    type: Literal["comment"]
    id: int
    thread: str
    parent: int | None
    status: CommentStatus
    author: Author
    text: str
    html: str
    anchor: JsonValue
    created_at: str
    edited_at: str | None
    votes: VoteCounts
    reply_count: int
    moderation: Screening
    origin: Origin
    pinned_at: str | None
    featured_at: str | None


class VoteLine(TypedDict):
    type: Literal["vote"]
    comment: int
    voter: str
    value: int
    created_at: str


class _CampaignKey(TypedDict):
    type: Literal["campaign"]
    id: int


class _CampaignState(TypedDict):
    starts_at: str | None
    ends_at: str | None
    status: CampaignStatus
    is_current: bool
    donor_wall: bool
    raised_minor: int
    donor_count: int
    created_at: str


class CampaignLine(_CampaignKey, CampaignTerms, _CampaignState):
    """A campaign: its id in the exporting database (only meaningful inside the file), its
    terms, dates and state; `raised_minor` and `donor_count` are informational (an import
    counts them again from the donations)."""


class _DonationAmounts(TypedDict):
    type: Literal["donation"]
    campaign: int
    amount_minor: int
    currency: str
    refunded_minor: int


class _DonationRecorded(TypedDict):
    recorded_by: str | None
    created_at: str


class DonationLine(_DonationAmounts, DonationDetails, _DonationRecorded):
    """A gift: no database id, since (provider, provider_ref) is its identity on every
    server; its campaign by the campaign line's `id`, amounts in minor units, the details
    staff see (`DonationDetails`), and the staff member who entered a manual gift by email."""
