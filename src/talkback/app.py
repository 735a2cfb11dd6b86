"""The ASGI application: routers, error handling, CORS, and the per-process context."""

from __future__ import annotations

import asyncio
import functools
import gc
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from talkback import __version__
from talkback.accounts import routes as account_routes
from talkback.admin import api as admin_api
from talkback.admin import campaigns as admin_campaigns
from talkback.admin import donations as admin_donations
from talkback.admin import funding_api as admin_funding_api
from talkback.admin import pages as admin_pages
from talkback.admin import password_page as admin_password_page
from talkback.admin import readers as admin_readers
from talkback.admin import staff_api as admin_staff_api
from talkback.admin import staff_pages as admin_staff_pages
from talkback.admin import threads as admin_threads
from talkback.admin import ui as admin_ui
from talkback.admin import webhooks as admin_webhooks
from talkback.admin import webhooks_api as admin_webhooks_api
from talkback.comments import fragment_routes, inline_routes, stream, vote_routes
from talkback.comments import routes as comment_routes
from talkback.comments.cached_reads import CachedReads
from talkback.config import Settings, get_settings
from talkback.context import Context
from talkback.demo import checkout_page as demo_checkout
from talkback.demo import mailbox as demo_mailbox
from talkback.feeds import routes as feed_routes
from talkback.funding import routes as funding_routes
from talkback.funding import webhook_route
from talkback.mail.transport import MailboxTransport
from talkback.observability import routes as metrics_routes
from talkback.observability.middleware import RequestMetricsMiddleware
from talkback.readers import routes as reader_routes
from talkback.staff_mail import outbox_api, outbox_pages, reset_pages
from talkback.subscriptions import pages as subscription_pages
from talkback.subscriptions import routes as subscription_routes
from talkback.web import health, widget_assets
from talkback.web.api_docs import install_api_docs
from talkback.web.body_limit import BodyLimitMiddleware
from talkback.web.cors import SiteCORSMiddleware
from talkback.web.errors import install_error_handlers
from talkback.web.page_headers import SecurityHeadersMiddleware

MAX_BODY_BYTES = 64 * 1024
LOCATE_PATH = re.compile(r"^/api/v1/[^/]+/inline/locate$")


async def _settle(context: Context) -> None:
    """Load the model, then move everything loaded so far out of the garbage collector's
    sight. The app, its routes and schemas and the model are some 200,000 objects that
    live as long as the process; each full collection walked them all (0.1 s, measured),
    which showed as the p99 of cached reads under load. Once per process: a process that
    builds many apps (the test suite) must still collect the ones it is done with."""
    await context.scorer.warm_up()
    _freeze_startup_objects()


@functools.cache
def _freeze_startup_objects() -> None:
    """Once per process. (`gc.get_freeze_count()` would tell too, but it counts the frozen
    objects one by one: a test suite building an app per test spent a fifth of its time
    there.)"""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None, *, demo: bool = False) -> FastAPI:
    """Build the app; its database connections open and close with the ASGI lifespan.

    `demo` adds the sample article page at `/` that `talkback demo` serves.
    """
    context = Context.from_settings(settings or get_settings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await context.live.start()  # changes made by other processes reach this one
        # The toxicity model takes about two seconds to load: do it while the server
        # starts taking requests, not on the first comment.
        warm_up = asyncio.create_task(_settle(context))
        if context.settings.outbox_worker == "in-process":
            context.outbox.start()
        try:
            yield
        finally:
            warm_up.cancel()
            await context.close()

    app = FastAPI(
        title="Talkback",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,  # served from local files by api_docs, not from a CDN
        redoc_url=None,
        # Talkback's metrics are Prometheus's (observability/). FastAPI's OpenTelemetry
        # bridge, on by default, asks the environment for providers on every request even
        # when none is configured: a quarter of a cached read's time in the app.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.context = context
    install_error_handlers(app)
    app.add_middleware(SiteCORSMiddleware, sites=context.sites)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=MAX_BODY_BYTES,
        larger={LOCATE_PATH: inline_routes.MAX_LOCATE_BODY_BYTES},
        timeout_seconds=context.settings.body_timeout_seconds,
    )
    app.add_middleware(CachedReads, context=context)
    app.add_middleware(SecurityHeadersMiddleware)  # outside the cache: cached answers too
    app.add_middleware(RequestMetricsMiddleware)  # outermost: times the others too
    # Every module's router is included here (a module only combines its own routers). A
    # request is served by the first route that matches it: the order is behaviour.
    for module in (
        comment_routes, vote_routes, inline_routes, reader_routes, account_routes, stream,
        fragment_routes, feed_routes,
        health, metrics_routes,
        widget_assets, subscription_routes, subscription_pages,
        funding_routes, webhook_route,
        admin_api, admin_ui, admin_pages, admin_readers, admin_campaigns, admin_donations,
        admin_funding_api, outbox_api, outbox_pages, reset_pages, admin_webhooks_api,
        admin_webhooks, admin_staff_api, admin_staff_pages, admin_password_page, admin_threads,
    ):  # fmt: skip
        app.include_router(module.router)
    if context.settings.demo_payments and context.settings.stripe_secret_key is None:
        app.include_router(demo_checkout.router)
    if isinstance(context.mail.transport, MailboxTransport):
        app.include_router(demo_mailbox.router)
    if demo:
        # Imported only here: the sample article's marking (lxml) is no production
        # worker's business, and would cost each one about 5 MB.
        from talkback.demo import page as demo_page

        app.include_router(demo_page.router)
    install_api_docs(app)
    app.mount("/static", StaticFiles(packages=[("talkback", "static")]), name="static")
    return app
