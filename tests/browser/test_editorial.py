"""The editors' tools in Chromium: a moderator pins and features from the admin pages and
open pages follow live; the Featured tab; a closed thread's message in place of the form,
on load and live; staff badges on comments."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from talkback.core.closing import CloseOverride
from talkback.core.uris import normalise_uri
from talkback.importers.formats.talkback_jsonl import TALKBACK
from talkback.importers.options import ImportOptions
from talkback.importers.run import run_import
from talkback.moderation.editorial import feature_comment, pin_comment, set_thread_closing
from talkback.staff.accounts import StaffMember, create_staff
from tests.browser.conftest import SECRET_KEY, SITE, Host, Talkback, Widget

PASSWORD = "a long enough password"


@pytest.fixture
def desk(talkback: Talkback) -> StaffMember:
    email = f"desk-{uuid.uuid4().hex[:8]}@news.example"
    return talkback.run(create_staff(talkback.context.database, email, PASSWORD, "moderator"))


@pytest.fixture
def other_reader(browser: Browser) -> Iterator[Widget]:
    context = browser.new_context()
    yield Widget(context.new_page())
    context.close()


@pytest.fixture
def admin_page(browser: Browser, desk: StaffMember, talkback: Talkback) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{talkback.url}/admin/")
    page.get_by_label("Email").fill(desk.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    yield page
    context.close()
    assert errors == []


def pin(talkback: Talkback, desk: StaffMember, comment_id: int) -> None:
    async def act() -> None:
        site = await talkback.context.sites.get(SITE)
        await pin_comment(talkback.context, site, comment_id, desk)

    talkback.run(act())


def feature(talkback: Talkback, desk: StaffMember, comment_id: int) -> None:
    async def act() -> None:
        site = await talkback.context.sites.get(SITE)
        await feature_comment(talkback.context, site, comment_id, desk)

    talkback.run(act())


def close(
    talkback: Talkback,
    desk: StaffMember,
    article: str,
    override: CloseOverride | None,
    message: str = "",
) -> None:
    async def act() -> None:
        site = await talkback.context.sites.get(SITE)
        uri = normalise_uri(article)
        await set_thread_closing(
            talkback.context, site, uri, desk, override=override, message=message
        )

    talkback.run(act())


def test_a_moderator_pins_and_features_and_open_pages_follow(
    widget: Widget, admin_page: Page, host: Host, article: str, talkback: Talkback
) -> None:
    first = talkback.post(article, "The first word on it")
    picked = talkback.post(article, "The one the desk picks", author="Ines")
    talkback.post(article, "The latest word on it")
    widget.open(host.url(article))
    talkback.wait_for_listeners(article, 1)
    assert widget.ids()[-1] == first

    admin_page.goto(f"{talkback.url}/admin/{SITE}/search?q=desk+picks")
    card = admin_page.locator(".item", has_text="The one the desk picks")
    card.get_by_role("button", name="Pin").click()
    expect(card.locator(".outcome")).to_have_text("Pinned")
    expect(card.get_by_role("button", name="Unpin")).to_have_attribute("aria-pressed", "true")
    expect(card.locator(".pinned-badge")).to_be_visible()
    card.get_by_role("button", name="Feature").click()
    expect(card.locator(".featured-badge")).to_be_visible()

    # The open page moves it first and marks it, without a reload.
    expect(widget.top_level.first).to_have_attribute("data-comment-id", str(picked))
    marks = widget.comment(picked).locator(".tb-marks")
    expect(marks).to_have_text("PinnedFeatured", use_inner_text=False)
    expect(widget.comments).to_have_count(3)

    # A reader opening the page now finds it first in every sort.
    widget.page.reload()
    expect(widget.top_level.first).to_have_attribute("data-comment-id", str(picked))
    widget.root.get_by_role("button", name="Oldest").click()
    expect(widget.top_level.first).to_have_attribute("data-comment-id", str(picked))
    expect(widget.top_level.nth(1)).to_have_attribute("data-comment-id", str(first))

    featured_tab = widget.root.get_by_role("button", name="Featured")
    featured_tab.click()
    expect(featured_tab).to_have_attribute("aria-pressed", "true")
    expect(widget.comments).to_have_count(1)
    expect(widget.comment_with("The one the desk picks")).to_be_visible()
    featured_tab.click()
    expect(widget.comments).to_have_count(3)

    card.get_by_role("button", name="Unpin").click()
    expect(card.locator(".outcome")).to_have_text("Unpinned")
    expect(widget.comment(picked).locator(".tb-pinned")).to_have_count(0)
    widget.page.screenshot(path=Path(__file__).parent / "artifacts" / "editorial-marks.png")


def test_a_closed_thread_says_why_in_place_of_the_form(
    widget: Widget,
    other_reader: Widget,
    desk: StaffMember,
    host: Host,
    article: str,
    talkback: Talkback,
) -> None:
    seeded = talkback.post(article, "Before the verdict")
    widget.open(host.url(article))
    talkback.wait_for_listeners(article, 1)
    expect(widget.text).to_be_visible()

    close(talkback, desk, article, "closed", "Comments are closed now that the verdict is in.")
    note = widget.root.locator(".tb-closed-note")
    expect(note).to_have_text("Comments are closed now that the verdict is in.")
    expect(widget.text).to_be_hidden()
    comment = widget.comment(seeded)
    expect(comment.get_by_role("button", name="Reply")).to_be_hidden()
    expect(comment.get_by_role("button", name="Upvote")).to_be_disabled()

    other_reader.open(host.url(article))  # on load too
    expect(other_reader.root.locator(".tb-closed-note")).to_be_visible()
    expect(other_reader.text).to_be_hidden()
    other_reader.page.screenshot(path=Path(__file__).parent / "artifacts" / "editorial-closed.png")

    close(talkback, desk, article, "open")
    expect(note).to_be_hidden()
    expect(widget.text).to_be_visible()
    expect(comment.get_by_role("button", name="Upvote")).to_be_enabled()
    widget.post("Open again")
    expect(widget.comment_with("Open again")).to_be_visible()


def test_a_post_refused_by_a_closed_thread_says_so(
    widget: Widget, desk: StaffMember, host: Host, article: str, talkback: Talkback
) -> None:
    # Without its live stream, the page cannot hear that the thread closed meanwhile.
    widget.page.route("**/stream?*", lambda route: route.abort())
    widget.open(host.url(article))
    close(talkback, desk, article, "closed")
    widget.post("Too late")
    expect(widget.root.locator(".tb > .tb-form .tb-error")).to_have_text("Comments are closed.")


def test_comments_by_staff_carry_their_badge(
    widget: Widget, host: Host, article: str, talkback: Talkback, tmp_path: Path
) -> None:
    uri = normalise_uri(article)
    lines = [
        {"format": "talkback-export", "version": 1, "site": SITE,
         "exported_at": "2026-11-01T00:00:00.000000Z", "generator": "test"},
        {"type": "thread", "uri": uri, "title": None, "created_at": "2026-11-01T00:00:00.000000Z",
         "comment_count": 2},
    ]  # fmt: skip
    for n, (name, badge) in enumerate((("Edith", "staff"), ("Mo", "moderator")), start=1):
        lines.append({
            "type": "comment", "id": n, "thread": uri, "parent": None, "status": "approved",
            "text": f"Word from {name}", "html": f"<p>Word from {name}</p>",
            "author": {"name": name, "badge": badge},
            "created_at": f"2026-11-01T0{n}:00:00.000000Z",
            "origin": {"source": "browser-test", "id": f"{uri}/{n}"},
        })  # fmt: skip
    file = tmp_path / "staff.jsonl"
    file.write_text("".join(json.dumps(line) + "\n" for line in lines))
    options = ImportOptions(secret_key=SECRET_KEY)
    talkback.run(run_import(talkback.context, SITE, file, TALKBACK, options))

    widget.open(host.url(article))
    expect(widget.comment_with("Word from Edith").locator(".tb-badge.tb-staff")).to_have_text(
        "Staff"
    )
    expect(widget.comment_with("Word from Mo").locator(".tb-badge.tb-moderator")).to_have_text(
        "Moderator"
    )
