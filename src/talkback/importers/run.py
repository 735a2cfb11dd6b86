"""One import, start to end: read the source into staging, then write it.

Reading runs in a worker thread (parsing is CPU work and must not stall a server's event
loop if an import is ever started from the admin UI); writing goes through the database's
write jobs. A source that cannot be read fails before anything is written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from talkback.context import Context
from talkback.errors import NotFound
from talkback.importers.funding import write_funding
from talkback.importers.options import ImportOptions
from talkback.importers.progress import NO_PROGRESS, Progress
from talkback.importers.records import ImportFailed
from talkback.importers.screening import screening
from talkback.importers.staging import Staging
from talkback.importers.summary import ImportSummary
from talkback.importers.writer import write_staged
from talkback.sites.sites import Site, load_site

Reader = Callable[[Path, ImportOptions, Staging, ImportSummary, Progress], None]
SitePreparer = Callable[[Context, str, Staging, ImportSummary], Awaitable[Site]]


@dataclass(frozen=True, slots=True)
class Source:
    """An importer: its name (stored as `import_source`), how it reads a file, and, for
    sources that carry site settings, how the site is created when it does not exist."""

    name: str
    read: Reader
    prepare_site: SitePreparer | None = None


async def run_import(
    ctx: Context,
    site_id: str,
    path: Path,
    source: Source,
    options: ImportOptions,
    progress: Progress = NO_PROGRESS,
) -> ImportSummary:
    site: Site | None = None
    try:
        site = await load_site(ctx.database, site_id)
    except NotFound:
        if source.prepare_site is None:
            raise
    if not await asyncio.to_thread(path.is_file):
        raise ImportFailed(f"{path}: no such file")
    summary = ImportSummary(source=source.name)
    with Staging() as staging:
        progress.phase("reading", _size(path))
        try:
            await asyncio.to_thread(source.read, path, options, staging, summary, progress)
        except ImportFailed as exc:
            exc.message = f"{path}: {exc.message}"
            raise
        staging.finish()
        for reason, count in staging.unplaced_comments():
            summary.skip(reason, count)
        if site is None or source.prepare_site is not None:
            assert source.prepare_site is not None
            site = await source.prepare_site(ctx, site_id, staging, summary)
        progress.phase("writing", staging.comment_count)
        screen = screening(ctx, site, summary) if options.screen else None
        await write_staged(ctx, site, staging, summary, progress, screen)
        await write_funding(ctx, site, staging, summary)
    return summary


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None
