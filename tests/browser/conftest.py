"""Browser tests: the real app on one port, a publisher's article page on another, Chromium.

The article page and the API are on different origins (two ports), as on a real news
site, so CORS, the reader-token header and cookie-less requests are all exercised. The
app runs under uvicorn on its own event loop in a background thread; fixtures seed data
through the public services on that same loop (`Talkback.run`). Payments go to a fake
Stripe on a third loopback port, and gifts arrive as signed webhooks over HTTP, exactly
as Stripe delivers them.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import re
import socket
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import (
    Browser,
    BrowserType,
    Locator,
    Page,
    Playwright,
    expect,
    sync_playwright,
)
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from talkback import clock
from talkback.app import create_app
from talkback.comments.posting import CommentDraft, post_comment
from talkback.comments.votes import cast_vote
from talkback.config import Settings
from talkback.context import Context
from talkback.core.funding_rules import CampaignDraft
from talkback.core.identity import hash_ip
from talkback.core.uris import normalise_uri
from talkback.demo.page import router as demo_router
from talkback.funding.campaigns import create_campaign
from talkback.live.live import thread_channel
from talkback.moderation.bans import add_ban
from talkback.moderation.rules import update_moderation_settings
from talkback.readers.tokens import Reader
from talkback.sites.sites import create_site, set_site_option
from talkback.staff.accounts import create_staff
from talkback.store.migrate import migrate
from tests.conftest import skip_or_fail
from tests.fake_stripe import FakeStripe, fake_stripe
from tests.stripe_events import WEBHOOK_PATH, checkout_completed, encode, signature_header

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
SECRET_KEY = "browser-test-secret-key"
SITE = "news"
HELD_SITE = "held"
STRICT_SITE = "strict"
TIMED_SITE = "timed"
SHADOW_SITE = "shadow"
FUND_SITE = "fund"
STRIPE_SECRET_KEY = "sk_test_browser"
WEBHOOK_SECRET = "whsec_browser_test"
PLACEHOLDER = "Would love your thoughts, please comment."
TIMEOUT_MS = 10_000
EDITOR = "editor@news.example"
EDITOR_PASSWORD = "correct horse battery staple"

T = TypeVar("T")

expect.set_options(timeout=TIMEOUT_MS)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServerThread:
    """A uvicorn server on its own event loop in a background thread."""

    def __init__(self, app: ASGIApp) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.loop: asyncio.AbstractEventLoop | None = None
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            access_log=False,
            # Open event streams would otherwise hold the shutdown until they end.
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        # asyncio.run also ends the tasks open streams leave behind when the server stops.
        asyncio.run(self._main())

    async def _main(self) -> None:
        self.loop = asyncio.get_running_loop()
        await self.server.serve()

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server on port {self.port} did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the server's loop, where the app's database handle lives."""
        assert self.loop is not None, "the server is not running"
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)


@dataclass
class Talkback:
    """The running app, with shortcuts that seed data through the public services."""

    server: ServerThread
    app: FastAPI

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def context(self) -> Context:
        context: Context = self.app.state.context
        return context

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.server.run(coro)

    def set_option(self, site: str, key: str, value: str) -> None:
        self.run(set_site_option(self.context.database, site, key, value))
        self.context.sites.forget(site)

    def post(
        self,
        uri: str,
        text: str = "A comment",
        *,
        author: str | None = "Riya",
        parent_id: int | None = None,
        website: str | None = None,
        ago: timedelta | None = None,
        site: str = SITE,
    ) -> int:
        """Post as a guest other than the browser's reader; returns the comment id."""

        async def post() -> int:
            ctx = self.context
            posted = await post_comment(
                ctx,
                await ctx.sites.get(site),
                normalise_uri(uri),
                CommentDraft(text=text, parent_id=parent_id, author_name=author, website=website),
                Reader(ip_hash=hash_ip(f"seed-{author}", SECRET_KEY)),
                created_at=clock.now() - ago if ago else None,
            )
            comment_id: int = posted.comment["id"]
            return comment_id

        return self.run(post())

    def vote(self, comment_id: int, value: int, voter: str, site: str = SITE) -> None:
        async def vote() -> None:
            ctx = self.context
            reader = Reader(ip_hash=hash_ip(voter, SECRET_KEY), reader_id=voter)
            await cast_vote(ctx, await ctx.sites.get(site), comment_id, value, reader)

        self.run(vote())

    def create_campaign(
        self,
        title: str = "Keep the Courier independent",
        *,
        goal: Decimal = Decimal(5000),
        ends_at: datetime | None = None,
        site: str = FUND_SITE,
    ) -> int:
        """A new USD campaign with a donor wall, made the site's current one; returns its id."""

        async def create() -> int:
            ctx = self.context
            draft = CampaignDraft(
                title=title, currency="USD", goal=goal, ticks=None, presets=None,
                description="", starts_at=None, ends_at=ends_at, donor_wall=True,
            )  # fmt: skip
            campaign = await create_campaign(ctx, await ctx.sites.get(site), draft, current=True)
            return campaign.id

        return self.run(create())

    def give(
        self,
        campaign_id: int,
        amount_minor: int,
        *,
        donor_name: str | None = None,
        message: str | None = None,
        site: str = FUND_SITE,
    ) -> None:
        """A paid gift, delivered as Stripe would: a signed webhook posted over HTTP."""
        event = checkout_completed(
            session_id=f"cs_test_gift_{next(_gift_numbers)}",
            site=site,
            campaign_id=campaign_id,
            amount_minor=amount_minor,
            currency="USD",
            donor_name=donor_name,
            message=message,
        )
        body = encode(event)
        headers = {
            "Content-Type": "application/json",
            "Stripe-Signature": signature_header(body, WEBHOOK_SECRET),
        }
        answer = httpx.post(self.url + WEBHOOK_PATH, content=body, headers=headers, timeout=10)
        assert answer.status_code == 200, answer.text

    def wait_for_listeners(self, uri: str, count: int, site: str = SITE) -> None:
        """Block until `count` widgets listen to the page's live stream."""
        channel = thread_channel(site, normalise_uri(uri))
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while self.context.live.hub.listeners(channel) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{count} live listeners on {uri} never arrived")
            time.sleep(0.02)


_gift_numbers = itertools.count(1)

# An article for inline feedback: paragraphs, an <em>, a link, a publisher's question; and
# the same article edited as newsrooms do between loads (`article=<variant>`, same thread).
_P1 = "Councillors voted seven to five on Tuesday for a second review of the river barrier."
_P2 = (
    "Engineers warned that the <em>old embankment could fail</em> in a spring flood, citing "
    '<a id="report" href="/flood-report">the state flood report</a> from last year.'
)
_P3 = (
    'Residents of the lower town have waited <span data-talkback-question="Was a second review '
    'the right call?">twelve years for a decision</span> on the barrier.'
)
_P4 = "The mayor said the review would take six months and cost the town very little money."
ARTICLES: dict[str, list[str]] = {
    "base": [_P1, _P2, _P3, _P4],
    # Words inserted before the passage (in an earlier paragraph): every offset moves.
    "before": ["After a long and heated debate, c" + _P1[1:], _P2, _P3, _P4],
    # Words inserted inside the passage "would take six months and cost the town very little".
    "inside": [_P1, _P2, _P3, _P4.replace("six months", "six long months")],
    # The passage's sentence moved to the first paragraph; another sentence in its place.
    "moved": [_P1 + " " + _P4, _P2, _P3, "The mayor declined to give a date."],
    # The passage's sentence gone.
    "deleted": [_P1, _P2, _P3, "The mayor declined to give a date."],
}


class ArticleSite:
    """A publisher's site: any path is an article page carrying the embed snippet.

    Query parameters shape the page for a test: `site`, `lang` (<html lang>), `locale`,
    `uri` and `theme` (the containers' data-* attributes), `css` (a style element),
    `campaign` (a funding bar for that campaign above the text, as newsrooms place it),
    `comments=off` (no comment section: a page with the bar alone), `article` (a marked
    article of several paragraphs for inline feedback, one of ARTICLES' versions),
    `embed=off` (the same page without the snippet, to compare the widget's page with).
    `api_url` is set once the app's port is known (the app's sites need this site's origin
    first). `pages` holds whole pages a test writes itself, by path, served as they are.
    """

    def __init__(self) -> None:
        self.api_url = ""
        self.pages: dict[str, str] = {}
        self.app = Starlette(routes=[Route("/{path:path}", self.article)])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    async def article(self, request: Request) -> HTMLResponse:
        if request.url.path in self.pages:
            return HTMLResponse(self.pages[request.url.path])
        query = request.query_params
        attributes = "".join(
            f' data-{name}="{html.escape(query[name])}"'
            for name in ("locale", "uri", "theme")
            if name in query
        )
        style = f"<style>{query['css']}</style>" if "css" in query else ""
        site = html.escape(query.get("site", SITE))
        campaign = (
            f'<div data-talkback-campaign="{html.escape(query["campaign"])}"{attributes}></div>'
            if "campaign" in query
            else ""
        )
        comments = (
            f'<div id="talkback"{attributes}></div>' if query.get("comments") != "off" else ""
        )

        marked = (
            "<article data-talkback-article>\n"
            + "\n".join(
                f'<p id="p{n}">{text}</p>' for n, text in enumerate(ARTICLES[query["article"]], 1)
            )
            + "\n<noscript>Scripts are off.</noscript>\n</article>"
            if "article" in query
            else "<p>Councillors voted seven to five for a second review.</p>"
        )
        embed = (
            f'<script src="{self.api_url}/embed.js" data-site="{site}" async></script>'
            if query.get("embed") != "off"
            else ""
        )

        page = f"""<!doctype html>
<html lang="{html.escape(query.get("lang", "en"))}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Article {html.escape(request.url.path)}</title>{style}</head>
<body>
<main style="max-width: 44rem; margin: 0 auto; padding: 1rem">
<h1>River barrier on hold</h1>
{campaign}
{marked}
{comments}
{embed}
</main>
</body>
</html>"""
        return HTMLResponse(page)


@dataclass
class Host:
    """The publisher's site on its own origin."""

    server: ServerThread
    site: ArticleSite

    @property
    def origin(self) -> str:
        return self.server.url

    def url(self, path: str, fragment: str = "", **query: str) -> str:
        suffix = f"?{urlencode(query)}" if query else ""
        return f"{self.origin}{path}{suffix}{fragment}"


# pytest-playwright keeps one sync Playwright for the whole session, and while it lives
# its event loop counts as running in the main thread, so every asyncio test collected
# after this package would fail. These overrides end it with the package.
@pytest.fixture(scope="package")
def playwright(_pw_api_request_contexts: Any) -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="package")
def browser_type(playwright: Playwright, browser_name: str) -> BrowserType:
    chromium: BrowserType = getattr(playwright, browser_name)
    return chromium


@pytest.fixture(scope="package")
def launch_browser(
    browser_type_launch_args: dict[str, Any], browser_type: BrowserType
) -> Callable[..., Browser]:
    def launch(**options: Any) -> Browser:
        return browser_type.launch(**{**browser_type_launch_args, **options})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser: Callable[..., Browser]) -> Iterator[Browser]:
    launched = launch_browser()
    yield launched
    launched.close()


@pytest.fixture(scope="package")
def browser_context_args(pytestconfig: pytest.Config, _pw_artifacts_folder: Any) -> dict[str, Any]:
    """The plugin's version minus device emulation, which needs a session-long Playwright."""
    if pytestconfig.getoption("--video") in ("on", "retain-on-failure"):
        return {"record_video_dir": _pw_artifacts_folder.name}
    return {}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, never a downloaded one (see /work/shared/NOTES.md)."""
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is not installed (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="package")
def publisher() -> Iterator[Host]:
    site = ArticleSite()
    with ServerThread(site) as server:
        yield Host(server, site)


@pytest.fixture
def host(publisher: Host, talkback: Talkback) -> Host:
    """The publisher's site, embedding the running app."""
    return publisher


@pytest.fixture(scope="package")
def stripe_server(publisher: Host) -> Iterator[FakeStripe]:
    """Checkout pages on the publisher's loopback site, so a test sees where the browser
    was sent without it leaving 127.0.0.1."""
    with fake_stripe(lambda session: f"{publisher.origin}/paid?session={session}") as stripe:
        yield stripe


@pytest.fixture(scope="package")
def talkback(
    publisher: Host, stripe_server: FakeStripe, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Talkback]:
    database = tmp_path_factory.mktemp("talkback") / "talkback.db"
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{database}",
        secret_key=SECRET_KEY,
        rate_limits="off",
        stripe_secret_key=SecretStr(STRIPE_SECRET_KEY),
        stripe_webhook_secret=SecretStr(WEBHOOK_SECRET),
        stripe_api_base=stripe_server.url,
    )
    app = create_app(settings)
    app.include_router(demo_router)
    with ServerThread(app) as server:
        talkback = Talkback(server, app)
        publisher.site.api_url = server.url

        async def prepare() -> None:
            ctx = talkback.context
            await migrate(ctx.database)
            editor = await create_staff(ctx.database, EDITOR, EDITOR_PASSWORD, "admin")
            for site in (SITE, HELD_SITE, STRICT_SITE, TIMED_SITE, SHADOW_SITE, FUND_SITE):
                created = await create_site(
                    ctx.database, site, name="The Example News", origins=[publisher.origin]
                )
                if site != TIMED_SITE:
                    # Tests post within a second of opening the page; people take longer,
                    # and the default spam check would hold such quick comments.
                    changes = {"min_form_seconds": 0}
                    await update_moderation_settings(ctx, created, changes, editor)
            # Every browser here comes from 127.0.0.1: this site shadow-bans that address.
            shadow = await ctx.sites.get(SHADOW_SITE)
            await add_ban(ctx, shadow, kind="ip", value="127.0.0.1", shadow=True,
                          reason="test", expires_at=None, staff=editor)  # fmt: skip

        talkback.run(prepare())
        talkback.set_option(HELD_SITE, "moderation_mode", "pre")
        talkback.set_option(STRICT_SITE, "guest_identity", "name_email")
        yield talkback


@pytest.fixture
def article(request: pytest.FixtureRequest) -> str:
    """A path of its own for each test, so each test has a fresh thread."""
    return "/articles/" + re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")


@pytest.fixture(autouse=True)
def no_script_errors(page: Page) -> Iterator[None]:
    """Any uncaught exception or unhandled rejection in the page fails the test."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield
    assert errors == []


class Widget:
    """The comment section of one open page, as a reader sees and uses it."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.root = page.locator("#talkback")

    def open(self, url: str) -> Widget:
        self.page.goto(url)
        expect(self.root.locator(".tb-count")).to_be_visible()
        return self

    @property
    def heading(self) -> Locator:
        return self.root.locator(".tb-count")

    @property
    def text(self) -> Locator:
        return self.root.locator(".tb > .tb-form textarea")

    @property
    def comments(self) -> Locator:
        return self.root.locator("[data-comment-id]")

    @property
    def top_level(self) -> Locator:
        return self.root.locator(".tb-list > li > article")

    def comment(self, comment_id: int | str) -> Locator:
        return self.root.locator(f'[data-comment-id="{comment_id}"]')

    def comment_with(self, text: str) -> Locator:
        return self.comments.filter(has=self.page.locator(".tb-body", has_text=text))

    def id_of(self, text: str) -> int:
        """The id of the comment whose body reads `text`, once it is shown."""
        comment = self.comment_with(text)
        expect(comment).to_be_visible()
        return int(comment.get_attribute("data-comment-id") or 0)

    def post(self, text: str, name: str | None = None) -> None:
        self.text.fill(text)
        if name is not None:
            self.root.get_by_label("Name").first.fill(name)
        self.root.get_by_role("button", name="Post comment").click()

    def ids(self) -> list[int]:
        return [int(value) for value in self.top_level.evaluate_all(
            "nodes => nodes.map(node => node.dataset.commentId)"
        )]  # fmt: skip


@pytest.fixture
def widget(page: Page) -> Widget:
    return Widget(page)
