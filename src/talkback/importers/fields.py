"""Small field clean-ups every parser needs, so they are done the same way everywhere."""

from __future__ import annotations

import hashlib

PLACEHOLDERS = frozenset({"undefined", "null", "none"})


def clean(value: str | None) -> str | None:
    """Stripped text, or None for missing, blank, or a placeholder such as "undefined"
    (Commento writes the word itself for an unknown email or link)."""
    if value is None:
        return None
    value = value.strip()
    if not value or value.lower() in PLACEHOLDERS:
        return None
    return value


def website(value: str | None) -> str | None:
    """Only http(s) links are kept as an author's website."""
    value = clean(value)
    if value and value.lower().startswith(("http://", "https://")):
        return value
    return None


def derived_id(*parts: str | None) -> str:
    """A stable id for a record its source gave none: the same record always gets the same
    one, so re-importing stays idempotent."""
    digest = hashlib.sha256("\x1f".join(part or "" for part in parts).encode()).hexdigest()
    return "h:" + digest[:40]


def flag(value: str | None) -> bool | None:
    """true/false (or 1/0) as written in XML exports; None when it is anything else."""
    value = (value or "").strip().lower()
    if value in ("true", "1"):
        return True
    if value in ("false", "0", ""):
        return False
    return None
