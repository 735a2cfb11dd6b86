"""What a node needs before a load balancer sends it traffic (`GET /readyz`).

Liveness (`/healthz`) asks "is the process answering?"; readiness asks "can it serve?":
the database answers and its schema is the one this release expects, the broker answers
when one is configured (live updates, rate limits and cache notices go through it), and
the toxicity model is loaded (before that, every post would wait for it). Each check is a
small function that returns a `NotReady` or None, run side by side, each within
`CHECK_SECONDS`, so a probe answers in about that time whatever is down.

A database migrated *past* this release (a newer release ran `talkback migrate` during a
rolling upgrade) counts as ready: migrations are written so the previous release keeps
working on the new schema, and taking every old node out of service at once would be an
outage. A database behind this release, or without a schema, is not ready.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import redis.asyncio as redis
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from talkback.context import Context
from talkback.moderation.classifier import Scorer
from talkback.store.database import Database
from talkback.store.revisions import HEAD, RELEASE_REVISIONS

log = logging.getLogger(__name__)

CHECK_SECONDS = 2.0
"""The longest any one check may take; a probe's timeout should be longer."""
MODEL_WAIT_SECONDS = 0.25
"""How long a probe waits for a model still loading before answering "not yet"."""


@dataclass(frozen=True, slots=True)
class NotReady:
    check: str
    """`database`, `migrations`, `broker` or `classifier`."""
    message: str


async def not_ready(ctx: Context) -> list[NotReady]:
    """What keeps this node from serving; empty when it is ready."""
    found = await asyncio.gather(
        _schema(ctx.database), _broker(ctx.settings.broker_url), _classifier(ctx.scorer)
    )
    return [problem for problem in found if problem is not None]


async def _schema(database: Database) -> NotReady | None:
    try:
        async with asyncio.timeout(CHECK_SECONDS), database.read() as conn:
            await conn.execute(text("SELECT 1"))
            try:
                result = await conn.execute(text("SELECT version_num FROM alembic_version"))
                revisions = frozenset(str(value) for value in result.scalars())
            except DBAPIError:
                revisions = frozenset()
    except Exception as exc:
        log.warning("event=not_ready check=database error=%r", exc)
        return NotReady("database", f"the database did not answer ({type(exc).__name__})")
    if not revisions:
        return NotReady("migrations", "the database has no schema: run `talkback migrate`")
    if revisions <= frozenset(RELEASE_REVISIONS) and revisions != {HEAD}:
        return NotReady(
            "migrations",
            f"the database schema is at {', '.join(sorted(revisions))} and this release "
            f"needs {HEAD}: run `talkback migrate`",
        )
    return None


async def _broker(url: str) -> NotReady | None:
    if url == "memory://":
        return None
    client = redis.Redis.from_url(
        url, socket_connect_timeout=CHECK_SECONDS, socket_timeout=CHECK_SECONDS
    )
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            await client.ping()
    except Exception as exc:
        log.warning("event=not_ready check=broker error=%r", exc)
        return NotReady("broker", f"the broker (Redis) did not answer ({type(exc).__name__})")
    finally:
        await client.aclose()
    return None


async def _classifier(scorer: Scorer) -> NotReady | None:
    try:
        async with asyncio.timeout(MODEL_WAIT_SECONDS):
            await scorer.warm_up()  # returns at once when loaded; the load goes on if not
    except TimeoutError:
        return NotReady("classifier", "the toxicity model is still loading")
    except Exception as exc:
        log.warning("event=not_ready check=classifier error=%r", exc)
        return NotReady("classifier", f"the toxicity model failed to load ({type(exc).__name__})")
    return None
