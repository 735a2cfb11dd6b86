"""Sites: one server hosts many publications, each with its own origins and rules."""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from babel import Locale, UnknownLocaleError
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from typing_extensions import TypedDict

from talkback import clock
from talkback.core.closing import MAX_AUTO_CLOSE_DAYS
from talkback.errors import Conflict, Invalid, NotFound
from talkback.store.database import Database
from talkback.store.shared_reads import SharedReads
from talkback.store.tables import sites

SITE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
RESERVED_SITE_IDS = frozenset({"admin", "subscriptions", "unsubscribe", "webhooks", "signin"})
MODERATION_MODES = ("post", "pre", "first")
GUEST_IDENTITIES = ("optional", "name", "name_email")
SETTABLE_KEYS = (
    "name", "origins", "locale", "edit_window", "moderation_mode", "guest_identity",
    "digest_window", "moderator_alerts", "auto_close_days",
)  # fmt: skip
DIGEST_WINDOW_SECONDS = 120
"""Default: follow-up comments on one thread within two minutes go out as one mail."""
MODERATOR_ALERT_MINUTES = 15
"""Default: moderators hear of waiting comments at most every quarter hour (0: never)."""
CACHE_SECONDS = 10.0
"""The longest a process keeps a site's settings that no notice told it of changing."""

SiteAnnouncer = Callable[[str], Awaitable[None]]
"""Tells every process that a site's settings changed (by its id)."""


class PublicSettings(TypedDict):
    """What the widget needs to know about the site; nothing here is secret."""

    id: str
    name: str
    locale: str
    edit_window_seconds: int
    guest_identity: str
    moderation_mode: str


@dataclass(frozen=True, slots=True)
class Site:
    id: str
    name: str
    origins: tuple[str, ...]
    locale: str
    edit_window_seconds: int
    moderation: dict[str, Any]
    guest_identity: str = "optional"
    notifications: dict[str, Any] = field(default_factory=dict)
    auto_close_days: int | None = None
    """Threads close this many days after their first comment (None: never)."""

    @property
    def moderation_mode(self) -> str:
        return str(self.moderation.get("mode", "post"))

    @property
    def digest_window_seconds(self) -> int:
        """Follow-up comments within this long of the first go out as one mail (0: each
        at once)."""
        return int(self.notifications.get("digest_window_seconds", DIGEST_WINDOW_SECONDS))

    @property
    def moderator_alert_minutes(self) -> int:
        """Moderators are mailed about the queue at most this often (0: never)."""
        return int(self.notifications.get("moderator_alert_minutes", MODERATOR_ALERT_MINUTES))

    def public_settings(self) -> PublicSettings:
        return {
            "id": self.id,
            "name": self.name,
            "locale": self.locale,
            "edit_window_seconds": self.edit_window_seconds,
            "guest_identity": self.guest_identity,
            "moderation_mode": self.moderation_mode,
        }

    def allows_origin(self, origin: str) -> bool:
        return "*" in self.origins or origin.rstrip("/") in self.origins


def _site(row: Any) -> Site:
    return Site(
        id=row.id,
        name=row.name,
        origins=tuple(row.origins),
        locale=row.locale,
        edit_window_seconds=row.edit_window_seconds,
        moderation=dict(row.moderation),
        guest_identity=row.guest_identity,
        notifications=dict(row.notifications or {}),
        auto_close_days=row.auto_close_days,
    )


def _normalise_origin(origin: str) -> str:
    origin = origin.strip().rstrip("/")
    if origin != "*" and not re.fullmatch(r"https?://[^/\s?#]+", origin):
        raise Invalid(f"origin {origin!r} must look like https://news.example.org")
    return origin


def _normalise_origins(origins: list[str]) -> list[str]:
    """Each origin once, in the order given: a repeat says nothing and clutters the lists."""
    return list(dict.fromkeys(_normalise_origin(o) for o in origins if o.strip()))


def _check_locale(locale: str) -> str:
    try:
        Locale.parse(locale)
    except (ValueError, UnknownLocaleError) as exc:
        raise Invalid(f"unknown locale {locale!r}") from exc
    return locale


def _auto_close_days(value: str) -> int | None:
    """Days as typed; empty or 0 means threads never close by themselves (stored as None)."""
    text = value.strip()
    if text and (not text.isdigit() or int(text) > MAX_AUTO_CLOSE_DAYS):
        limit = MAX_AUTO_CLOSE_DAYS
        raise Invalid(f"auto_close_days is a number of days, at most {limit} (empty or 0: never)")
    return (int(text) or None) if text else None


async def create_site(
    database: Database,
    site_id: str,
    *,
    name: str,
    origins: list[str],
    locale: str = "en_US",
    edit_window_seconds: int = 900,
) -> Site:
    if not SITE_ID.match(site_id):
        raise Invalid("site id must be 1-64 lowercase letters, digits or dashes")
    if site_id in RESERVED_SITE_IDS:
        raise Invalid(f"site id {site_id!r} is reserved for the server's own routes")
    values = {
        "id": site_id,
        "name": name.strip() or site_id,
        "origins": _normalise_origins(origins),
        "locale": _check_locale(locale),
        "edit_window_seconds": edit_window_seconds,
        "moderation": {"mode": "post"},
        "created_at": clock.now(),
    }

    async def job(conn: AsyncConnection) -> None:
        if await conn.scalar(select(sites.c.id).where(sites.c.id == site_id)) is not None:
            raise Conflict(f"site {site_id!r} already exists")
        await conn.execute(insert(sites).values(**values))

    await database.write(job)
    return await load_site(database, site_id)


async def load_site(database: Database, site_id: str) -> Site:
    async with database.read() as conn:
        row = (await conn.execute(select(sites).where(sites.c.id == site_id))).first()
    if row is None:
        raise NotFound(f"no site {site_id!r}", code="site_not_found")
    return _site(row)


async def list_sites(database: Database) -> list[Site]:
    async with database.read() as conn:
        rows = (await conn.execute(select(sites).order_by(sites.c.id))).all()
    return [_site(row) for row in rows]


async def set_site_option(database: Database, site_id: str, key: str, value: str) -> Site:
    """Change one setting from its text form (as typed in `talkback site set`)."""
    site = await load_site(database, site_id)
    changes: dict[str, Any]
    if key == "name":
        changes = {"name": value.strip() or site.id}
    elif key == "origins":
        changes = {"origins": _normalise_origins(value.split(","))}
    elif key == "locale":
        changes = {"locale": _check_locale(value)}
    elif key == "edit_window":
        if not value.isdigit() or int(value) > 7 * 24 * 3600:
            raise Invalid("edit_window is a number of seconds, at most one week")
        changes = {"edit_window_seconds": int(value)}
    elif key == "moderation_mode":
        if value not in MODERATION_MODES:
            raise Invalid(f"moderation_mode is one of {', '.join(MODERATION_MODES)}")
        changes = {"moderation": {**site.moderation, "mode": value}}
    elif key == "guest_identity":
        if value not in GUEST_IDENTITIES:
            raise Invalid(f"guest_identity is one of {', '.join(GUEST_IDENTITIES)}")
        changes = {"guest_identity": value}
    elif key == "digest_window":
        if not value.isdigit() or int(value) > 24 * 3600:
            raise Invalid("digest_window is a number of seconds, at most one day (0: no digest)")
        changes = {"notifications": {**site.notifications, "digest_window_seconds": int(value)}}
    elif key == "moderator_alerts":
        if not value.isdigit() or int(value) > 7 * 24 * 60:
            raise Invalid("moderator_alerts is a number of minutes, at most one week (0: off)")
        changes = {"notifications": {**site.notifications, "moderator_alert_minutes": int(value)}}
    elif key == "auto_close_days":
        changes = {"auto_close_days": _auto_close_days(value)}
    else:
        raise Invalid(f"unknown setting {key!r}; settable: {', '.join(SETTABLE_KEYS)}")

    async def job(conn: AsyncConnection) -> None:
        await conn.execute(update(sites).where(sites.c.id == site_id).values(**changes))

    await database.write(job)
    return await load_site(database, site_id)


class SiteDirectory:
    """Sites by id for request handling, kept in each process until one changes.

    Every API request needs its site (origins for CORS, edit window, moderation mode); a
    copy per process keeps that off the database. A change made anywhere is announced
    (`changed`: the admin API on any node, `talkback site set` with a broker configured)
    and every process of the deployment forgets the site at once. CACHE_SECONDS bounds
    what no notice reaches: a change by another process with the `memory://` broker (the
    command line beside a single server, `talkback worker`). A generation number per site
    keeps a read that raced with a notice from storing what the notice outdated.
    """

    def __init__(self, database: Database, shared_reads: SharedReads) -> None:
        self._database = database
        self._shared_reads = shared_reads
        """When a site's copy expires, every request in flight asks for it at once."""
        self._announce: SiteAnnouncer | None = None
        self._sites: dict[str, tuple[float, Site]] = {}
        self._generations: dict[str, int] = {}

    async def get(self, site_id: str) -> Site:
        cached = self._sites.get(site_id)
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        generation = self._generations.get(site_id, 0)
        site = await self._shared_reads.read(
            ("site", site_id), lambda: load_site(self._database, site_id)
        )
        if self._generations.get(site_id, 0) == generation:
            self._sites[site_id] = (time.monotonic(), site)
        return site

    def peek(self, site_id: str) -> Site | None:
        """The site if this process holds a fresh copy, without waiting for anything (the
        cached reads answer from memory or not at all)."""
        cached = self._sites.get(site_id)
        if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
        return None

    async def changed(self, site_id: str) -> None:
        """The site's settings were changed here: every process forgets them."""
        self.forget(site_id)
        if self._announce is not None:
            await self._announce(site_id)

    def announce_with(self, announce: SiteAnnouncer) -> None:
        """How `changed` tells the other processes (the broker, wired by the context)."""
        self._announce = announce

    def forget(self, site_id: str) -> None:
        """Forget the site in this process only; the next request reads it afresh."""
        self._sites.pop(site_id, None)
        self._generations[site_id] = self._generations.get(site_id, 0) + 1

    def forget_all(self) -> None:
        """Notices may have been missed: read every site afresh."""
        for site_id in {*self._sites, *self._generations}:
            self.forget(site_id)
