"""Every process forgets what any process changed: the broker's cache notices, wired.

What a process caches, and what makes every process of the deployment forget it:
- a site's settings (`sites.SiteDirectory`): whoever changes them calls
  `SiteDirectory.changed`, which announces a `site` notice;
- thread states (`comments.ThreadStates`): a change to one thread is already heard
  everywhere as its live event (`Context._forget_thread_of`); threads rewritten in bulk
  (an import, a reader's data deleted) have no live event, so the consumer here announces
  them as `threads` notices;
- after a broker reconnection (`everything`), every site is read afresh; thread states
  need nothing, they expire within `thread_states.FRESH_SECONDS` on their own. Open
  streams are ended too: live events published while Redis was out of reach never arrive,
  so each widget reconnects and reloads its thread rather than silently miss them.

Rate limits keep no per-process state with a Redis broker (their counters are in Redis),
and rendered pages are keyed by the thread's version, so neither needs a notice.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from talkback.comments.thread_states import ThreadStates
from talkback.events.changes import ChangeEvent, ThreadsRewritten
from talkback.events.dispatcher import AfterCommit
from talkback.live.brokers import (
    NOTICE_BATCH,
    Broker,
    Notice,
    NoticeObserver,
    broker_for,
    is_shared,
)
from talkback.live.hub import Hub
from talkback.sites.sites import SiteDirectory

if TYPE_CHECKING:
    from talkback.context import Context

log = logging.getLogger(__name__)


def install(ctx: Context) -> None:
    """Announce this process's changes to every process; forget what others announce."""
    broker = ctx.live.broker

    async def announce_site(site_id: str) -> None:
        await broker.announce(Notice("site", site_id))

    ctx.sites.announce_with(announce_site)
    broker.on_notice(forgetting(ctx.sites, ctx.threads))
    broker.on_notice(cutting_off(ctx.live.hub))
    ctx.events.after_commit(rewritten_threads_announcer(broker))


def forgetting(sites: SiteDirectory, threads: ThreadStates) -> NoticeObserver:
    """The observer that makes this process forget what a notice names."""

    def forget(notice: Notice) -> None:
        if notice.kind == "site":
            sites.forget(notice.site_id)
        elif notice.kind == "threads":
            for uri in notice.uris:
                threads.forget(notice.site_id, uri)
        elif notice.kind == "everything":
            sites.forget_all()

    return forget


def cutting_off(hub: Hub) -> NoticeObserver:
    """The observer that ends every open stream of this process after a broker
    reconnection, when events may have been missed (the widget reloads on reconnecting)."""

    def cut_off(notice: Notice) -> None:
        if notice.kind == "everything":
            ended = hub.end_all()
            log.warning("event=live_streams_ended reason=broker_reconnected streams=%d", ended)

    return cut_off


def rewritten_threads_announcer(broker: Broker) -> AfterCommit:
    """An after-commit consumer announcing threads rewritten in bulk, in bounded notices."""

    async def announce(event: ChangeEvent) -> None:
        if not isinstance(event, ThreadsRewritten):
            return
        uris = tuple(event.uris)
        for start in range(0, len(uris), NOTICE_BATCH):
            await broker.announce(
                Notice("threads", event.site_id, uris[start : start + NOTICE_BATCH])
            )

    return announce


async def announce_once(broker_url: str, notice: Notice) -> bool:
    """Announce `notice` from a process that serves nothing (the command line) to every
    running server; False when it reached none (`memory://`, or Redis refused it)."""
    if not is_shared(broker_url):
        return False
    broker = broker_for(broker_url, Hub())
    try:
        return await broker.announce(notice)
    finally:
        await broker.close()
