"""Validators every feature's request schemas share: blank means absent, and no NUL
character reaches the database."""

from __future__ import annotations

from pydantic import AfterValidator, BeforeValidator


def _blank_to_none(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return value.strip() if isinstance(value, str) else value


def _no_nul(value: str) -> str:
    """PostgreSQL's text cannot hold a NUL character; no reader means to type one."""
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    return value


Stored = AfterValidator(_no_nul)
"""Text that is stored: refused (422) when it holds a NUL character."""
Optional = BeforeValidator(_blank_to_none)
"""An optional field: a blank string counts as absent, others are stripped."""
