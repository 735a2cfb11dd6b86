"""Widget benchmark: what the embedded comment section costs a reader.

Run: `.venv/bin/python bench/widget.py [--runs 15] [--comments 1000]`.

Two figures:
1. Bytes: every widget file (embed.js, embed.css, each module under /widget/<version>/) as
   the running server sends it with `Accept-Encoding: gzip`; and the ones a first visit
   fetched (seen by the browser on the cold load below), against the design's target of
   25 KB gzipped for a first visit. Modules a reader's first visit does not need (the
   account panels, the gift form, other languages) load only when used and are not in it.
2. Time to the first comment: Debian's Chromium opens an article page on one loopback
   origin whose embed snippet points at the app on another, as on a publisher's site, with
   a thread of `--comments` comments. Timed from navigation start (performance.timeOrigin)
   to the first `[data-comment-id]` in the widget's shadow root, seen by a MutationObserver
   an init script installs before any page script runs (no polling interval), and to the
   animation frame that paints it.

Why it is built this way:
- The baseline is measured in the same run, interleaved: the very same article page
  without the snippet (its first contentful paint and load event). The widget page's own
  first paint is reported too: the widget loads `async` and must not delay the article.
- "Cold" is a first visit (a new browser context: empty cache, no reader token), so
  embed.js, the stylesheet, every module and /me are fetched. "Warm" is a reload in the
  same context: modules come from the browser cache (versioned, immutable), the thread
  page is revalidated by ETag.
- The thread is seeded with `thread_read.py`'s bulk seeding (same shape, counters checked
  by SQL), through a separate database handle before the server starts.
- Only 127.0.0.1 is used: uvicorn on two loopback ports, SQLite in a temp directory, and
  Chromium started with background networking, component updates and sync switched off.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from playwright.sync_api import Request as BrowserRequest
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from talkback import __version__, clock
from talkback.app import create_app
from talkback.sites.sites import create_site
from talkback.store.database import Database
from talkback.store.migrate import migrate
from thread_read import (
    LARGE_URI,
    RESULTS_DIR,
    SITE,
    app_settings,
    bounded_int,
    plan_thread,
    seed,
    text_pool,
    verify_counters,
)

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
STATIC = Path(__file__).resolve().parent.parent / "src" / "talkback" / "static"
INLINE_AT_LOAD = ("/article.js", "/inline.js", "/inline_layer.js")
"""The modules main.js imports only where a page marks an article (inline feedback); the
popover's module loads later, when a reader opens one."""
TARGET_BYTES = 25_000  # the design's "< 25 KB", read strictly
TIMEOUT_MS = 30_000
PAGE_CACHE_BYTES = 64 * 1024 * 1024

# Installed before any page script: records when the first comment enters the widget's
# shadow root and the animation frame that paints it, relative to navigation start.
PROBE = """(() => {
  const marks = (window.__talkbackBench = {});
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    new MutationObserver((_, observer) => {
      if (marks.inserted === undefined && root.querySelector('[data-comment-id]')) {
        marks.inserted = performance.now();
        requestAnimationFrame(() => { marks.painted = performance.now(); });
        observer.disconnect();
      }
    }).observe(root, { childList: true, subtree: true });
    return root;
  };
})();"""
PAINTED = "performance.getEntriesByName('first-contentful-paint').length > 0"
PAGE_TIMINGS = """() => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const navigation = performance.getEntriesByType('navigation')[0];
  return { fcp: paint ? paint.startTime : null, load: navigation.loadEventEnd };
}"""


class BenchError(RuntimeError):
    """Something other than the expected page was measured: no figure is valid."""


# ------------------------------------------------------------------------------ servers


class ServerThread:
    """uvicorn on its own event loop in a background thread, on a free loopback port."""

    def __init__(self, app: ASGIApp) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", access_log=False,
            timeout_graceful_shutdown=1,
        )  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=lambda: asyncio.run(self.server.serve()))

    @property
    def url(self) -> str:
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise BenchError("a server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


class ArticleSite:
    """The publisher's origin: the same article with (`/…`) or without (`/…?bare`) the widget."""

    def __init__(self) -> None:
        self.api_url = ""
        self.app = Starlette(routes=[Route("/{path:path}", self.article)])

    async def article(self, request: Request) -> HTMLResponse:
        embed = (
        f'<div id="talkback"></div>'
        f'<script src="{self.api_url}/embed.js" data-site="{SITE}" async></script>'
        )  # fmt: skip
        if "bare" in request.query_params:
            embed = ""
        paragraphs = "".join(
            f"<p>Paragraph {n} of the article about the river barrier, long enough to wrap "
            "over a few lines as a real story's paragraphs do.</p>"
            for n in range(12)
        )
        return HTMLResponse(
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>River barrier on hold</title></head><body><main>"
            f"<h1>River barrier on hold</h1>{paragraphs}{embed}</main></body></html>"
        )


# ------------------------------------------------------------------------------- sizes


@dataclass(frozen=True, slots=True)
class Asset:
    path: str
    plain: int
    gzipped: int


def widget_paths() -> list[str]:
    """URL paths of every widget file, loader first."""
    modules = sorted((STATIC / "widget").rglob("*.js"))
    return ["/embed.js", "/embed.css"] + [
        f"/widget/{__version__}/{module.relative_to(STATIC / 'widget').as_posix()}"
        for module in modules
    ]


def measure_sizes(api_url: str) -> list[Asset]:
    """Each file as served: bytes on the wire with gzip accepted, and decoded."""
    assets = []
    with httpx.Client(base_url=api_url, headers={"Accept-Encoding": "gzip"}) as client:
        for path in widget_paths():
            response = client.get(path)
            if response.status_code != 200 or response.headers.get("content-encoding") != "gzip":
                raise BenchError(f"{path} answered {response.status_code} without gzip")
            plain = len(response.content)
            assets.append(Asset(path, plain, response.num_bytes_downloaded))
    return assets


# -------------------------------------------------------------------------------- time


@dataclass
class Samples:
    """One scenario's measurements in milliseconds, by metric."""

    name: str
    values: dict[str, list[float]]

    def add(self, metric: str, value: float | None) -> None:
        if value is None:
            raise BenchError(f"{self.name}: no {metric} recorded")
        self.values.setdefault(metric, []).append(float(value))

    def summary(self) -> dict[str, dict[str, float]]:
        return {
            metric: {
                "median": statistics.median(values),
                "min": min(values),
                "max": max(values),
            }
            for metric, values in self.values.items()
        }


def first_comment(page: Page, url: str, samples: Samples) -> list[str]:
    """Load `url` and wait for the first comment to be painted; returns the URLs requested
    (by then every module the widget loads up front has been fetched: the first comment
    is drawn by them)."""
    requests: list[str] = []

    def count(request: BrowserRequest) -> None:
        requests.append(request.url)

    page.on("request", count)
    page.goto(url, wait_until="load")
    page.wait_for_function(
        "window.__talkbackBench && window.__talkbackBench.painted !== undefined",
        timeout=TIMEOUT_MS,
    )
    page.wait_for_function(PAINTED, timeout=TIMEOUT_MS)
    marks: dict[str, float] = page.evaluate("window.__talkbackBench")
    timings: dict[str, float | None] = page.evaluate(PAGE_TIMINGS)
    if page.locator("#talkback [data-comment-id]").count() < 20:
        raise BenchError("the widget showed fewer comments than a full first page")
    samples.add("first comment in DOM", marks["inserted"])
    samples.add("first comment painted", marks["painted"])
    samples.add("article first paint", timings["fcp"])
    page.remove_listener("request", count)
    return requests


def bare_page(page: Page, url: str, samples: Samples) -> None:
    page.goto(url, wait_until="load")
    page.wait_for_function(PAINTED, timeout=TIMEOUT_MS)
    timings: dict[str, float | None] = page.evaluate(PAGE_TIMINGS)
    samples.add("article first paint", timings["fcp"])
    samples.add("load event", timings["load"])


@contextmanager
def fresh_context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    context.add_init_script(PROBE)
    try:
        yield context
    finally:
        context.close()


def measure_times(
    browser: Browser, article_url: str, runs: int
) -> tuple[list[Samples], dict[str, list[str]]]:
    """Interleaved rounds of: bare page, cold widget (new context), warm widget (reload);
    the URLs the last round's two widget loads requested."""
    bare = Samples("article without widget", {})
    cold = Samples("widget, first visit (cold cache)", {})
    warm = Samples("widget, return visit (warm cache)", {})
    requests: dict[str, list[str]] = {}
    for _ in range(runs):
        with fresh_context(browser) as context:
            bare_page(context.new_page(), f"{article_url}?bare", bare)
        with fresh_context(browser) as context:
            page = context.new_page()
            requests["cold"] = first_comment(page, article_url, cold)
            requests["warm"] = first_comment(page, article_url, warm)
    return [bare, cold, warm], requests


def first_visit(assets: list[Asset], api_url: str, requested: list[str]) -> list[Asset]:
    """The widget files among a cold load's requests (the stylesheet's `?v=` ignored)."""
    fetched = {
        url.removeprefix(api_url).split("?")[0] for url in requested if url.startswith(api_url)
    }
    return [asset for asset in assets if asset.path in fetched]


# ----------------------------------------------------------------------------- seeding


async def prepare_database(database_url: str, origin: str, comments: int, rng_seed: int) -> None:
    """Migrate, add the site for the article's origin, seed and check the big thread."""
    database = Database(database_url)
    try:
        await migrate(database)
        await create_site(database, SITE, name="Bench News", origins=[origin])
        rng = random.Random(rng_seed)
        start = clock.now() - timedelta(seconds=40 * comments + 3600)
        thread = plan_thread(
            rng, text_pool(rng), uri=LARGE_URI, thread_id=1, first_comment_id=1,
            count=comments, start=start,
        )  # fmt: skip
        await seed(database, [thread], start)
        await verify_counters(database)
    finally:
        await database.close()


# ------------------------------------------------------------------------------ report


def report(result: dict[str, Any], console: Console) -> None:
    sizes = Table(title="Widget files as served (gzip level 9)")
    for column in ("file", "bytes", "gzipped", "first visit"):
        sizes.add_column(column, justify="left" if column == "file" else "right")
    first = {asset["path"] for asset in result["first_visit"]["assets"]}
    for asset in result["assets"]:
        loaded = "yes" if asset["path"] in first else "-"
        sizes.add_row(asset["path"], f"{asset['plain']:,}", f"{asset['gzipped']:,}", loaded)
    total = result["total"]
    sizes.add_row("all files", f"{total['plain']:,}", f"{total['gzipped']:,}", "")
    visit = result["first_visit"]
    sizes.add_row(
        "first visit", f"{visit['plain']:,}", f"{visit['gzipped']:,}",
        str(len(visit["assets"])), style="bold",
    )  # fmt: skip
    console.print(sizes)
    console.print(
        f"  a first visit to an English article loads {visit['gzipped']:,} bytes gzipped "
        f"({visit['gzipped'] / 1024:.1f} KB; target < {TARGET_BYTES:,}); all files "
        f"{total['gzipped'] / 1024:.1f} KB, all but the German catalogue "
        f"{result['english_reader_gzipped'] / 1024:.1f} KB; a page that marks an article "
        f"for inline feedback loads {result['marked_article_extra_gzipped']:,} bytes more\n"
    )
    title = f"Time from navigation start, ms ({result['runs']} runs, median [min-max])"
    times = Table(title=escape(title))
    times.add_column("scenario")
    metrics = ["article first paint", "load event", "first comment in DOM", "first comment painted"]
    for metric in metrics:
        times.add_column(metric, justify="right")
    for scenario in result["scenarios"]:
        cells = []
        for metric in metrics:
            figures = scenario["timings"].get(metric)
            cells.append(
                escape(f"{figures['median']:.0f} [{figures['min']:.0f}-{figures['max']:.0f}]")
                if figures else "-"
            )  # fmt: skip
        times.add_row(scenario["name"], *cells)
    console.print(times)
    console.print(
        f"  thread: {result['comments']:,} comments; requests per load: cold "
        f"{len(result['requests']['cold'])}, warm {len(result['requests']['warm'])} "
        "(page included)"
    )


def run(args: argparse.Namespace) -> dict[str, Any]:
    site = ArticleSite()
    with (
        tempfile.TemporaryDirectory(prefix="talkback-bench-") as tmp,
        ServerThread(site.app) as host,
    ):
        database_url = f"sqlite+aiosqlite:///{Path(tmp) / 'talkback.db'}"
        asyncio.run(prepare_database(database_url, host.url, args.comments, args.seed))
        app = create_app(app_settings(database_url, PAGE_CACHE_BYTES))
        with ServerThread(app) as api:
            site.api_url = api.url
            assets = measure_sizes(api.url)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                try:
                    scenarios, requests = measure_times(
                        browser, f"{host.url}{LARGE_URI}", args.runs
                    )
                finally:
                    browser.close()
    english = [asset for asset in assets if not asset.path.endswith("/i18n/de.js")]
    visited = first_visit(assets, site.api_url, requests["cold"])
    return {
        "benchmark": "widget",
        "version": __version__,
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "comments": args.comments,
        "runs": args.runs,
        "assets": [asdict(asset) for asset in assets],
        "total": {
            "plain": sum(asset.plain for asset in assets),
            "gzipped": sum(asset.gzipped for asset in assets),
        },
        "english_reader_gzipped": sum(asset.gzipped for asset in english),
        "marked_article_extra_gzipped": sum(
            asset.gzipped for asset in assets if asset.path.endswith(INLINE_AT_LOAD)
        ),
        "first_visit": {
            "assets": [asdict(asset) for asset in visited],
            "plain": sum(asset.plain for asset in visited),
            "gzipped": sum(asset.gzipped for asset in visited),
        },
        "target_gzipped": TARGET_BYTES,
        "scenarios": [{"name": s.name, "timings": s.summary()} for s in scenarios],
        "requests": requests,
    }


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--runs", type=bounded_int(1, 500), default=15, help="page loads per scenario"
    )
    parser.add_argument(
        "--comments", type=bounded_int(20, 200_000), default=1000, help="comments in the thread"
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed for the thread shape")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console(highlight=False, width=max(Console().width, 150))
    if not CHROMIUM.exists():
        console.print(f"{CHROMIUM} is missing: apt-get install chromium")
        return 2
    result = run(args)
    report(result, console)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / "widget.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    console.print(f"  results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
