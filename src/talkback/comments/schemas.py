"""What readers may send about comments, with the limits of `core/drafts.py`, and what an
author is told about their own comment."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    ValidationInfo,
    field_validator,
    model_validator,
)
from typing_extensions import TypedDict

from talkback.comments.reports import ReportReason
from talkback.comments.views import PassageAnchor, PublicComment
from talkback.core import drafts
from talkback.core.anchoring import utf16_length
from talkback.core.statuses import CommentStatus
from talkback.web.deps import MAX_ID
from talkback.web.validators import Optional, Stored


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


def _not_blank_kept(value: str) -> str:
    """Not blank, and kept as it is: a quote's spaces are part of the article's text."""
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _short_url(value: HttpUrl) -> HttpUrl:
    if len(str(value)) > drafts.MAX_WEBSITE_LENGTH:
        raise ValueError(f"must be at most {drafts.MAX_WEBSITE_LENGTH} characters")
    return value


CommentText = Annotated[
    str,
    Field(min_length=1, max_length=drafts.MAX_TEXT_LENGTH),
    AfterValidator(_not_blank),
    Stored,
]
Name = Annotated[str, Field(max_length=drafts.MAX_NAME_LENGTH), Stored]
Title = Annotated[str, Field(max_length=drafts.MAX_TITLE_LENGTH), Stored]
Website = Annotated[HttpUrl, AfterValidator(_short_url)]
Note = Annotated[str, Field(max_length=500), Stored]


class Anchor(BaseModel):
    """A passage of the article (W3C TextQuoteSelector, with a TextPositionSelector as a
    hint), as `docs/inline-feedback.md` defines it; the rules that find it again after an
    edit are in `core/anchoring.py`."""

    model_config = ConfigDict(extra="forbid")

    exact: Annotated[
        str,
        Field(min_length=1, max_length=drafts.MAX_ANCHOR_QUOTE_LENGTH),
        AfterValidator(_not_blank_kept),
        Stored,
    ]
    prefix: Annotated[str, Field(max_length=drafts.MAX_ANCHOR_CONTEXT_LENGTH), Stored] = ""
    suffix: Annotated[str, Field(max_length=drafts.MAX_ANCHOR_CONTEXT_LENGTH), Stored] = ""
    start: Annotated[int | None, Field(ge=0, le=drafts.MAX_ARTICLE_TEXT_LENGTH)] = None
    end: Annotated[int | None, Field(ge=0, le=drafts.MAX_ARTICLE_TEXT_LENGTH)] = None
    text_hash: Annotated[str | None, Field(pattern=r"^[0-9a-f]{64}$")] = None
    """SHA-256 (hex) of the article's text the passage was selected in."""
    question: (
        Annotated[
            str,
            Field(min_length=1, max_length=drafts.MAX_QUESTION_LENGTH),
            AfterValidator(_not_blank),
            Stored,
        ]
        | None
    ) = None
    """A publisher's question the passage carries (`data-talkback-question`)."""

    @model_validator(mode="after")
    def _position_fits_the_quote(self) -> Anchor:
        if (self.start is None) != (self.end is None):
            raise ValueError("start and end go together: give both or neither")
        if (
            self.start is not None
            and self.end is not None
            and (self.end - self.start != utf16_length(self.exact))
        ):
            raise ValueError("end - start must be the length of exact (in UTF-16 units)")
        return self

    def stored(self) -> PassageAnchor:
        """As stored and shown back: the optional parts only when they were given."""
        anchor: PassageAnchor = {"exact": self.exact, "prefix": self.prefix, "suffix": self.suffix}
        if self.start is not None and self.end is not None:
            anchor["start"] = self.start
            anchor["end"] = self.end
        if self.text_hash is not None:
            anchor["text_hash"] = self.text_hash
        if self.question is not None:
            anchor["question"] = self.question
        return anchor


class NewComment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: CommentText
    parent_id: Annotated[int | None, Field(ge=1, le=MAX_ID)] = None
    author_name: Annotated[Name | None, Optional] = None
    email: Annotated[EmailStr | None, Optional] = None
    website: Annotated[Website | None, Optional] = None
    anchor: Anchor | None = None
    """Inline feedback on a passage of the article; only on a top-level comment."""
    title: Annotated[Title | None, Optional] = None
    # Signals from the widget's form (see moderation/checks.py): a field hidden from
    # people, and how long the form was open. API clients may leave both out.
    honeypot: Annotated[str | None, Field(max_length=200)] = None
    form_ms: Annotated[int | None, Field(ge=0, le=7 * 24 * 3600 * 1000)] = None

    @field_validator("anchor")
    @classmethod
    def _only_new_feedback_is_anchored(
        cls, anchor: Anchor | None, info: ValidationInfo
    ) -> Anchor | None:
        if anchor is not None and info.data.get("parent_id") is not None:
            raise ValueError("a reply is not anchored: only new feedback carries a passage")
        return anchor


class ModerationOutcome(TypedDict):
    """`moderation` in the answer to a post or an edit: `status` as the comment's, and
    `reasons`, stable codes of the checks that held or refused it (empty when it is shown):
    mode, first_comment, links, banned_words, banned_patterns, word_list, personal_attack,
    toxicity, flood, form_time, duplicate, automated."""

    status: CommentStatus
    reasons: list[str]


def moderation_outcome(comment: PublicComment, reasons: tuple[str, ...]) -> ModerationOutcome:
    return {"status": comment["status"], "reasons": list(reasons)}


class PostAnswer(TypedDict):
    """The answer to a new comment, shown (201) or not (202): the comment as its author
    sees it, the token that lets them edit or delete it, and the moderation outcome."""

    comment: PublicComment
    edit_token: str
    """Sent back in `X-Edit-Token` to edit or delete the comment within the edit window."""
    moderation: ModerationOutcome


class EditAnswer(PublicComment):
    """The edited comment as its author sees it, with the moderation outcome: an edit can
    take a comment down like a new one would be held or refused."""

    moderation: ModerationOutcome


class ReportAnswer(TypedDict):
    """A report was taken, or had been taken before: repeats are not told apart."""

    reported: bool


class CommentEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: CommentText


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: ReportReason
    note: Annotated[Note | None, Optional] = None


class VoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: Literal[1, -1, 0]
