"""Limits on what a reader may submit; shared by the API schema and the importers."""

from __future__ import annotations

MAX_TEXT_LENGTH = 10_000
MAX_NAME_LENGTH = 80
MAX_EMAIL_LENGTH = 254
MAX_WEBSITE_LENGTH = 500
MAX_TITLE_LENGTH = 300
MAX_ANCHOR_QUOTE_LENGTH = 2_000
MAX_ANCHOR_CONTEXT_LENGTH = 200
MAX_QUESTION_LENGTH = 300
MAX_ARTICLE_TEXT_LENGTH = 400_000
"""Characters of an article's text: offsets beyond it, or a longer text to locate
passages in, are refused (a long-read is about 60,000)."""
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_COUNT_URIS = 100
