"""What staff may send to the admin API, with limits that mirror the reader API and the
services, and what it answers: envelopes around the services' own types."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from talkback.comments.schemas import CommentText
from talkback.comments.views import PublicComment
from talkback.core import drafts
from talkback.core.closing import MAX_AUTO_CLOSE_DAYS, MAX_CLOSE_MESSAGE, CloseOverride
from talkback.moderation.bans import Ban
from talkback.moderation.editorial import ThreadClosingView
from talkback.moderation.queue import CommentForReview
from talkback.sites.settings import SiteSettings
from talkback.staff.accounts import MAX_PASSWORD_LENGTH, Role
from talkback.staff.audit import AuditEntry
from talkback.web.deps import MAX_ID

BULK_MAX = 100
BanKind = Literal["email", "ip", "reader"]


class CommentAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    SPAM = "spam"
    DELETE = "delete"
    PIN = "pin"
    UNPIN = "unpin"
    FEATURE = "feature"
    UNFEATURE = "unfeature"


class QueueKind(StrEnum):
    PENDING = "pending"
    REPORTED = "reported"


class QueueOrder(StrEnum):
    NEWEST = "newest"
    TOXIC = "toxic"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginIn(Strict):
    email: Annotated[str, Field(min_length=1, max_length=drafts.MAX_EMAIL_LENGTH)]
    password: Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)]


class StaffEdit(Strict):
    text: CommentText


class BulkIn(Strict):
    ids: Annotated[
        list[Annotated[int, Field(ge=1, le=MAX_ID)]], Field(min_length=1, max_length=BULK_MAX)
    ]
    action: CommentAction


class BanIn(Strict):
    kind: BanKind
    value: Annotated[str, Field(min_length=1, max_length=drafts.MAX_EMAIL_LENGTH)]
    shadow: bool = False
    reason: Annotated[str | None, Field(max_length=500)] = None
    duration_days: Annotated[int | None, Field(ge=1, le=3650)] = None


class SettingsPatch(Strict):
    """Any subset of the settings; `moderation` is itself a subset of the moderation rules."""

    name: Annotated[str | None, Field(min_length=1, max_length=200)] = None
    origins: Annotated[list[Annotated[str, Field(max_length=300)]] | None,
                       Field(max_length=50)] = None  # fmt: skip
    locale: Annotated[str | None, Field(max_length=20)] = None
    edit_window_seconds: Annotated[int | None, Field(ge=0, le=7 * 24 * 3600)] = None
    guest_identity: Literal["optional", "name", "name_email"] | None = None
    digest_window_seconds: Annotated[int | None, Field(ge=0, le=24 * 3600)] = None
    moderator_alert_minutes: Annotated[int | None, Field(ge=0, le=7 * 24 * 60)] = None
    auto_close_days: Annotated[int | None, Field(ge=0, le=MAX_AUTO_CLOSE_DAYS)] = None
    """Threads close this many days after their first comment; 0: never."""
    moderation: dict[str, Any] | None = None


class NewStaff(Strict):
    email: Annotated[str, Field(min_length=3, max_length=drafts.MAX_EMAIL_LENGTH)]
    password: Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)]
    role: Role
    name: Annotated[str | None, Field(max_length=drafts.MAX_NAME_LENGTH)] = None


class RoleIn(Strict):
    role: Role


class PasswordIn(Strict):
    """A password an admin sets for someone else (they must change it at next sign-in)."""

    password: Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)]


class OwnPasswordIn(Strict):
    current_password: Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)]
    new_password: Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)]


class StaffAccount(TypedDict):
    id: int
    email: str
    name: str | None
    role: str
    must_change_password: bool


class SessionOut(TypedDict):
    """Who is signed in, and the CSRF token every write must carry."""

    staff: StaffAccount
    csrf_token: str


class StaffOut(TypedDict):
    staff: StaffAccount


class StaffListOut(TypedDict):
    staff: list[StaffAccount]


class SiteEntry(TypedDict):
    id: str
    name: str


class SitesOut(TypedDict):
    sites: list[SiteEntry]


class ReviewOut(TypedDict):
    """A page of the queue or of a search, newest (or most toxic) first."""

    comments: list[CommentForReview]


class CommentOut(TypedDict):
    """The comment as readers now see it."""

    comment: PublicComment


class BanOut(TypedDict):
    ban: Ban


class BansOut(TypedDict):
    """Newest first, ended ones included (`active` false)."""

    bans: list[Ban]


class SettingsOut(TypedDict):
    settings: SiteSettings


class ThreadClosingIn(Strict):
    """`override`: "closed" (with an optional message readers see in place of the form),
    "open" (reopened, whatever the site's clock says), or null (the site's clock decides)."""

    override: CloseOverride | None
    message: Annotated[str | None, Field(max_length=MAX_CLOSE_MESSAGE)] = None


class ThreadClosingOut(TypedDict):
    thread: ThreadClosingView


class AuditOut(TypedDict):
    """Newest first."""

    entries: list[AuditEntry]
