"""The statements a new comment is written with, built once per process.

Posting runs them for every comment, inside the one writer SQLite has. Built per call,
SQLAlchemy coerces every value and recomputes the statement's cache key each time, which
costs about as much CPU as the rest of the writer's work for a post; built once with bound
parameters, the cache key is memoised and the compiled form comes from the engine's cache.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import bindparam, func, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.expression import Executable

from talkback.comments.views import PUBLIC_COLUMNS
from talkback.store.tables import comments, threads

INSERT_COMMENT = insert(comments).returning(*PUBLIC_COLUMNS)
"""Takes the new row's values as execute parameters; returns its public columns."""


@cache
def claim_thread(dialect_name: str, *, fills_title: bool) -> Executable:
    """Upsert of a thread by `(site_id, uri)` that counts a new comment.

    Parameters: the thread's columns for a first comment, and `approved` (1 when the new
    comment is shown, else 0) to add to `comment_count` and `version` of an existing
    thread. With `fills_title`, an existing thread without a title takes the new one.
    Returns `(id, comment_count, created_at, close_override, close_message)`: whether the
    thread is closed costs no further statement. On PostgreSQL the upsert locks the row as
    `FOR UPDATE` would, so every write to a thread still begins by locking it.
    """
    dialect: Any = postgresql if dialect_name == "postgresql" else sqlite
    statement = dialect.insert(threads)
    changes: dict[str, Any] = {
        "comment_count": threads.c.comment_count + bindparam("approved"),
        "version": threads.c.version + bindparam("approved"),
    }
    if fills_title:
        changes["title"] = func.coalesce(func.nullif(threads.c.title, ""), statement.excluded.title)
    upsert: Executable = statement.on_conflict_do_update(
        index_elements=[threads.c.site_id, threads.c.uri], set_=changes
    ).returning(
        threads.c.id,
        threads.c.comment_count,
        threads.c.created_at,
        threads.c.close_override,
        threads.c.close_message,
    )
    return upsert
