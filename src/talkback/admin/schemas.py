"""What staff may send to the admin API; limits mirror the reader API and the services."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from talkback.comments.schemas import CommentText
from talkback.core import drafts
from talkback.staff.accounts import MAX_PASSWORD_LENGTH, Role
from talkback.web.deps import MAX_ID

BULK_MAX = 100
BanKind = Literal["email", "ip", "reader"]


class CommentAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    SPAM = "spam"
    DELETE = "delete"


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
    moderation: dict[str, Any] | None = None


class NewStaff(Strict):
    email: Annotated[str, Field(min_length=3, max_length=drafts.MAX_EMAIL_LENGTH)]
    password: Annotated[str, Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)]
    role: Role
    name: Annotated[str | None, Field(max_length=drafts.MAX_NAME_LENGTH)] = None
