"""What every use case needs, built once per process by the app or the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field

from talkback.comments.page_cache import PageCache
from talkback.comments.thread_states import ThreadStates
from talkback.config import Settings
from talkback.funding.stripe_gateway import StripeCheckout
from talkback.live.live import Live
from talkback.moderation.classifier import BatchingScorer, profanity_scorer
from talkback.moderation.rate_limits import RateLimits
from talkback.sites.sites import SiteDirectory
from talkback.store.database import Database


@dataclass
class Context:
    settings: Settings
    database: Database
    secret_key: str
    sites: SiteDirectory = field(init=False)
    pages: PageCache = field(init=False)
    live: Live = field(init=False)
    threads: ThreadStates = field(init=False)
    scorer: BatchingScorer = field(init=False)
    rate_limits: RateLimits = field(init=False)
    stripe: StripeCheckout = field(init=False)

    def __post_init__(self) -> None:
        self.sites = SiteDirectory(self.database)
        self.pages = PageCache(self.settings.page_cache_bytes)
        self.live = Live(self.settings.broker_url)
        self.threads = ThreadStates()
        self.scorer = profanity_scorer()
        self.rate_limits = RateLimits(
            self.settings.broker_url, enabled=self.settings.rate_limits == "on"
        )
        self.stripe = StripeCheckout(self.settings)
        self.live.hub.observe(lambda channel, _event: self.threads.forget(channel))

    @classmethod
    def from_settings(cls, settings: Settings) -> Context:
        return cls(
            settings=settings,
            database=Database(settings.resolved_database_url),
            secret_key=settings.require_secret_key(),
        )

    async def close(self) -> None:
        await self.live.close()
        await self.rate_limits.close()
        await self.stripe.close()
        await self.database.close()
