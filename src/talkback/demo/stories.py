"""The demo's other stories: the "More from the Courier" box under the article, whose
links show their comment counts with `count.js`, and the short pages they lead to.

Each story has a few comments of its own, seeded through the public services like the
main thread's, so the counts in the box are real ones and differ from story to story.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from talkback import clock
from talkback.comments.pages import count_comments
from talkback.comments.posting import CommentDraft, post_comment
from talkback.context import Context
from talkback.core.identity import hash_ip
from talkback.readers.tokens import Reader
from talkback.sites.sites import Site


@dataclass(frozen=True, slots=True)
class Story:
    path: str
    headline: str
    standfirst: str
    comments: tuple[tuple[str, str], ...]
    """(author, text), oldest first."""


MORE_STORIES: tuple[Story, ...] = (
    Story(
        path="/2026/11/harbour-road-flood-walls",
        headline="Harbour Road flood walls to be patched before the spring tides",
        standfirst=(
            "Contractors start on the temporary walls next week; the road closes to traffic "
            "between the Old Bridge and the lifeboat station for nine days."
        ),
        comments=(
            ("Tomos Price", "Nine days is optimistic. The last patch took a month."),
            ("Ellen Marsh", "Will the bus still stop at the lifeboat station?"),
            ("Courier reader", "Good to see something happening at last."),
        ),
    ),
    Story(
        path="/2026/11/quayside-sandbag-store",
        headline="Where to collect sandbags this winter",
        standfirst=(
            "The fire station on Marsh Lane keeps 4,000 filled sandbags for households in "
            "the flood zone, two dozen a home, with help for those who cannot carry them."
        ),
        comments=(("Gwen Ashdown", "The residents' association can deliver to Tanners Row."),),
    ),
    Story(
        path="/2026/11/ferry-slipway-survey",
        headline="Ferry slipway boreholes: what the engineers found",
        standfirst=(
            "Softer clay than expected near the old slipway is why the barrier's foundations "
            "may have to go twice as deep. Our explainer, with the survey's drawings."
        ),
        comments=(),
    ),
)


def story_at(path: str) -> Story | None:
    return next((story for story in MORE_STORIES if story.path == path), None)


async def seed_more_stories(ctx: Context, site: Site) -> None:
    """Each story's comments, once: a story whose thread has any is left as it is."""
    counts = await count_comments(ctx, site, [story.path for story in MORE_STORIES])
    now = clock.now()
    for story in MORE_STORIES:
        if counts[story.path]:
            continue
        for hours, (author, text) in enumerate(story.comments, 1):
            reader = Reader(ip_hash=hash_ip(f"demo-author-{author}", ctx.secret_key))
            draft = CommentDraft(text=text, author_name=author, title=story.headline)
            created = now - timedelta(hours=24 - hours)
            await post_comment(ctx, site, story.path, draft, reader, created_at=created)
