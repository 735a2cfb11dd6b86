"""Talkback's own export (JSON Lines, docs/export-format.md), for moving or restoring a site.

Comments keep everything: status, author fields, reader id, IP hash, avatar seed, text,
HTML, anchor, times, vote counts and origin. Their origin is their identity: a comment
first imported from WordPress stays `wordpress`/its id, and one first posted on Talkback
is `talkback`/`<site>/<id>`, so importing the same export again adds nothing. Votes are
restored with their voters. The site's settings are used only when the target site does
not exist yet; an existing site keeps its own. Campaigns and donations are checked here
and written by `importers/funding.py`, which also says how they are matched.

A line that is not JSON fails a strict import (nothing written) and is skipped and
reported by a lenient one; record types this version does not know (a newer export's
subscriptions, say) are skipped and counted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from talkback import clock
from talkback.comments.badges import BADGES
from talkback.comments.schemas import Anchor
from talkback.comments.views import PassageAnchor
from talkback.context import Context
from talkback.core import drafts, funding_rules, money
from talkback.core.closing import CLOSE_OVERRIDES, MAX_AUTO_CLOSE_DAYS, MAX_CLOSE_MESSAGE
from talkback.core.statuses import CAMPAIGN_STATUSES, COMMENT_STATUSES, MESSAGE_STATUSES
from talkback.errors import Invalid, NotFound
from talkback.export.site import FORMAT, VERSION
from talkback.importers.dates import parse_iso
from talkback.importers.options import ImportOptions
from talkback.importers.progress import Progress
from talkback.importers.records import (
    CampaignRecord,
    CommentRecord,
    DonationRecord,
    ImportFailed,
    StaffRecord,
    ThreadRecord,
    VoteRecord,
)
from talkback.importers.run import Source
from talkback.importers.staff import add_staff
from talkback.importers.staging import Staging
from talkback.importers.summary import ImportSummary
from talkback.moderation.settings import ModerationSettings, validated_changes
from talkback.sites.sites import SITE_ID, Site, load_site
from talkback.staff.accounts import ROLES
from talkback.store.tables import sites

SOURCE = "talkback"


def read_talkback(
    path: Path, options: ImportOptions, sink: Staging, summary: ImportSummary, progress: Progress
) -> None:
    with path.open("rb") as lines:
        header_seen = False
        for number, raw in enumerate(lines, start=1):
            progress.advance(len(raw))
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
                if not isinstance(record, dict):
                    raise ValueError("not an object")
            except ValueError as exc:
                if not options.lenient or not header_seen:
                    raise ImportFailed(
                        f"line {number} is not a JSON object ({exc}). Nothing was imported"
                    ) from exc
                summary.problem(f"line {number}: not a JSON object")
                continue
            if not header_seen:
                _check_header(record)
                header_seen = True
                continue
            _stage(record, options, sink, summary)
    if not header_seen:
        raise ImportFailed("the file is empty: no Talkback export header")


def _check_header(header: dict[str, Any]) -> None:
    if header.get("format") != FORMAT:
        raise ImportFailed(f"the first line does not name the format {FORMAT!r}")
    version = header.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise ImportFailed(
            f"export format version {version!r}; this Talkback reads up to {VERSION}"
        )


def _stage(
    record: dict[str, Any], options: ImportOptions, sink: Staging, summary: ImportSummary
) -> None:
    kind = record.get("type")
    try:
        if kind == "site":
            if sink.site_settings is None:
                sink.site_settings = record
        elif kind == "thread":
            sink.add_thread(_thread(record, options))
        elif kind == "comment":
            sink.add_comment(_comment(record))
        elif kind == "vote":
            sink.add_vote(_vote(record))
        elif kind == "campaign":
            sink.add_campaign(_campaign(record))
        elif kind == "donation":
            sink.add_donation(_donation(record))
        elif kind == "staff":
            sink.staff.append(_staff(record))
        else:
            summary.skip(f"record type {kind!r} (not known to this version)")
    except (KeyError, TypeError, ValueError) as exc:
        summary.skip(f"{kind} record with a missing or invalid field")
        summary.problem(f"{kind} record: {exc!r}")


def _required_time(value: Any) -> Any:
    moment = parse_iso(value)
    if moment is None:
        raise ValueError(f"unreadable time {value!r}")
    return moment


def _thread(record: dict[str, Any], options: ImportOptions) -> ThreadRecord:
    uri = str(record["uri"])
    override = record.get("close_override")
    if override is not None:
        override = _one_of(override, CLOSE_OVERRIDES)
    return ThreadRecord(
        key=uri,
        uri=options.thread_uri(uri),
        title=record.get("title"),
        created_at=parse_iso(record.get("created_at")),
        keep_empty=True,
        close_override=override,
        close_message=_text(record.get("close_message"), MAX_CLOSE_MESSAGE) if override else None,
        closed_at=parse_iso(record.get("closed_at")) if override == "closed" else None,
    )


def _comment(record: dict[str, Any]) -> CommentRecord:
    status = record["status"]
    if status not in COMMENT_STATUSES:
        raise ValueError(f"unknown status {status!r}")
    author = record.get("author") or {}
    counts = record.get("votes") or {}
    origin = record.get("origin") or {}
    parent = record.get("parent")
    moderation = record.get("moderation") or {}
    return CommentRecord(
        thread_key=str(record["thread"]),
        key=str(record["id"]),
        import_source=str(origin.get("source") or SOURCE),
        import_id=str(origin.get("id") or record["id"]),
        parent_key=None if parent is None else str(parent),
        status=status,
        text=str(record.get("text") or ""),
        html=str(record.get("html") or ""),
        created_at=_required_time(record["created_at"]),
        edited_at=parse_iso(record.get("edited_at")),
        author_name=author.get("name"),
        author_email=author.get("email"),
        author_website=author.get("website"),
        reader_id=author.get("reader_id"),
        ip_hash=author.get("ip_hash"),
        avatar=author.get("avatar"),
        anchor=_anchor(record.get("anchor")),
        upvotes=int(counts.get("up") or 0),
        downvotes=int(counts.get("down") or 0),
        score=int(counts["score"]) if counts.get("score") is not None else None,
        pinned_at=parse_iso(record.get("pinned_at")),
        featured_at=parse_iso(record.get("featured_at")),
        author_badge=_badge(author.get("badge")),
        extra={
            "moderation": moderation.get("verdict"),
            "toxicity": moderation.get("toxicity"),
            "report_count": int(moderation.get("report_count") or 0),
        },
    )


def _badge(badge: Any) -> str | None:
    """The badge as written when the comment was posted: one of ours, or none."""
    return None if badge is None else _one_of(badge, tuple(BADGES.values()))


def _anchor(anchor: Any) -> PassageAnchor | None:
    """The anchor as the API would have accepted it: every answer that shows the comment is
    validated against that shape, so a hand-edited file must not store another one."""
    if anchor is None:
        return None
    try:
        return Anchor.model_validate(anchor).stored()
    except ValidationError as exc:
        if isinstance(anchor, dict) and {"start", "end"} & anchor.keys():
            # Exports from before offsets were checked may hold one alone, or offsets that
            # do not fit the quote. They were only ever a hint: keep the passage without.
            without = {k: v for k, v in anchor.items() if k not in ("start", "end")}
            return _anchor(without)
        raise ValueError(f"anchor is not a passage: {exc.errors()[0]['msg']}") from exc


def _moderation(rules: Any) -> dict[str, Any]:
    """The site's moderation rules as the file has them, once checked as staff changes are
    (Invalid otherwise): the settings page and API answer them typed."""
    if not isinstance(rules, dict):
        raise Invalid("the site's moderation settings are not an object")
    validated_changes(ModerationSettings(), rules)
    return dict(rules)


def _vote(record: dict[str, Any]) -> VoteRecord:
    return VoteRecord(
        comment_key=str(record["comment"]),
        voter=str(record["voter"]),
        value=int(record["value"]),
        created_at=_required_time(record["created_at"]),
    )


def _minor(value: Any, *, positive: bool = False) -> int:
    """An amount in minor units: an integer, never a float that would round."""
    if isinstance(value, bool) or not isinstance(value, int) or value < int(positive):
        raise ValueError(f"not an amount in minor units: {value!r}")
    return value


def _minors(value: Any, limit: int) -> list[int] | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > limit:
        raise ValueError(f"not a list of at most {limit} amounts: {value!r}")
    return [_minor(item) for item in value]


def _text(value: Any, limit: int, *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise ValueError(f"not a text of at most {limit} characters: {value!r}")
    return value


def _one_of(value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _campaign(record: dict[str, Any]) -> CampaignRecord:
    currency = money.check_currency(str(record["currency"]))
    goal = _minor(record["goal_minor"], positive=True)
    title = str(_text(record["title"], funding_rules.MAX_TITLE, required=True))
    description = _text(record.get("description") or "", funding_rules.MAX_DESCRIPTION)
    return CampaignRecord(
        key=str(record["id"]),
        terms={
            "title": title.strip(),
            "description": description or "",
            "currency": currency,
            "goal_minor": goal,
            "ticks_minor": _minors(record.get("ticks_minor"), funding_rules.MAX_TICKS),
            "presets_minor": _minors(record.get("presets_minor"), funding_rules.MAX_PRESETS),
        },
        starts_at=parse_iso(record.get("starts_at")),
        ends_at=parse_iso(record.get("ends_at")),
        status=_one_of(record.get("status", "open"), CAMPAIGN_STATUSES),
        is_current=record.get("is_current") is True,
        donor_wall=record.get("donor_wall") is True,
        created_at=_required_time(record["created_at"]),
    )


def _donation(record: dict[str, Any]) -> DonationRecord:
    amount = _minor(record["amount_minor"], positive=True)
    refunded = _minor(record.get("refunded_minor") or 0)
    if refunded > amount:
        raise ValueError(f"refunded {refunded} of {amount}")
    message = _text(record.get("message"), funding_rules.MAX_MESSAGE)
    status = record.get("message_status") or "pending"
    if message is not None:
        status = _one_of(status, MESSAGE_STATUSES)
    moderation = record.get("message_moderation")
    if moderation is not None and not isinstance(moderation, dict | list):
        raise ValueError(f"message_moderation is not a verdict: {moderation!r}")
    email = _text(record.get("donor_email"), drafts.MAX_EMAIL_LENGTH)
    return DonationRecord(
        campaign_key=str(record["campaign"]),
        amount_minor=amount,
        currency=money.check_currency(str(record["currency"])),
        refunded_minor=refunded,
        provider=_one_of(record["provider"], funding_rules.PROVIDERS),
        provider_ref=str(_text(record["provider_ref"], 255, required=True)),
        payment_ref=_text(record.get("payment_ref"), 255),
        created_at=_required_time(record["created_at"]),
        donor_name=_text(record.get("donor_name"), funding_rules.MAX_NAME),
        donor_email=email.strip().lower() or None if email is not None else None,
        message=message,
        message_status=None if message is None else status,
        message_moderation=moderation if message is not None else None,
        note=_text(record.get("note"), funding_rules.MAX_NOTE),
        recorded_by=_text(record.get("recorded_by"), drafts.MAX_EMAIL_LENGTH),
    )


MAX_STAFF_NAME = 80


def _staff(record: dict[str, Any]) -> StaffRecord:
    email = str(record["email"]).strip().lower()
    if not email or len(email) > drafts.MAX_EMAIL_LENGTH or "@" not in email:
        raise ValueError(f"not an address: {email!r}")
    password_hash = record["password_hash"]
    if not isinstance(password_hash, str) or not password_hash.startswith("$argon2"):
        raise ValueError("password_hash is not an Argon2 hash")
    return StaffRecord(
        email=email,
        name=_text(record.get("name"), MAX_STAFF_NAME),
        role=_one_of(record["role"], ROLES),
        password_hash=_text(password_hash, 200, required=True) or "",
        must_change_password=record.get("must_change_password") is True,
        created_at=_required_time(record["created_at"]),
    )


async def prepare_site(
    ctx: Context, site_id: str, staging: Staging, summary: ImportSummary
) -> Site:
    """The target site; created from the export's settings when it does not exist."""
    try:
        site = await load_site(ctx.database, site_id)
    except NotFound:
        settings = staging.site_settings
        if settings is None:
            raise
        if not SITE_ID.match(site_id):
            raise Invalid("site id must be 1-64 lowercase letters, digits or dashes") from None
        values = _site_values(site_id, settings)

        async def job(conn: AsyncConnection) -> None:
            await conn.execute(insert(sites).values(**values))

        await ctx.database.write(job)
        summary.note(f"site {site_id!r} created from the export's settings")
        await add_staff(ctx.database, staging.staff, summary)
        return await load_site(ctx.database, site_id)
    if staging.site_settings is not None:
        summary.note(f"site {site_id!r} exists: its settings were kept")
    await add_staff(ctx.database, staging.staff, summary)
    return site


def _site_values(site_id: str, settings: dict[str, Any]) -> dict[str, Any]:
    window = settings.get("edit_window_seconds")
    days = settings.get("auto_close_days")
    return {
        "id": site_id,
        "name": str(settings.get("name") or site_id),
        "origins": [str(origin) for origin in settings.get("origins") or []],
        "locale": str(settings.get("locale") or "en_US"),
        "edit_window_seconds": 900 if window is None else int(window),
        "moderation": _moderation(settings.get("moderation") or {"mode": "post"}),
        "guest_identity": str(settings.get("guest_identity") or "optional"),
        "auto_close_days": _auto_close_days(days),
        "created_at": parse_iso(settings.get("created_at")) or clock.now(),
    }


def _auto_close_days(days: Any) -> int | None:
    if days is None or days == 0:
        return None
    if isinstance(days, bool) or not isinstance(days, int) or not 0 < days <= MAX_AUTO_CLOSE_DAYS:
        raise Invalid(f"the site's auto_close_days is not a number of days: {days!r}")
    return days


TALKBACK = Source(SOURCE, read_talkback, prepare_site)
