"""The statuses a comment, a campaign and a donor's message can be in.

Each is declared once as a `Literal` (what an API or a form accepts, and what OpenAPI
lists) and as the tuple of its values in that order (what services and importers check
stored and imported values against, and name in their error messages).
"""

from __future__ import annotations

from typing import Literal, get_args

CommentStatus = Literal["approved", "pending", "rejected", "spam", "deleted", "shadowed"]
COMMENT_STATUSES: tuple[CommentStatus, ...] = get_args(CommentStatus)

CampaignStatus = Literal["open", "closed"]
CAMPAIGN_STATUSES: tuple[CampaignStatus, ...] = get_args(CampaignStatus)

MessageStatus = Literal["approved", "pending", "rejected"]
"""A donor's public message: shown on the wall only once approved."""
MESSAGE_STATUSES: tuple[MessageStatus, ...] = get_args(MessageStatus)
