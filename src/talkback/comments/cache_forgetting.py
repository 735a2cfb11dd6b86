"""The caches' consumer of change events: a changed thread is looked up afresh.

Rendered pages need no forgetting of their own: they are keyed by the thread's version,
which every visible change raises, so forgetting the thread's state is what makes the
next read see the new version and render (or find) the new page.
"""

from __future__ import annotations

from talkback.comments.thread_states import ThreadStates
from talkback.events.changes import ChangeEvent, CommentCreated, ThreadEvent, ThreadsRewritten
from talkback.events.dispatcher import AfterCommit


def cache_consumer(threads: ThreadStates) -> AfterCommit:
    """An after-commit consumer that forgets the state of every thread a change touched."""

    async def forget(event: ChangeEvent) -> None:
        if isinstance(event, CommentCreated) and not event.visible:
            return  # a held or refused comment leaves the thread's version as it was
        if isinstance(event, ThreadEvent):
            threads.forget(event.thread.site_id, event.thread.uri)
        elif isinstance(event, ThreadsRewritten):
            for uri in event.uris:
                threads.forget(event.site_id, uri)

    return forget
