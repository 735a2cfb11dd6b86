"""What a write changed, as typed events: the one vocabulary of the after-commit path.

Every write job records the events of what it changed, built from what the job's own
statements returned (`UPDATE … RETURNING`), so no consumer reads the database again after
the commit to learn what happened. A thread event carries the thread as it stands after
the change (`ThreadRef`: site, uri, comment count) and the comment's public view, the
same bytes a thread page shows. Consumers (the live broker, the caches, later the mail
outbox, webhooks and feeds) pick the events they care about by type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from talkback.comments import views

PublicComment = views.PublicComment
"""A comment as every reader sees it (`comments/views.py`), placeholders included."""


@dataclass(frozen=True, slots=True)
class ThreadRef:
    """The thread a change happened in, after the change."""

    site_id: str
    uri: str
    count: int
    """Approved comments in the thread, as the widget's heading shows."""


@dataclass(frozen=True, slots=True)
class CommentCreated:
    """A comment was stored, whatever its status: published, held, refused or shadowed."""

    thread: ThreadRef
    comment: PublicComment

    @property
    def visible(self) -> bool:
        return bool(self.comment["status"] == "approved")


@dataclass(frozen=True, slots=True)
class CommentEdited:
    """A comment's text changed and its status did not."""

    thread: ThreadRef
    comment: PublicComment


@dataclass(frozen=True, slots=True)
class CommentStatusChanged:
    """A comment's status changed (approved, held, rejected, spam, or deleted).

    `comment` is its public view after the change; a deleted one is a placeholder, which
    readers see only while visible replies hang under it (`reply_count`).
    """

    thread: ThreadRef
    before: str
    comment: PublicComment

    @property
    def comment_id(self) -> int:
        return int(self.comment["id"])

    @property
    def after(self) -> str:
        return str(self.comment["status"])

    @property
    def appeared(self) -> bool:
        """Readers can now see it and could not before: the moment notifications go out."""
        return self.after == "approved" and self.before != "approved"

    @property
    def disappeared(self) -> bool:
        return self.before == "approved" and self.after != "approved"


@dataclass(frozen=True, slots=True)
class CommentMarked:
    """A moderator pinned or featured a comment, or took that back: its place on the page
    or its badge changed, its text and status did not. `comment` is its view after."""

    thread: ThreadRef
    comment: PublicComment


@dataclass(frozen=True, slots=True)
class ThreadClosing:
    """A moderator closed or reopened a thread, or handed it back to the site's clock;
    `closed` and `message` are what readers now see in place of the form."""

    thread: ThreadRef
    closed: bool
    message: str | None


@dataclass(frozen=True, slots=True)
class VotesChanged:
    thread: ThreadRef
    comment_id: int
    upvotes: int
    downvotes: int
    score: int


@dataclass(frozen=True, slots=True)
class ThreadsRewritten:
    """Many comments of these threads changed at once (an import, a reader's data
    deleted): no event per comment, the caches start afresh and pages are read again."""

    site_id: str
    uris: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CampaignChanged:
    """What a goal bar shows changed: the total or donor count moved, the campaign closed
    or reopened, or a name or message on its donor wall changed. Bars fetch it again."""

    site_id: str
    campaign_id: int
    raised: int | float
    """In the currency's major units, as the goal bar's JSON has it."""
    donors: int


@dataclass(frozen=True, slots=True)
class CommentReported:
    """A reader reported a comment: staff find it in the queue. Readers see no change, so
    no thread cache or widget hears of it; moderator alerts and webhooks do."""

    thread: ThreadRef
    comment_id: int
    reason: str
    open_reports: int
    """The comment's reports not yet answered by staff, this one included."""


@dataclass(frozen=True, slots=True)
class DonationChanged:
    """A gift was recorded (`change` "received") or refunded, in part or whole
    ("refunded"); amounts in the currency's minor units, as stored."""

    site_id: str
    donation_id: int
    change: Literal["received", "refunded"]
    amount_minor: int
    refunded_minor: int
    currency: str


ThreadEvent = (
    CommentCreated | CommentEdited | CommentStatusChanged | VotesChanged | CommentMarked
    | ThreadClosing
)  # fmt: skip
ChangeEvent = ThreadEvent | ThreadsRewritten | CampaignChanged | CommentReported | DonationChanged
