"""Every admin page fits a 1280 px screen and a phone, with the longest values staff meet:
a payment reference of 255 characters, a 254-character email, unbroken words. Nothing may
scroll sideways (the page, or a table inside its frame), and every button of every row is
on the screen."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from talkback.comments.posting import CommentDraft, post_comment
from talkback.comments.reports import report_comment
from talkback.core.funding_rules import CampaignDraft
from talkback.core.identity import hash_ip
from talkback.core.uris import normalise_uri
from talkback.funding.campaigns import create_campaign
from talkback.funding.donations import DonationDraft, record_donation
from talkback.moderation.actions import edit_comment_as_staff
from talkback.moderation.bans import add_ban
from talkback.readers.tokens import Reader
from talkback.sites.sites import create_site, set_site_option
from talkback.staff.accounts import list_staff
from tests.browser.conftest import (
    ARTIFACTS,
    EDITOR,
    EDITOR_PASSWORD,
    SECRET_KEY,
    Host,
    Talkback,
)

SITE = "layout"
SCREENS: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}
LONG_REF = ("pi_" + "3Q9xZkLmN0pR7sT2uV5wY8aB1cD4eF6gH" * 8)[:255]  # the column's limit
LONG_EMAIL = "a.very.long.mailbox.name." + "x" * 200 + "@example.org"
LONG_WORD = "Floodbarrierreviewconsultationresponsedeadline" * 3
PAGES = ("queue", "queue?kind=reported", "search?q=barrier", "bans", "audit", "donations",
         "campaigns", "readers", "settings", "stats")  # fmt: skip


@pytest.fixture(scope="module")
def crowded_site(talkback: Talkback, publisher: Host) -> str:
    """A site whose every admin table holds values as long as Talkback accepts."""

    async def seed() -> None:
        ctx = talkback.context
        database = ctx.database
        await create_site(database, SITE, name="The Long Read", origins=[publisher.origin])
        await set_site_option(database, SITE, "moderation_mode", "pre")
        ctx.sites.forget(SITE)
        site = await ctx.sites.get(SITE)
        [editor] = [s for s in await list_staff(database) if s.email == EDITOR]
        uri = normalise_uri("/" + "the-river-barrier-decision-" * 20)
        posted = []
        for n in range(2):
            draft = CommentDraft(
                text=f"{LONG_WORD} {n} on the barrier", author_name="N" * 80,
                email=LONG_EMAIL, website="https://" + "w" * 200 + ".example", title="T" * 300,
            )  # fmt: skip
            reader = Reader(ip_hash=hash_ip(f"203.0.113.{n}", SECRET_KEY))
            posted.append((await post_comment(ctx, site, uri, draft, reader)).comment["id"])
        await edit_comment_as_staff(ctx, site, posted[0], f"{LONG_WORD} edited", editor)
        await set_site_option(database, SITE, "moderation_mode", "post")
        ctx.sites.forget(SITE)
        site = await ctx.sites.get(SITE)
        reader = Reader(ip_hash=hash_ip("203.0.113.9", SECRET_KEY))
        shown = await post_comment(ctx, site, uri, CommentDraft(text=f"{LONG_WORD} shown"), reader)
        reporter = Reader(ip_hash=hash_ip("203.0.113.10", SECRET_KEY), reader_id="reporter")
        await report_comment(ctx, site, shown.comment["id"], "other", "R" * 500, reporter)
        await add_ban(ctx, site, kind="email", value=LONG_EMAIL, shadow=False, reason="Y" * 500,
                      expires_at=None, staff=editor)  # fmt: skip
        await add_ban(ctx, site, kind="ip", value="198.51.100.7", shadow=True, reason=LONG_WORD,
                      expires_at=None, staff=editor)  # fmt: skip
        campaign = await create_campaign(
            ctx, site, CampaignDraft(title="C" * 200, currency="USD", goal=Decimal(1_000_000_000),
                                     donor_wall=True), current=True, staff=editor,
        )  # fmt: skip
        for n in range(3):
            await record_donation(
                ctx, site,
                DonationDraft(
                    campaign_id=campaign.id, amount_minor=123_456_789_00, currency="USD",
                    provider="manual", provider_ref=f"{LONG_REF[:240]}-{n}", payment_ref=LONG_REF,
                    donor_name="D" * 80, donor_email=LONG_EMAIL, message=f"{LONG_WORD} " * 3,
                    note="M" * 500,
                ),
                staff=editor,
            )  # fmt: skip

    talkback.run(seed())
    return SITE


@pytest.fixture
def admin(browser: Browser, talkback: Talkback, crowded_site: str) -> Iterator[Page]:
    """The admin's browser (who sees every button: refunds, campaign edits, settings); any
    script error or refusal by the pages' Content-Security-Policy fails the test."""
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.goto(f"{talkback.url}/admin/login")
    page.get_by_label("Email").fill(EDITOR)
    page.get_by_label("Password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    yield page
    context.close()
    assert problems == []


OVERFLOWS = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width) {
    found.push(`the page is ${document.documentElement.scrollWidth}px wide`);
  }
  for (const wrap of document.querySelectorAll('.table-wrap')) {
    if (wrap.scrollWidth > wrap.clientWidth) {
      found.push(`a table is ${wrap.scrollWidth}px wide in ${wrap.clientWidth}px`);
    }
  }
  for (const control of document.querySelectorAll('main button, main .button')) {
    const box = control.getBoundingClientRect();
    if (box.width && (box.left < 0 || box.right > width)) {
      found.push(`"${control.textContent.trim()}" spans ${box.left}..${box.right}px`);
    }
  }
  return found;
}"""


@pytest.mark.parametrize("screen", SCREENS)
def test_every_admin_page_fits_the_screen_with_long_values(
    admin: Page, talkback: Talkback, screen: str
) -> None:
    admin.set_viewport_size(SCREENS[screen])
    problems: dict[str, Any] = {}
    for path in PAGES:
        admin.goto(f"{talkback.url}/admin/{SITE}/{path}")
        expect(admin.locator("main h1")).to_be_visible()
        name = path.replace("?", "-").replace("=", "-")
        admin.screenshot(path=ARTIFACTS / f"layout-{screen}-{name}.png", full_page=True)
        found = admin.evaluate(OVERFLOWS)
        if found:
            problems[path] = found
    assert problems == {}, json.dumps(problems, indent=1)


def test_a_long_reference_is_cut_short_with_the_whole_of_it_kept(
    admin: Page, talkback: Talkback
) -> None:
    admin.set_viewport_size(SCREENS["desktop"])
    admin.goto(f"{talkback.url}/admin/{SITE}/donations")
    row = admin.locator("tr[data-donation-id]").first
    reference = row.locator(".ref")
    expect(reference).to_have_attribute("title", LONG_REF)
    expect(reference).to_have_text(LONG_REF)
    box = reference.bounding_box()
    assert box is not None
    assert box["width"] < 200, "the reference is shown whole, pushing the other columns"
    message = row.locator("td.message .body").bounding_box()
    assert message is not None
    assert message["width"] >= 200, "the message is squeezed to a few words a line"
