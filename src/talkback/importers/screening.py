"""`talkback import … --screen`: imported comments judged as new ones are, held, never dropped.

Without it, an import publishes what the source published: the old system's moderation
stands. With it, every comment that would be published is run through the site's
moderation pipeline (the checks of its text and the toxicity score; not the checks of a
live post, such as a form's timing, floods or a site's "review every first comment"
mode, which describe a reader at a keyboard, not an archive). What the pipeline would
hold or reject is imported as pending, with the findings a moderator sees in the queue:
a rejection is a moderator's call for an archive, and a comment the importer dropped could
not be restored by running the import again.

A comment that carries a verdict already (Talkback's own export) keeps it: it was judged
here, and perhaps approved by a moderator after a hold.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace

from talkback.context import Context
from talkback.importers.records import CommentRecord
from talkback.importers.summary import ImportSummary
from talkback.moderation.checks import Submission
from talkback.moderation.findings import Action
from talkback.moderation.pipeline import judge
from talkback.moderation.settings import ModerationSettings
from talkback.sites.sites import Site

HELD = "held for review by --screen"

Screen = Callable[[list[CommentRecord]], Awaitable[None]]


def screening(ctx: Context, site: Site, summary: ImportSummary) -> Screen:
    """The hook the writer calls with each thread's comments before writing them."""
    rules = replace(ModerationSettings.from_site(site.moderation), mode="post")

    async def screen(records: list[CommentRecord]) -> None:
        unjudged = [r for r in records if r.status == "approved" and "moderation" not in r.extra]
        verdicts = await asyncio.gather(
            *(
                judge(Submission(r.text, r.author_name, has_approved_comment=True), rules,
                      ctx.scorer)
                for r in unjudged
            )
        )  # fmt: skip
        for record, verdict in zip(unjudged, verdicts, strict=True):
            record.extra["moderation"] = verdict.stored()
            record.extra["toxicity"] = verdict.toxicity
            if verdict.action is not Action.APPROVE:
                record.status = "pending"
                summary.note(HELD)

    return screen
