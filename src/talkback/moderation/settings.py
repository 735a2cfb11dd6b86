"""A site's moderation rules, read from `sites.moderation` with defaults for what is unset."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from typing_extensions import TypedDict

from talkback.errors import Invalid

MODES = ("post", "pre", "first")
MAX_WORDS = 500
# Staff may set a threshold or a time as a whole number; declared as `float` alone, an
# answer would turn a stored 1 into 1.0.
Number = int | float


class ModerationRules(TypedDict):
    """The rules as stored in `sites.moderation` and as staff read them, every one present."""

    mode: str
    hold_threshold: Number
    reject_threshold: Number
    banned_words: list[str]
    banned_patterns: list[str]
    max_links: int
    report_threshold: int
    min_form_seconds: Number


@dataclass(frozen=True, slots=True)
class ModerationSettings:
    mode: str = "post"
    hold_threshold: float = 0.85
    reject_threshold: float = 0.97
    banned_words: tuple[str, ...] = ()
    banned_patterns: tuple[str, ...] = ()
    max_links: int = 3
    report_threshold: int = 3
    min_form_seconds: float = 3.0
    compiled_patterns: tuple[re.Pattern[str], ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def from_site(cls, raw: Mapping[str, Any]) -> ModerationSettings:
        """Settings as stored; values written before a rule existed fall back to defaults."""
        known = {f.name for f in fields(cls)} - {"compiled_patterns"}
        values = {key: value for key, value in raw.items() if key in known}
        for key in ("banned_words", "banned_patterns"):
            if key in values:
                values[key] = tuple(values[key])
        settings = cls(**values)
        return settings.with_compiled_patterns()

    def with_compiled_patterns(self) -> ModerationSettings:
        compiled = tuple(re.compile(p, re.IGNORECASE) for p in self.banned_patterns)
        return replace(self, compiled_patterns=compiled)

    def stored(self) -> ModerationRules:
        return {
            "mode": self.mode,
            "hold_threshold": self.hold_threshold,
            "reject_threshold": self.reject_threshold,
            "banned_words": list(self.banned_words),
            "banned_patterns": list(self.banned_patterns),
            "max_links": self.max_links,
            "report_threshold": self.report_threshold,
            "min_form_seconds": self.min_form_seconds,
        }


def validated_changes(current: ModerationSettings, changes: dict[str, Any]) -> ModerationSettings:
    """Apply a staff member's changes, refusing values that would break moderation."""
    merged = {**current.stored(), **changes}
    unknown = set(changes) - set(current.stored())
    if unknown:
        raise Invalid(f"unknown moderation setting: {', '.join(sorted(unknown))}")
    if merged["mode"] not in MODES:
        raise Invalid(f"mode is one of {', '.join(MODES)}")
    for key in ("hold_threshold", "reject_threshold"):
        if not isinstance(merged[key], int | float) or not 0 <= merged[key] <= 1:
            raise Invalid(f"{key} is a number between 0 and 1")
    if merged["hold_threshold"] > merged["reject_threshold"]:
        raise Invalid("hold_threshold must not be above reject_threshold")
    for key, low, high in (("max_links", 0, 100), ("report_threshold", 1, 1000)):
        if not isinstance(merged[key], int) or not low <= merged[key] <= high:
            raise Invalid(f"{key} is a whole number from {low} to {high}")
    if (
        not isinstance(merged["min_form_seconds"], int | float)
        or not 0 <= merged["min_form_seconds"] <= 600
    ):
        raise Invalid("min_form_seconds is a number of seconds from 0 to 600")
    for key in ("banned_words", "banned_patterns"):
        items = merged[key]
        if not isinstance(items, list) or len(items) > MAX_WORDS:
            raise Invalid(f"{key} is a list of at most {MAX_WORDS} entries")
        if not all(isinstance(item, str) and 0 < len(item.strip()) <= 200 for item in items):
            raise Invalid(f"{key} entries are non-empty text of at most 200 characters")
        merged[key] = tuple(item.strip() for item in items)
    for pattern in merged["banned_patterns"]:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise Invalid(f"banned pattern {pattern!r} is not a valid regular expression") from exc
    merged["banned_words"] = tuple(word.lower() for word in merged["banned_words"])
    return ModerationSettings(**merged).with_compiled_patterns()
