"""The editors' choices survive a move: a site exported and imported into a fresh database
keeps its automatic closing, its closed and reopened threads with their messages, its
pinned and featured comments, and its staff badges, and shows the same pages."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from talkback.export.site import export_site
from talkback.importers.formats.talkback_jsonl import TALKBACK
from talkback.moderation.editorial import feature_comment, pin_comment, set_thread_closing
from talkback.sites.sites import set_site_option
from talkback.staff.accounts import create_staff
from tests.api.conftest import ARTICLE, SITE
from tests.conftest import FrozenClock
from tests.importers.conftest import Importing

REOPENED = "/2026/11/reopened"
NEWSROOM = "/2026/11/from-the-newsroom"
MESSAGE = "Comments are closed now that the inquiry has reported."


def line(record: dict[str, Any]) -> str:
    return json.dumps(record) + "\n"


def staff_comment(badge: str, key: str = "1") -> str:
    """A comment of an older export, by a reader who was signed in as staff."""
    return line({
        "type": "comment", "id": int(key), "thread": NEWSROOM, "parent": None,
        "status": "approved", "text": "From the newsroom", "html": "<p>From the newsroom</p>",
        "author": {"name": "Edith", "email": "editor@news.example", "badge": badge},
        "created_at": "2026-10-30T09:00:00.000000Z", "origin": {"source": "hand", "id": key},
    })  # fmt: skip


def hand_written(*comments: str) -> str:
    header = {"format": "talkback-export", "version": 1, "site": SITE,
              "exported_at": "2026-10-31T00:00:00.000000Z", "generator": "by hand"}  # fmt: skip
    thread = {"type": "thread", "uri": NEWSROOM, "title": "From the newsroom",
              "created_at": "2026-10-30T09:00:00.000000Z", "comment_count": 1}  # fmt: skip
    return line(header) + line(thread) + "".join(comments)


async def exported(api: Importing) -> str:
    buffer = io.StringIO()
    await export_site(api.context, SITE, buffer.write)
    return buffer.getvalue()


async def build_newsroom(api: Importing, tmp_path: Path) -> None:
    """Pins, a feature, a closed thread with its message, a reopened one, a staff badge."""
    ctx = api.context
    await set_site_option(ctx.database, SITE, "auto_close_days", "14")
    ctx.sites.forget(SITE)
    site = await ctx.sites.get(SITE)
    desk = await create_staff(ctx.database, "desk@news.example", "a long enough password",
                              "moderator")  # fmt: skip
    first, second, third = [(await api.posted(f"Comment {n}"))["comment"]["id"] for n in (1, 2, 3)]
    await pin_comment(ctx, site, second, desk)
    await pin_comment(ctx, site, third, desk)
    await feature_comment(ctx, site, first, desk)
    await set_thread_closing(ctx, site, ARTICLE, desk, override="closed", message=MESSAGE)
    await api.posted("On another story", uri=REOPENED)
    await set_thread_closing(ctx, site, REOPENED, desk, override="open")
    older = tmp_path / "older.jsonl"
    older.write_text(hand_written(staff_comment("staff")), encoding="utf-8")
    assert (await api.run(TALKBACK, older)).comments_imported == 1


async def test_a_moved_site_keeps_its_editorial_choices(
    api: Importing, fresh_api: Importing, frozen_clock: FrozenClock, tmp_path: Path
) -> None:
    await build_newsroom(api, tmp_path)
    original = await exported(api)
    export = tmp_path / "news.jsonl"
    export.write_text(original, encoding="utf-8")

    await fresh_api.run(TALKBACK, export)

    assert await exported(fresh_api) == original
    for uri in (ARTICLE, REOPENED, NEWSROOM):
        for params in ({}, {"sort": "oldest"}, {"filter": "featured"}):
            assert await fresh_api.page(uri, **params) == await api.page(uri, **params)
    page = await fresh_api.page()
    assert [c.get("pinned", False) for c in page["comments"]] == [True, True, False]
    assert page["thread"]["closed"] is True
    assert page["thread"]["close_message"] == MESSAGE
    featured = (await fresh_api.page(filter="featured"))["comments"]
    assert ["Comment 1" in comment["html"] for comment in featured] == [True]
    refused = await fresh_api.post("Still closed?")
    assert refused.status_code == 409
    assert refused.json()["error"] == {"code": "thread_closed", "message": MESSAGE}
    assert (await fresh_api.page(REOPENED))["thread"]["closed"] is False
    # The reopened thread stays open after the site's fortnight, the closed one closed.
    frozen_clock.advance(days=15)
    assert (await fresh_api.post("Still open", uri=REOPENED)).status_code == 201
    newsroom = (await fresh_api.page(NEWSROOM))["comments"][0]
    assert newsroom["author"]["badge"] == "staff"
    assert (await fresh_api.page(NEWSROOM))["thread"]["closed"] is True  # 14 days passed


async def test_a_badge_that_is_not_ours_is_refused_and_counted(
    api: Importing, tmp_path: Path
) -> None:
    file = tmp_path / "odd.jsonl"
    file.write_text(hand_written(staff_comment("editor-in-chief"), staff_comment("moderator", "2")))

    summary = await api.run(TALKBACK, file)

    assert summary.comments_imported == 1
    assert sum(summary.skipped.values()) == 1
    [comment] = (await api.page(NEWSROOM))["comments"]
    assert comment["author"]["badge"] == "moderator"
