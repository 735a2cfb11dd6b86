"""The schema revisions this release knows, oldest first, written out rather than read
from Alembic's scripts: `/readyz` compares the database with them in every worker, and
loading Alembic (and Mako with it) only for that costs a worker about 10 MB.

A new migration adds its revision here; `tests/observability/test_readiness.py` fails
until it does."""

from __future__ import annotations

RELEASE_REVISIONS: tuple[str, ...] = (
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
)
HEAD = RELEASE_REVISIONS[-1]
