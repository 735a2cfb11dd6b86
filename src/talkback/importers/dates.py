"""Parsing the time formats exports use, always to timezone-aware UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

_WORDPRESS_FORMAT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def parse_local(value: str | None, zone: tzinfo) -> datetime | None:
    """`YYYY-MM-DD HH:MM:SS` as written in `zone`; None for missing or WordPress's zero date."""
    value = (value or "").strip()
    if not value or value.startswith("0000-00-00"):
        return None
    if not _WORDPRESS_FORMAT.fullmatch(value):
        return None
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        return None
    return naive.replace(tzinfo=zone).astimezone(UTC)


def parse_iso(value: str | None) -> datetime | None:
    """ISO 8601 / RFC 3339 (`Z` or an offset; without one, UTC); None if unreadable."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def from_unix(value: float | int | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (ValueError, OverflowError, OSError):
        return None
