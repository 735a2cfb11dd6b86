"""What every use case needs, built once per process by the app or the CLI."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from talkback import staff_mail
from talkback.accounts import mails as account_mails
from talkback.comments.cache_forgetting import cache_consumer
from talkback.comments.page_cache import PageCache
from talkback.comments.thread_states import ThreadStates
from talkback.config import Settings
from talkback.events.dispatcher import Dispatcher
from talkback.funding.stripe_gateway import StripeCheckout
from talkback.live import invalidation
from talkback.live.announcements import live_consumer
from talkback.live.hub import LiveEvent
from talkback.live.live import Live, thread_of_channel
from talkback.mail import check_mail
from talkback.mail.mailer import Mailer
from talkback.moderation.classifier import Scorer, scorer_from_setting
from talkback.moderation.rate_limits import RateLimits
from talkback.outbox.messages import queued_in_this_process
from talkback.outbox.runtime import Outbox
from talkback.sites.sites import SiteDirectory
from talkback.store.database import Database
from talkback.store.shared_reads import SharedReads
from talkback.subscriptions import hooks as subscription_hooks
from talkback.webhooks import runtime as webhooks


@dataclass
class Context:
    settings: Settings
    database: Database
    secret_key: str
    sites: SiteDirectory = field(init=False)
    pages: PageCache = field(init=False)
    live: Live = field(init=False)
    threads: ThreadStates = field(init=False)
    shared_reads: SharedReads = field(init=False)
    """Thread states and pages many requests ask for at once, read once."""
    scorer: Scorer = field(init=False)
    rate_limits: RateLimits = field(init=False)
    stripe: StripeCheckout = field(init=False)
    events: Dispatcher = field(init=False)
    """Every write that others must hear of goes through `events.write`."""
    mail: Mailer = field(init=False)
    outbox: Outbox = field(init=False)
    """Mail and webhook calls, written with the change that causes them (see `outbox/`)."""
    _outbox_queued_seen: int = field(init=False, default=-1)
    _background: set[asyncio.Task[Any]] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        self.shared_reads = SharedReads(self.run_in_background)
        self.sites = SiteDirectory(self.database, self.shared_reads)
        self.pages = PageCache(self.settings.page_cache_bytes)
        self.live = Live(self.settings.broker_url, self.settings.live_streams_per_address)
        self.threads = ThreadStates()
        self.scorer = scorer_from_setting(self.settings.scorer)
        self.rate_limits = RateLimits(
            self.settings.broker_url, enabled=self.settings.rate_limits == "on"
        )
        self.stripe = StripeCheckout(self.settings)
        self.events = Dispatcher(self.database)
        self.mail = Mailer(self.settings, self.database)
        self.outbox = Outbox(self.settings, self.database)
        # After each commit, in this order: caches forget, open widgets hear of it, and
        # the outbox worker looks for what the change queued.
        self.events.after_commit(cache_consumer(self.threads))
        self.events.after_commit(live_consumer(self.live))
        self.events.after_commit(self._wake_outbox)
        # Each feature registers the handlers of the messages it queues.
        check_mail.install(self)
        subscription_hooks.install(self)
        staff_mail.install(self)
        account_mails.install(self)
        webhooks.install(self)
        # Changes made on other nodes arrive only through the broker: their live events,
        # and notices of what else every process must forget (site settings, bulk writes).
        self.live.hub.observe(self._forget_thread_of)
        invalidation.install(self)

    async def _wake_outbox(self, _event: object) -> None:
        queued = queued_in_this_process()
        if queued != self._outbox_queued_seen:
            self._outbox_queued_seen = queued
            self.outbox.worker.wake()

    def _forget_thread_of(self, channel: str, _event: LiveEvent) -> None:
        thread = thread_of_channel(channel)
        if thread is not None:
            self.threads.forget(*thread)

    @classmethod
    def from_settings(cls, settings: Settings) -> Context:
        return cls(
            settings=settings,
            database=Database(settings.resolved_database_url),
            secret_key=settings.require_secret_key(),
        )

    def run_in_background(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Start a short piece of work a request need not wait for (a thread state's
        refresh, a read others share); `close` waits for what is still running."""
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def close(self) -> None:
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        await self.outbox.stop()
        await self.mail.close()
        await self.live.close()
        await self.rate_limits.close()
        await self.stripe.close()
        await self.database.close()
