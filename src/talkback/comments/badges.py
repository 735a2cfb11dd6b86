"""Staff badges: a comment written by a reader signed in with a staff member's address
says so ("staff" for an admin, "moderator" for a moderator).

Stamped when the comment is written, from the staff table, never from what the reader
sent (the comment schema refuses a badge): readers cannot fake one, and a comment keeps
the badge its author had when writing it, whatever their role becomes later.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import bindparam, select

from talkback.context import Context
from talkback.store.tables import staff

Badge = Literal["staff", "moderator"]
BADGES: dict[str, Badge] = {"admin": "staff", "moderator": "moderator"}
"""A staff role → the badge its comments carry."""

ROLE_OF = select(staff.c.role).where(staff.c.email == bindparam("email"))


async def badge_for(ctx: Context, email: str) -> Badge | None:
    """The badge of a signed-in reader's comments: their address's staff role, if any.
    Both tables keep addresses normalised (trimmed, lower case), so they compare as is."""
    rows = await ctx.database.read_rows(ROLE_OF, {"email": email})
    return BADGES.get(rows[0].role) if rows else None
